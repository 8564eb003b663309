import type { MetadataFilter, DocumentMetadata } from '../store/vector-store.js';
import type { QueryTrace } from '../observability/trace.js';
import type { UsageSummary } from '../usage/usage-record.js';
import type { RerankRequestOptions } from '../reranking/rerank.service.js';

export interface SearchRequest {
  query: string;
  topK: number;
  /** Candidates each retriever contributes before fusion; defaults to max(topK, 30). */
  candidates?: number;
  filter?: MetadataFilter;
  /** Ask the rerank model to order the candidates; omitted means the configured default. */
  rerank?: boolean | RerankRequestOptions;
}

/** One passage in a search answer, with where it came from and how it was ranked. */
export interface RankedChunk {
  rank: number;
  chunkId: string;
  documentId: string;
  source: string;
  title: string | null;
  headingPath: string[];
  page: number | null;
  text: string;
  start: number;
  end: number;
  contentHash: string;
  metadata: DocumentMetadata;
  score: number;
  /** Each retriever's own score, and the fused score when more than one ran. */
  scores: { lexical?: number; dense?: number; fused?: number; rerank?: number };
  retrievalRank: number;
  /** Set once a reranker has ordered the candidates; null when none ran. */
  rerankRank: number | null;
  /** Other passages with the same or nearly the same text, collapsed into this one (SEARCH_COLLAPSE_DUPLICATES). */
  alsoIn?: DuplicateSource[];
}

/** Where else a collapsed passage's text was found. */
export interface DuplicateSource {
  chunkId: string;
  documentId: string;
  source: string;
}

export type RetrievalMode = 'lexical' | 'hybrid';

export interface SearchResponse {
  query: string;
  retrieval: RetrievalMode;
  results: RankedChunk[];
  usage: UsageSummary;
  trace: QueryTrace;
}
