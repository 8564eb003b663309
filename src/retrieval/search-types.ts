import type { MetadataFilter, DocumentMetadata } from '../store/vector-store.js';
import type { QueryTrace } from '../observability/trace.js';

export interface SearchRequest {
  query: string;
  topK: number;
  filter?: MetadataFilter;
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
  metadata: DocumentMetadata;
  score: number;
  scores: { lexical?: number; dense?: number };
  retrievalRank: number;
  /** Set once a reranker has ordered the candidates; null when none ran. */
  rerankRank: number | null;
}

export interface SearchResponse {
  query: string;
  retrieval: 'lexical';
  results: RankedChunk[];
  trace: QueryTrace;
}
