// A fake of the Gemini REST API (generativelanguage.googleapis.com) on 127.0.0.1, close
// enough on the wire that the real `ChatGoogleGenerativeAI` and
// `GoogleGenerativeAIEmbeddings` (through @google/generative-ai) work against it when given
// `baseUrl: fake.url`. The client builds `{baseUrl}/{apiVersion}/models/{model}:{task}`,
// adds `?alt=sse` when streaming, and sends the key in `x-goog-api-key`.
//
// Endpoints: POST models/{m}:generateContent, :streamGenerateContent (SSE with alt=sse, a
// JSON array without), :countTokens, :embedContent, :batchEmbedContents; GET models and
// models/{m}; under v1beta, v1 or v1alpha. Errors use Google's envelope
// `{error: {code, message, status, details?}}`.
import { createHash } from 'node:crypto';
import {
  answerChat,
  promptOf,
  startFakeServer,
  type ChatRequestView,
  type FakeServer,
  type FakeServerOptions,
  type FakeState,
  type IncomingCall,
  type Reply,
  type ResolvedRoute,
  type Wire,
} from './fake-behaviour.js';
import { countTokens, DEFAULT_EMBEDDING_DIMENSIONS, embedText, garbageText, splitIntoChunks } from './fake-model.js';
import type { ActiveMode } from './fake-modes.js';

export type GeminiEndpoint =
  | 'generateContent'
  | 'streamGenerateContent'
  | 'countTokens'
  | 'embedContent'
  | 'batchEmbedContents'
  | 'models';

export interface FakeGeminiOptions extends FakeServerOptions {
  /** The only API key accepted; others get Google's 400 API_KEY_INVALID. Default: any non-empty key. */
  apiKey?: string;
  /** Model ids served (without `models/`); others get 404. Default: any model id. */
  models?: string[];
  /** Embedding size when a request does not ask for `outputDimensionality` (default 256). */
  embeddingDimensions?: number;
  /** The exact answer when passages do not support one (default: a phrase the prompt asks for, else NOT_FOUND). */
  notFoundAnswer?: string;
  /** How many SSE events a streamed answer is split into, at most (default 4). */
  streamChunks?: number;
}

export type FakeGemini = FakeServer<GeminiEndpoint>;

/** The largest batchEmbedContents request Google accepts. */
export const GEMINI_MAX_EMBED_BATCH = 100;

const LISTED_MODELS = ['gemini-3.1-flash-lite', 'gemini-embedding-001'];
const API_VERSIONS = new Set(['v1beta', 'v1', 'v1alpha']);
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
  return startFakeServer((state) => geminiWire(state, options), options);
}

/** Google's error envelope. */
export function googleError(code: number, message: string, details?: unknown[], headers?: Record<string, string>): Reply {
  return {
    kind: 'json',
    status: code,
    headers,
    body: { error: { code, message, status: STATUS_NAMES[code] ?? 'UNKNOWN', ...(details ? { details } : {}) } },
  };
}

interface Part {
  text?: string;
  inlineData?: { mimeType?: string; data?: string };
}
interface Content {
  role?: string;
  parts?: Part[];
}
interface GenerateContentBody {
  contents?: Content[];
  systemInstruction?: Content;
  generationConfig?: { responseMimeType?: string; responseSchema?: unknown; maxOutputTokens?: number };
}
interface EmbedContentBody {
  model?: string;
  content?: Content;
  outputDimensionality?: number;
}

