// Embedding clients for Gemini and Ollama, built on the LangChain integrations. Retries are
// switched off in the clients: Sift retries itself so that it can honour the provider's
// requested wait and the caller's deadline (see providers/retry.ts).
import { TaskType, type EmbedContentRequest, type GenerativeModel } from '@google/generative-ai';
import { GoogleGenerativeAIEmbeddings } from '@langchain/google-genai';
import { OllamaEmbeddings } from '@langchain/ollama';
import type { StageModel } from '../providers/provider-types.js';
import type { EmbeddingsClient } from './embeddings-client.js';

/**
 * LangChain's Gemini client embeds batches with Promise.allSettled and turns a failed batch
 * into empty vectors, hiding the 429 or 500 behind it. Sift sends one batch per call, so
 * this subclass sends it directly and lets the error, with its status, reach the retry logic.
 */
class StrictGeminiEmbeddings extends GoogleGenerativeAIEmbeddings {
  protected override async _embedDocumentsContent(documents: string[]): Promise<number[][]> {
    const self = this as unknown as { client: GenerativeModel; _convertToContent(text: string): EmbedContentRequest };
    const response = await self.client.batchEmbedContents({ requests: documents.map((text) => self._convertToContent(text)) });
    return response.embeddings.map((embedding) => embedding.values ?? []);
  }
}

export interface GeminiEmbeddingsOptions {
  model: string;
  apiKey: string;
  baseUrl?: string;
  dimensions: number;
}

export function geminiEmbeddingsClient(options: GeminiEmbeddingsOptions): EmbeddingsClient {
  const common = { model: options.model, apiKey: options.apiKey, baseUrl: options.baseUrl, maxRetries: 0, outputDimensionality: options.dimensions };
  const documents = new StrictGeminiEmbeddings({ ...common, taskType: TaskType.RETRIEVAL_DOCUMENT });
  const queries = new GoogleGenerativeAIEmbeddings({ ...common, taskType: TaskType.RETRIEVAL_QUERY });
  return {
    model: { provider: 'gemini', model: options.model },
    embedDocuments: (texts) => documents.embedDocuments(texts),
    embedQuery: (text) => queries.embedQuery(text),
  };
}

export function ollamaEmbeddingsClient(options: { model: string; baseUrl: string; timeoutMs: number }): EmbeddingsClient {
  const client = new OllamaEmbeddings({
    model: options.model,
    baseUrl: options.baseUrl,
    maxRetries: 0,
    truncate: true,
    // LangChain runs one Ollama embedding call at a time by default, so a single stalled
    // request would block every later one; Sift bounds concurrency itself (EMBEDDING_CONCURRENCY).
    maxConcurrency: Number.POSITIVE_INFINITY,
    // The client takes no AbortSignal; a fetch with a deadline closes a stalled request.
    fetch: (input: string | URL | Request, init?: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(options.timeoutMs) }),
  });
  return {
    model: { provider: 'ollama', model: options.model },
    embedDocuments: (texts) => client.embedDocuments(texts),
    embedQuery: (text) => client.embedQuery(text),
  };
}
