import type { ConversationTurn, RewriteMethod } from '../conversation/conversation-types.js';
import type { QueryTrace } from '../observability/trace.js';
import type { RetrievalMode } from '../retrieval/search-types.js';
import type { RerankRequestOptions } from '../reranking/rerank.service.js';
import type { MetadataFilter } from '../store/vector-store.js';
import type { UsageSummary } from '../usage/usage-record.js';

export interface AskRequest {
  question: string;
  topK: number;
  candidates?: number;
  filter?: MetadataFilter;
  rerank?: boolean | RerankRequestOptions;
  /** False asks for an extractive answer without the generation model (also when over budget). */
  generate?: boolean;
  /** Earlier turns, oldest first; a follow-up is rewritten into a standalone query from them. */
  history?: ConversationTurn[];
  /** Caps the written answer (chat completions' max_tokens). */
  maxOutputTokens?: number;
  temperature?: number;
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

export interface AskResponse {
  question: string;
  /** What retrieval searched: the question, or its standalone rewrite when history was given. */
  query: string;
  /** How `query` came about (see the trace's `rewrite` stage). */
  rewrite: RewriteMethod;
  answer: string;
  /** False when the documents hold nothing that answers the question. */
  found: boolean;
  /** `generated` by the configured model, or `extractive` (no model, or the model failed). */
  mode: 'generated' | 'extractive';
  citations: Citation[];
  /** What the answer is and, for extractive answers, what a model would add or why it was not used. */
  note: string | null;
  retrieval: RetrievalMode;
  usage: UsageSummary;
  trace: QueryTrace;
}

/** Server-sent events of a streamed ask, in order: sources, tokens, done. */
export type AskStreamEvent =
  | { event: 'sources'; data: { sources: Array<{ n: number; chunkId: string; documentId: string; source: string; headingPath: string[]; page: number | null }> } }
  | { event: 'token'; data: { text: string } }
  /** The model failed after streaming part of an answer: discard the tokens so far. */
  | { event: 'reset'; data: { reason: string } }
  | { event: 'done'; data: AskResponse };
