// The seam to a chat model, shared by generation and reranking: send messages, get text
// and token usage, whole or streamed. The real implementations wrap LangChain chat models.
import type { StageModel, TokenUsage } from './provider-types.js';

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export interface ChatCallOptions {
  signal?: AbortSignal;
  /**
   * Ask for JSON matching this (standard, lowercase-typed) JSON schema through the
   * provider's structured-output support. The reply is still text: callers parse it.
   */
  jsonSchema?: Record<string, unknown>;
}

export interface ChatReply {
  text: string;
  /** Null when the provider reported no token counts. */
  usage: TokenUsage | null;
}

export type ChatStreamEvent = { type: 'text'; text: string } | { type: 'usage'; usage: TokenUsage };

export interface ChatClient {
  readonly model: StageModel;
  invoke(messages: ChatMessage[], options: ChatCallOptions): Promise<ChatReply>;
  stream(messages: ChatMessage[], options: ChatCallOptions): AsyncIterable<ChatStreamEvent>;
}
