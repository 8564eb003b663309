// The seam to a chat model, shared by generation and reranking: send messages, get text
// and token usage, whole or streamed. The real implementations wrap LangChain chat models.
import type { StageModel, TokenUsage } from './provider-types.js';

/** An image sent with a user turn: the bytes as base64 and their (checked) media type. */
export interface ChatImage {
  mimeType: string;
  base64: string;
}

export interface ChatMessage {
  /** `assistant` turns are earlier answers of a conversation. */
  role: 'system' | 'user' | 'assistant';
  content: string;
  /** Images that go with a user turn, after its text (ignored on other turns). */
  images?: ChatImage[];
}

export interface ChatCallOptions {
  signal?: AbortSignal;
  /**
   * Ask for JSON matching this (standard, lowercase-typed) JSON schema through the
   * provider's structured-output support. The reply is still text: callers parse it.
   */
  jsonSchema?: Record<string, unknown>;
  /** Overrides the client's temperature for this call. */
  temperature?: number;
  /** Caps the reply at this many tokens for this call. */
  maxOutputTokens?: number;
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
