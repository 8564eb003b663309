// Builds the client for each configured stage from the configuration; `none` gives null
// and the stage runs without a model.
import type { AppConfig } from '../config/app-config.js';
import type { EmbeddingsClient } from '../embeddings/embeddings-client.js';
import { geminiEmbeddingsClient, ollamaEmbeddingsClient } from '../embeddings/langchain-embeddings.js';
import type { ChatClient } from './chat-client.js';
import { geminiChatClient, ollamaChatClient } from './langchain-chat.js';
import type { StageModel } from './provider-types.js';

const GEMINI_DEFAULT_DIMENSIONS = 768;

export function createEmbeddingsClient(config: AppConfig): EmbeddingsClient | null {
  const stage = config.models.embeddings;
  if (!stage) return null;
  const v = config.values;
  if (stage.provider === 'gemini') {
    return geminiEmbeddingsClient({
      model: stage.model,
      apiKey: v.GOOGLE_API_KEY!,
      baseUrl: v.GEMINI_BASE_URL,
      dimensions: v.EMBEDDINGS_DIMENSIONS ?? GEMINI_DEFAULT_DIMENSIONS,
    });
  }
  return ollamaEmbeddingsClient({ model: stage.model, baseUrl: v.OLLAMA_BASE_URL, timeoutMs: v.MODEL_TIMEOUT_MS });
}

export function createChatClient(config: AppConfig, stage: StageModel | null, options: { temperature: number }): ChatClient | null {
  if (!stage) return null;
  const v = config.values;
  if (stage.provider === 'gemini') {
    return geminiChatClient({ model: stage.model, apiKey: v.GOOGLE_API_KEY!, baseUrl: v.GEMINI_BASE_URL, temperature: options.temperature });
  }
  return ollamaChatClient({ model: stage.model, baseUrl: v.OLLAMA_BASE_URL, temperature: options.temperature });
}

export const GENERATION_CHAT_CLIENT = Symbol('GENERATION_CHAT_CLIENT');
export const RERANK_CHAT_CLIENT = Symbol('RERANK_CHAT_CLIENT');
