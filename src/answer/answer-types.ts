import type { QueryTrace } from '../observability/trace.js';
import type { MetadataFilter } from '../store/vector-store.js';

export interface AskRequest {
  question: string;
  topK: number;
  filter?: MetadataFilter;
}

/** A numbered source an answer cites as `[n]`. */
export interface Citation {
  n: number;
  chunkId: string;
  documentId: string;
  source: string;
  title: string | null;
  headingPath: string[];
  page: number | null;
  snippet: string;
}

export interface StageUsage {
  stage: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface AskResponse {
  question: string;
  answer: string;
  /** False when the documents hold nothing that answers the question. */
  found: boolean;
  mode: 'extractive';
  citations: Citation[];
  note: string;
  usage: { stages: StageUsage[]; totalTokens: number; costUsd: number };
  trace: QueryTrace;
}
