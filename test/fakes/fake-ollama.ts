// A fake of the Ollama HTTP API on 127.0.0.1, close enough on the wire that the real
// `ChatOllama` and `OllamaEmbeddings` (through the `ollama` npm client) work against it
// when given `baseUrl: fake.url`.
//
// Endpoints: POST /api/chat and /api/generate (NDJSON stream when `stream` is true or
// absent, one JSON object when false), POST /api/embed (batch `input`), /api/embeddings
// (legacy, one prompt), /api/show; GET /api/tags, /api/ps, /api/version and `/`. Errors are
// `{"error": "..."}` with the HTTP status, as Ollama sends them.
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

export type OllamaEndpoint = 'chat' | 'generate' | 'embed' | 'embeddings' | 'show' | 'tags' | 'ps' | 'version' | 'root';

export interface FakeOllamaOptions extends FakeServerOptions {
  /** Models installed (e.g. `gemma3:4b`); others get 404 "not found, try pulling it first". Default: any model. */
  models?: string[];
  /** Embedding size when a request does not ask for `dimensions` (default 256). */
  embeddingDimensions?: number;
  /** The exact answer when passages do not support one (default: a phrase the prompt asks for, else NOT_FOUND). */
  notFoundAnswer?: string;
  /** How many content chunks a streamed answer is split into, at most, before the final `done` line (default 4). */
  streamChunks?: number;
  /** What /api/version reports (default 0.12.6). */
  version?: string;
  /**
   * Context length of embedding models in tokens (default 2048, as embeddinggemma). With
   * `truncate: false` (what OllamaEmbeddings sends) a longer input is a 400, as in Ollama.
   */
  embeddingContextTokens?: number;
}

export type FakeOllama = FakeServer<OllamaEndpoint>;

const LISTED_MODELS = ['gemma3:4b', 'embeddinggemma:latest'];

export function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  return startFakeServer((state) => ollamaWire(state, options), options);
}

export function ollamaError(status: number, message: string, headers?: Record<string, string>): Reply {
  return { kind: 'json', status, headers, body: { error: message } };
}

