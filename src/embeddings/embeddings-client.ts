// The seam to an embedding model: raw vectors for texts. Real implementations are the
// LangChain clients (see langchain-embeddings.ts); tests can supply their own.
import type { StageModel } from '../providers/provider-types.js';

export interface EmbeddingsClient {
  readonly model: StageModel;
  /** Vectors for passages being stored; one per text, in order. */
  embedDocuments(texts: string[]): Promise<number[][]>;
  /** The vector for a search query (some models embed queries differently). */
  embedQuery(text: string): Promise<number[]>;
}

export const EMBEDDINGS_CLIENT = Symbol('EMBEDDINGS_CLIENT');