function geminiWire(state: FakeState, options: FakeGeminiOptions): Wire<GeminiEndpoint> {
  const dimensionsFor = (body: EmbedContentBody): number => body.outputDimensionality ?? options.embeddingDimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
  const served = (model: string): boolean => options.models === undefined || options.models.includes(model);

  function authenticate(call: IncomingCall): Reply | undefined {
    const header = call.headers['x-goog-api-key'];
    const key = (Array.isArray(header) ? header[0] : header) ?? call.url.searchParams.get('key') ?? '';
    if (key === '') {
      return googleError(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    }
    if (options.apiKey !== undefined && key !== options.apiKey) {
      return googleError(400, 'API key not valid. Please pass a valid API key.', [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'API_KEY_INVALID',
          domain: 'googleapis.com',
          metadata: { service: 'generativelanguage.googleapis.com' },
        },
      ]);
    }
    return undefined;
  }

  function modelInfo(model: string): Record<string, unknown> {
    const embedding = model.includes('embedding');
    return {
      name: `models/${model}`,
      version: '001',
      displayName: model,
      inputTokenLimit: embedding ? 2048 : 1_048_576,
      outputTokenLimit: embedding ? 1 : 65_536,
      supportedGenerationMethods: embedding ? ['embedContent', 'countTokens'] : ['generateContent', 'countTokens'],
    };
  }

  function chatView(endpoint: GeminiEndpoint, model: string, body: GenerateContentBody): ChatRequestView {
    const textOf = (content: Content | undefined): string =>
      (content?.parts ?? []).flatMap((part) => (typeof part.text === 'string' ? [part.text] : [])).join('');
    const system = textOf(body.systemInstruction);
    const messages = (body.contents ?? []).map((content) => ({
      role: content.role === 'model' ? ('assistant' as const) : content.role === 'function' ? ('tool' as const) : ('user' as const),
      text: textOf(content),
    }));
    const images = (body.contents ?? []).flatMap((content) =>
      (content.parts ?? []).flatMap((part) =>
        part.inlineData ? [{ mimeType: part.inlineData.mimeType, data: part.inlineData.data ?? '' }] : [],
      ),
    );
    const config = body.generationConfig ?? {};
    return {
      provider: 'gemini',
      endpoint,
      model,
      system,
      messages,
      prompt: promptOf(system, messages),
      json: config.responseMimeType === 'application/json',
      schema: config.responseSchema,
      images,
      maxOutputTokens: config.maxOutputTokens,
      body,
    };
  }

  function usage(promptTokens: number, candidateTokens: number | undefined): Record<string, unknown> {
    return {
      promptTokenCount: promptTokens,
      ...(candidateTokens === undefined ? {} : { candidatesTokenCount: candidateTokens }),
      totalTokenCount: promptTokens + (candidateTokens ?? 0),
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
    };
  }

  async function generate(model: string, body: GenerateContentBody, garbage: boolean, stream: 'sse' | 'json-array' | false): Promise<Reply> {
    if (!Array.isArray(body.contents) || body.contents.length === 0) {
      return googleError(400, '* GenerateContentRequest.contents: contents is not specified\n');
    }
    const endpoint = stream ? 'streamGenerateContent' : 'generateContent';
    const view = chatView(endpoint, model, body);
    const answer = await answerChat(view, state, garbage, { notFoundAnswer: options.notFoundAnswer });
    const promptTokens = countTokens([view.system, ...view.messages.map((m) => m.text)].join('\n'));
    const finishReason = answer.truncated ? 'MAX_TOKENS' : 'STOP';
    const responseId = createHash('sha256').update(`${model}\n${view.prompt}`).digest('base64url').slice(0, 22);
    const candidate = (text: string, finished: boolean): Record<string, unknown> => ({
      content: { parts: [{ text }], role: 'model' },
      ...(finished ? { finishReason } : {}),
      index: 0,
    });
    if (!stream) {
      return {
        kind: 'json',
        body: {
          candidates: [candidate(answer.text, true)],
          usageMetadata: usage(promptTokens, countTokens(answer.text)),
          modelVersion: model,
          responseId,
        },
      };
    }
    // Like Google: every event carries usageMetadata; only the last one has the candidate count.
    const pieces = splitIntoChunks(answer.text, options.streamChunks ?? 4);
    const events = pieces.map((piece, i) => {
      const last = i === pieces.length - 1;
      return {
        candidates: [candidate(piece, last)],
        usageMetadata: usage(promptTokens, last ? countTokens(answer.text) : undefined),
        modelVersion: model,
        responseId,
      };
    });
    return { kind: 'stream', framing: stream, events };
  }

  function embedValues(text: string, dimensions: number, garbage: boolean): number[] {
    if (!garbage) return embedText(text, dimensions);
    // Wrong size and meaningless: what a confused deployment would send back.
    const size = Math.max(1, Math.floor(dimensions / 2));
    return embedText(garbageText(text), size);
  }

  function embedTextOf(body: EmbedContentBody): string | undefined {
    const parts = body.content?.parts;
    if (!Array.isArray(parts) || parts.length === 0) return undefined;
    return parts.map((part) => part.text ?? '').join(' ');
  }

  function embedOne(body: EmbedContentBody, garbage: boolean): Reply {
    const text = embedTextOf(body);
    if (text === undefined) return googleError(400, '* EmbedContentRequest.content: contents is not specified\n');
    return { kind: 'json', body: { embedding: { values: embedValues(text, dimensionsFor(body), garbage) } } };
  }

  function embedBatch(model: string, body: { requests?: EmbedContentBody[] }, garbage: boolean): Reply {
    const requests = body.requests;
    if (!Array.isArray(requests) || requests.length === 0) {
      return googleError(400, '* BatchEmbedContentsRequest.requests: requests is not specified\n');
    }
    if (requests.length > GEMINI_MAX_EMBED_BATCH) {
      return googleError(400, `* BatchEmbedContentsRequest.requests: at most ${GEMINI_MAX_EMBED_BATCH} requests can be in one batch\n`);
    }
    const embeddings: Array<{ values: number[] }> = [];
    for (const [index, request] of requests.entries()) {
      if (request.model !== `models/${model}`) {
        return googleError(
          400,
          `* BatchEmbedContentsRequest.requests[${index}].model: model in the request (${String(request.model)}) must match the model in the URL (models/${model})\n`,
        );
      }
      const text = embedTextOf(request);
      if (text === undefined) return googleError(400, `* BatchEmbedContentsRequest.requests[${index}].content: contents is not specified\n`);
      embeddings.push({ values: embedValues(text, dimensionsFor(request), garbage) });
    }
    return { kind: 'json', body: { embeddings } };
  }

  function countTokensReply(body: { contents?: Content[]; generateContentRequest?: GenerateContentBody }): Reply {
    const request = body.generateContentRequest ?? { contents: body.contents };
    const texts = [request.systemInstruction, ...(request.contents ?? [])].flatMap((content) =>
      (content?.parts ?? []).map((part) => part.text ?? ''),
    );
    const totalTokens = countTokens(texts.join('\n'));
    return { kind: 'json', body: { totalTokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: totalTokens }] } };
  }

  return {
    resolve(call): ResolvedRoute<GeminiEndpoint> | Reply {
      const match = /^\/([^/]+)\/models(?:\/([^/:]+)(?::([A-Za-z]+))?)?$/.exec(call.url.pathname);
      const [, version, model, task] = match ?? [];
      if (!match || !version || !API_VERSIONS.has(version)) {
        return googleError(404, `The requested URL ${call.url.pathname} was not found on this server.`);
      }
      const refused = authenticate(call);
      if (refused) return refused;
      if (model !== undefined && !served(model)) {
        return googleError(
          404,
          `models/${model} is not found for API version ${version}, or is not supported for ${task ?? 'get'}. Call ListModels to see the list of available models and their supported methods.`,
        );
      }
      const body = (call.body ?? {}) as Record<string, unknown>;
      if (call.method === 'GET' && task === undefined) {
        const models = model === undefined ? (options.models ?? LISTED_MODELS) : [model];
        return {
          endpoint: 'models',
          kind: 'meta',
          handle: () => ({ kind: 'json', body: model === undefined ? { models: models.map(modelInfo) } : modelInfo(model) }),
        };
      }
      if (call.method !== 'POST' || model === undefined) {
        return googleError(404, `The requested URL ${call.url.pathname} was not found on this server.`);
      }
      switch (task) {
        case 'generateContent':
          return { endpoint: task, kind: 'chat', handle: ({ garbage }) => generate(model, body, garbage, false) };
        case 'streamGenerateContent': {
          const framing = call.url.searchParams.get('alt') === 'sse' ? 'sse' : 'json-array';
          return { endpoint: task, kind: 'chat', handle: ({ garbage }) => generate(model, body, garbage, framing) };
        }
        case 'countTokens':
          return { endpoint: task, kind: 'meta', handle: () => countTokensReply(body) };
        case 'embedContent':
          return { endpoint: task, kind: 'embed', handle: ({ garbage }) => embedOne(body, garbage) };
        case 'batchEmbedContents':
          return { endpoint: task, kind: 'embed', handle: ({ garbage }) => embedBatch(model, body, garbage) };
        default:
          return googleError(404, `The requested URL ${call.url.pathname} was not found on this server.`);
      }
    },

    errorReply(status: 429 | 500 | 503, mode: ActiveMode): Reply {
      if (status === 503) return googleError(503, mode.message ?? 'The model is overloaded. Please try again later.');
      if (status === 500) {
        return googleError(
          500,
          mode.message ?? 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
        );
      }
      const seconds = mode.retryAfterSeconds;
      return googleError(
        429,
        mode.message ?? 'Resource has been exhausted (e.g. check quota).',
        [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` }],
        { 'retry-after': String(seconds) },
      );
    },

    invalidJsonReply(): Reply {
      return googleError(400, 'Invalid JSON payload received. Unexpected token.');
    },
  };
}