/** Ollama's name normalisation: a model without a tag means `:latest`. */
export function ollamaModelName(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

const isEmbeddingModel = (name: string): boolean => /embed/i.test(name);

interface OllamaMessage {
  role?: string;
  content?: string;
  images?: string[];
}
interface ChatBody {
  model?: string;
  messages?: OllamaMessage[];
  prompt?: string;
  system?: string;
  images?: string[];
  stream?: boolean;
  format?: unknown;
  options?: { num_predict?: number };
}
interface EmbedBody {
  model?: string;
  input?: string | string[];
  prompt?: string;
  dimensions?: number;
  truncate?: boolean;
}

function ollamaWire(state: FakeState, options: FakeOllamaOptions): Wire<OllamaEndpoint> {
  const installed = (options.models ?? LISTED_MODELS).map(ollamaModelName);
  const isInstalled = (name: string): boolean => options.models === undefined || installed.includes(ollamaModelName(name));
  const dimensionsFor = (body: EmbedBody): number => body.dimensions ?? options.embeddingDimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
  const now = (): string => new Date().toISOString();

  function family(name: string): string {
    return name.split(/[:/]/)[0]?.replace(/[\d.]+$/, '') || 'llama';
  }

  function tagEntry(name: string): Record<string, unknown> {
    return {
      name,
      model: name,
      modified_at: '2025-01-01T00:00:00Z',
      size: isEmbeddingModel(name) ? 621_875_417 : 3_338_801_804,
      digest: Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64),
      details: modelDetails(name),
    };
  }

  function modelDetails(name: string): Record<string, unknown> {
    return {
      parent_model: '',
      format: 'gguf',
      family: family(name),
      families: [family(name)],
      parameter_size: isEmbeddingModel(name) ? '307.58M' : '4.3B',
      quantization_level: isEmbeddingModel(name) ? 'BF16' : 'Q4_K_M',
    };
  }

  function show(body: { model?: string; name?: string }): Reply {
    const name = body.model ?? body.name;
    if (!name) return ollamaError(400, 'model is required');
    if (!isInstalled(name)) return ollamaError(404, `model '${name}' not found`);
    const arch = family(name);
    return {
      kind: 'json',
      body: {
        modelfile: `FROM ${ollamaModelName(name)}`,
        parameters: 'temperature 1',
        template: '{{ .Prompt }}',
        details: modelDetails(name),
        model_info: {
          'general.architecture': arch,
          'general.parameter_count': isEmbeddingModel(name) ? 307_581_696 : 4_299_915_632,
          [`${arch}.context_length`]: isEmbeddingModel(name) ? (options.embeddingContextTokens ?? 2048) : 131_072,
          [`${arch}.embedding_length`]: isEmbeddingModel(name) ? (options.embeddingDimensions ?? DEFAULT_EMBEDDING_DIMENSIONS) : 2560,
        },
        capabilities: isEmbeddingModel(name) ? ['embedding'] : ['completion', 'vision'],
        modified_at: '2025-01-01T00:00:00Z',
      },
    };
  }

  /** The checks Ollama makes before running a model; a reply when the request cannot run. */
  function refuseModel(name: string | undefined, use: 'chat' | 'embed'): Reply | undefined {
    if (!name) return ollamaError(400, 'model is required');
    if (!isInstalled(name)) return ollamaError(404, `model "${name}" not found, try pulling it first`);
    if (use === 'chat' && isEmbeddingModel(name)) return ollamaError(400, `"${name}" does not support chat`);
    return undefined;
  }

  function chatView(endpoint: 'chat' | 'generate', body: ChatBody): ChatRequestView {
    const turns: OllamaMessage[] = endpoint === 'chat' ? (body.messages ?? []) : [{ role: 'user', content: body.prompt ?? '', images: body.images }];
    const messages: ChatRequestView['messages'] = turns.map((message) => ({
      role: message.role === 'system' || message.role === 'assistant' || message.role === 'tool' ? message.role : 'user',
      text: message.content ?? '',
    }));
    const system = [body.system ?? '', ...messages.filter((m) => m.role === 'system').map((m) => m.text)]
      .filter((text) => text !== '')
      .join('\n\n');
    const format = body.format;
    const numPredict = body.options?.num_predict;
    return {
      provider: 'ollama',
      endpoint,
      model: body.model ?? '',
      system,
      messages,
      prompt: promptOf(system, messages),
      json: format === 'json' || (typeof format === 'object' && format !== null),
      schema: typeof format === 'object' && format !== null ? format : undefined,
      images: turns.flatMap((message) => (message.images ?? []).map((data) => ({ mimeType: undefined, data }))),
      maxOutputTokens: numPredict !== undefined && numPredict > 0 ? numPredict : undefined,
      body,
    };
  }

  async function chat(endpoint: 'chat' | 'generate', body: ChatBody, garbage: boolean): Promise<Reply> {
    const refused = refuseModel(body.model, 'chat');
    if (refused) return refused;
    const view = chatView(endpoint, body);
    const answer = await answerChat(view, state, garbage, { notFoundAnswer: options.notFoundAnswer });
    const promptTokens = countTokens([view.system, ...view.messages.filter((m) => m.role !== 'system').map((m) => m.text)].join('\n'));
    const evalTokens = countTokens(answer.text);
    const content = (text: string): Record<string, unknown> =>
      endpoint === 'chat' ? { message: { role: 'assistant', content: text } } : { response: text };
    const final = {
      model: body.model,
      created_at: now(),
      done: true,
      done_reason: answer.truncated ? 'length' : 'stop',
      ...(endpoint === 'generate' ? { context: [1, 2, 3] } : {}),
      total_duration: 1_000_000 * (10 + evalTokens),
      load_duration: 1_000_000,
      prompt_eval_count: promptTokens,
      prompt_eval_duration: 100_000 * promptTokens,
      eval_count: evalTokens,
      eval_duration: 1_000_000 * evalTokens,
    };
    if (body.stream === false) {
      return { kind: 'json', body: { ...final, ...content(answer.text) } };
    }
    const events: unknown[] = splitIntoChunks(answer.text, options.streamChunks ?? 4).map((piece) => ({
      model: body.model,
      created_at: now(),
      ...content(piece),
      done: false,
    }));
    events.push({ ...final, ...content('') });
    return { kind: 'stream', framing: 'ndjson', events };
  }

  function vector(text: string, dimensions: number, garbage: boolean): number[] {
    // Garbage: the wrong size and meaningless, as from a misconfigured model.
    return garbage ? embedText(garbageText(text), Math.max(1, Math.floor(dimensions / 2))) : embedText(text, dimensions);
  }

  function embed(body: EmbedBody, garbage: boolean): Reply {
    const refused = refuseModel(body.model, 'embed');
    if (refused) return refused;
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(inputs)) return ollamaError(400, 'invalid input type');
    const contextTokens = options.embeddingContextTokens ?? 2048;
    if (body.truncate === false && inputs.some((text) => countTokens(text) > contextTokens)) {
      return ollamaError(400, 'the input length exceeds the context length');
    }
    return {
      kind: 'json',
      body: {
        model: body.model,
        embeddings: inputs.map((text) => vector(text, dimensionsFor(body), garbage)),
        total_duration: 1_000_000 * (5 + inputs.length),
        load_duration: 1_000_000,
        prompt_eval_count: inputs.reduce((sum, text) => sum + countTokens(text), 0),
      },
    };
  }

  function legacyEmbeddings(body: EmbedBody, garbage: boolean): Reply {
    const refused = refuseModel(body.model, 'embed');
    if (refused) return refused;
    return { kind: 'json', body: { embedding: vector(body.prompt ?? '', dimensionsFor(body), garbage) } };
  }

  const routes: Record<string, { method: 'GET' | 'POST'; endpoint: OllamaEndpoint; kind: 'chat' | 'embed' | 'meta' }> = {
    '/': { method: 'GET', endpoint: 'root', kind: 'meta' },
    '/api/chat': { method: 'POST', endpoint: 'chat', kind: 'chat' },
    '/api/generate': { method: 'POST', endpoint: 'generate', kind: 'chat' },
    '/api/embed': { method: 'POST', endpoint: 'embed', kind: 'embed' },
    '/api/embeddings': { method: 'POST', endpoint: 'embeddings', kind: 'embed' },
    '/api/show': { method: 'POST', endpoint: 'show', kind: 'meta' },
    '/api/tags': { method: 'GET', endpoint: 'tags', kind: 'meta' },
    '/api/ps': { method: 'GET', endpoint: 'ps', kind: 'meta' },
    '/api/version': { method: 'GET', endpoint: 'version', kind: 'meta' },
  };

  function handlerFor(endpoint: OllamaEndpoint, call: IncomingCall): ResolvedRoute<OllamaEndpoint>['handle'] {
    const body = (call.body ?? {}) as ChatBody & EmbedBody;
    switch (endpoint) {
      case 'root':
        return () => ({ kind: 'text', status: 200, body: 'Ollama is running' });
      case 'chat':
      case 'generate':
        return ({ garbage }) => chat(endpoint, body, garbage);
      case 'embed':
        return ({ garbage }) => embed(body, garbage);
      case 'embeddings':
        return ({ garbage }) => legacyEmbeddings(body, garbage);
      case 'show':
        return () => show(body as { model?: string; name?: string });
      case 'tags':
        return () => ({ kind: 'json', body: { models: installed.map(tagEntry) } });
      case 'ps':
        return () => ({ kind: 'json', body: { models: [] } });
      case 'version':
        return () => ({ kind: 'json', body: { version: options.version ?? '0.12.6' } });
    }
  }

  return {
    resolve(call): ResolvedRoute<OllamaEndpoint> | Reply {
      const route = routes[call.url.pathname];
      if (!route) return { kind: 'text', status: 404, body: '404 page not found' };
      const method = call.method === 'HEAD' ? 'GET' : call.method;
      if (method !== route.method) return { kind: 'text', status: 405, body: '405 method not allowed' };
      return { endpoint: route.endpoint, kind: route.kind, handle: handlerFor(route.endpoint, call) };
    },

    errorReply(status: 429 | 500 | 503, mode: ActiveMode): Reply {
      if (status === 500) return ollamaError(500, mode.message ?? 'llama runner process has terminated: exit status 2');
      // What a local Ollama answers when its request queue (OLLAMA_MAX_QUEUE) is full.
      if (status === 503) return ollamaError(503, mode.message ?? 'server busy, please try again.  maximum pending requests exceeded');
      return ollamaError(429, mode.message ?? 'too many requests, please retry later', { 'retry-after': String(mode.retryAfterSeconds) });
    },

    invalidJsonReply(): Reply {
      return ollamaError(400, 'invalid character looking for beginning of value');
    },
  };
}
