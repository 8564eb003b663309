// Chat clients for Gemini and Ollama on top of the LangChain integrations. The clients'
// own retries are off (Sift retries with the provider's requested wait and the caller's
// deadline); cancellation travels as an AbortSignal to the HTTP request.
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import type { GenerativeModel } from '@google/generative-ai';
import { ChatGoogleGenerativeAI } from '@langchain/google-genai';
import { ChatOllama } from '@langchain/ollama';
import type { ChatCallOptions, ChatClient, ChatMessage, ChatStreamEvent } from './chat-client.js';
import type { StageModel, TokenUsage } from './provider-types.js';

/**
 * Images travel as `image_url` blocks holding a base64 `data:` URL: the one form both
 * integrations read. Gemini turns it into an `inlineData` part; ChatOllama sends each image
 * as its own user turn with `images: [base64]` (it reads nothing but `data:` URLs).
 */
function toLangChain(messages: ChatMessage[]): BaseMessage[] {
  return messages.map((message) => {
    if (message.role === 'system') return new SystemMessage(message.content);
    if (message.role === 'assistant') return new AIMessage(message.content);
    if (!message.images?.length) return new HumanMessage(message.content);
    return new HumanMessage({
      content: [
        { type: 'text', text: message.content },
        ...message.images.map((image) => ({ type: 'image_url', image_url: { url: `data:${image.mimeType};base64,${image.base64}` } })),
      ],
    });
  });
}

/** Generation settings of one call, where they differ from the client's own. */
interface CallSettings {
  temperature?: number;
  maxOutputTokens?: number;
}

function settingsOf(options: ChatCallOptions): CallSettings {
  return {
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.maxOutputTokens !== undefined ? { maxOutputTokens: options.maxOutputTokens } : {}),
  };
}

function usageOf(message: { usage_metadata?: { input_tokens?: number; output_tokens?: number } }): TokenUsage | null {
  const usage = message.usage_metadata;
  if (!usage || (usage.input_tokens === undefined && usage.output_tokens === undefined)) return null;
  return { inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0 };
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'string' ? part : ((part as { text?: string }).text ?? ''))).join('');
  }
  return '';
}

/** Rejects with the signal's reason when it aborts, whatever the wrapped call does. */
function raceWithSignal<T>(work: Promise<T>, signal: AbortSignal | undefined, onAbort: () => void): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    onAbort();
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort();
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

/**
 * Wraps a LangChain chat model. The clients check the AbortSignal only between stream
 * chunks, so a provider that stalls would hold the call past its deadline; every wait here
 * races the signal instead, and `cancel` closes the provider's HTTP request.
 */
/** How each provider takes a JSON schema as a call option. */
type StructuredOutputOption = (schema: Record<string, unknown>) => Record<string, unknown>;

/** Gemini's schema dialect is OpenAPI's, with upper-case type names. */
function toGeminiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toGeminiSchema);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, key === 'type' && typeof value === 'string' ? value.toUpperCase() : toGeminiSchema(value)]),
  );
}

class LangChainChatClient<Model extends BaseChatModel> implements ChatClient {
  constructor(
    readonly model: StageModel,
    /** The LangChain model for one call, built with that call's settings where it has any. */
    private readonly chatFor: (settings: CallSettings) => Model,
    private readonly structuredOutput: StructuredOutputOption,
    private readonly cancel: (chat: Model) => void = () => undefined,
  ) {}

  async invoke(messages: ChatMessage[], options: ChatCallOptions) {
    const chat = this.chatFor(settingsOf(options));
    const reply = await raceWithSignal(chat.invoke(toLangChain(messages), this.callOptions(options)), options.signal, () => this.cancel(chat));
    return { text: textOf(reply.content), usage: usageOf(reply) };
  }

  private callOptions(options: ChatCallOptions) {
    return { signal: options.signal, ...(options.jsonSchema ? this.structuredOutput(options.jsonSchema) : {}) };
  }

  async *stream(messages: ChatMessage[], options: ChatCallOptions): AsyncIterable<ChatStreamEvent> {
    const chat = this.chatFor(settingsOf(options));
    const cancel = () => this.cancel(chat);
    const usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
    let reportedUsage = false;
    const stream = await raceWithSignal(chat.stream(toLangChain(messages), this.callOptions(options)), options.signal, cancel);
    const chunks = (stream as AsyncIterable<AIMessageChunk>)[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await raceWithSignal(chunks.next(), options.signal, cancel);
        if (next.done) break;
        const chunk = next.value;
        const text = textOf(chunk.content);
        if (text) yield { type: 'text', text };
        // LangChain gives Gemini's usage as per-chunk increments and Ollama's once, on the
        // final chunk; summing is right for both.
        const part = usageOf(chunk);
        if (part) {
          usage.inputTokens += part.inputTokens;
          usage.outputTokens += part.outputTokens;
          reportedUsage = true;
        }
      }
    } finally {
      void chunks.return?.(undefined).catch(() => undefined);
    }
    if (reportedUsage) yield { type: 'usage', usage };
  }
}

export interface GeminiChatOptions {
  model: string;
  apiKey: string;
  baseUrl?: string;
  temperature: number;
  maxOutputTokens?: number;
}

/**
 * The Google SDK answers a streamed call with the stream and, beside it, a `response`
 * promise that aggregates a copy of the stream. LangChain reads only the stream, so when a
 * stream breaks (cut off, cancelled) that promise rejects with no listener, which would end
 * the process. The failure already reaches Sift through the stream; the copy is marked handled.
 */
function withHandledStreamCopies(chat: ChatGoogleGenerativeAI): ChatGoogleGenerativeAI {
  const model = (chat as unknown as { client: GenerativeModel }).client;
  const generateContentStream = model.generateContentStream.bind(model);
  model.generateContentStream = async (...args) => {
    const result = await generateContentStream(...args);
    result.response.catch(() => undefined);
    return result;
  };
  return chat;
}

export function geminiChatClient(options: GeminiChatOptions): ChatClient {
  const build = (settings: CallSettings) =>
    withHandledStreamCopies(
      new ChatGoogleGenerativeAI({
        model: options.model,
        apiKey: options.apiKey,
        baseUrl: options.baseUrl,
        temperature: settings.temperature ?? options.temperature,
        maxOutputTokens: settings.maxOutputTokens ?? options.maxOutputTokens,
        maxRetries: 0,
        streamUsage: true,
      }),
    );
  const shared = build({});
  // The Gemini client passes the signal to fetch, so one shared instance serves every call;
  // it fixes temperature and output length at construction, so a call that sets its own
  // gets its own (cheap) instance.
  const chatFor = (settings: CallSettings) => (Object.keys(settings).length === 0 ? shared : build(settings));
  return new LangChainChatClient({ provider: 'gemini', model: options.model }, chatFor, (schema) => ({ responseSchema: toGeminiSchema(schema) }));
}

export function ollamaChatClient(options: { model: string; baseUrl: string; temperature: number; maxOutputTokens?: number }): ChatClient {
  // The Ollama client can only abort all of its streamed requests at once, so each call
  // gets its own (cheap) instance and cancelling one never cuts another user's answer.
  const chatFor = (settings: CallSettings) =>
    new ChatOllama({
      model: options.model,
      baseUrl: options.baseUrl,
      temperature: settings.temperature ?? options.temperature,
      numPredict: settings.maxOutputTokens ?? options.maxOutputTokens,
      maxRetries: 0,
    });
  return new LangChainChatClient({ provider: 'ollama', model: options.model }, chatFor, (schema) => ({ format: schema }), (chat) => chat.client.abort());
}
