// The port between Sift and the place its chunks live. The embedded SQLite adapter is the
// default; a Qdrant adapter fits the same interface. Every method is async so that a
// network store fits without changing callers.

export type MetadataValue = string | number | boolean;
export type DocumentMetadata = Record<string, MetadataValue>;

/** Equality filter on document metadata: `{lang: "en"}` or any-of `{lang: ["en", "de"]}`. */
export type MetadataFilter = Record<string, MetadataValue | MetadataValue[]>;

export interface CollectionInfo {
  name: string;
  documentCount: number;
  chunkCount: number;
  createdAt: string;
  embeddingModel: string | null;
  embeddingDimension: number | null;
}

export interface ChunkRecord {
  ordinal: number;
  text: string;
  headingPath: string[];
  page?: number;
  start: number;
  end: number;
  tokenCount: number;
  contentHash: string;
  /** Dense vector, when an embedding model is configured. */
  embedding?: Float32Array;
}

export interface DocumentWrite {
  id: string;
  collection: string;
  source: string;
  title: string | null;
  format: string;
  contentHash: string;
  sizeBytes: number;
  metadata: DocumentMetadata;
  chunks: ChunkRecord[];
  /** Model that produced `chunk.embedding`, recorded on the collection at first use. */
  embeddingModel?: string;
}

export interface StoredDocument {
  id: string;
  collection: string;
  source: string;
  title: string | null;
  format: string;
  contentHash: string;
  sizeBytes: number;
  metadata: DocumentMetadata;
  chunkCount: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface StoredChunk {
  id: string;
  documentId: string;
  ordinal: number;
  text: string;
  headingPath: string[];
  page: number | null;
  start: number;
  end: number;
  tokenCount: number;
  contentHash: string;
}

export interface ScoredChunk {
  chunk: StoredChunk;
  document: Pick<StoredDocument, 'id' | 'source' | 'title' | 'metadata' | 'version'>;
  score: number;
}

export interface SearchOptions {
  limit: number;
  filter?: MetadataFilter;
  /** Told which lexical path answered and why, by stores that have more than one (the trace shows it). */
  onLexicalPath?: (path: SearchPathReport) => void;
  /** Told which dense path answered and why, by stores that have more than one (the trace shows it). */
  onDensePath?: (path: SearchPathReport) => void;
}

/**
 * A store's account of how it answered a query, for stores with more than one way: lexical
 * `index`, or `fts5` because the index is building; dense `exact`, or `bit` (a quantized
 * pass, then exact rescoring).
 */
export interface SearchPathReport {
  path: string;
  reason?: string;
}

/**
 * Options for a store's native hybrid search (dense + BM25 fused by reciprocal rank fusion),
 * in Sift's terms: each list, cut at `limit`, adds weight / (rrfK + rank). A store maps them
 * onto its own fusion and says where it cannot match them exactly.
 */
export interface HybridSearchOptions extends SearchOptions {
  /** RRF's k in Sift's formula; 60 when absent (RRF_K's default). */
  rrfK?: number;
  /** Relative weight of each ranking in the fusion; equal when absent. */
  weights?: { lexical: number; dense: number };
}

export interface Page {
  limit: number;
  offset: number;
}

/** Orders a document listing; ties (and the default) fall back to source, which is unique. */
export const DOCUMENT_SORT_KEYS = ['source', 'updatedAt', 'createdAt', 'chunkCount', 'sizeBytes'] as const;
export interface DocumentOrder {
  sort?: (typeof DOCUMENT_SORT_KEYS)[number];
  order?: 'asc' | 'desc';
}

export type WriteOutcome = 'created' | 'updated';

export interface VectorStore {
  /** Whether the store answers; throws with a reason when it does not. */
  checkHealth(): Promise<void>;
  close(): Promise<void>;

  listCollections(): Promise<CollectionInfo[]>;
  getCollection(name: string): Promise<CollectionInfo | null>;
  /** Removes the collection and everything in it; false when it did not exist. */
  deleteCollection(name: string): Promise<boolean>;

  findDocumentBySource(collection: string, source: string): Promise<StoredDocument | null>;
  /** Writes the document and its chunks atomically, replacing any earlier version. */
  putDocument(document: DocumentWrite): Promise<WriteOutcome>;
  /**
   * Writes several documents; each still lands whole or not at all. A store may write them
   * in one transaction (then a failure leaves none of them written) for bulk-load speed.
   */
  putDocuments(documents: DocumentWrite[]): Promise<WriteOutcome[]>;
  listDocuments(collection: string, page: Page & DocumentOrder): Promise<{ documents: StoredDocument[]; total: number }>;
  getDocument(collection: string, id: string): Promise<StoredDocument | null>;
  getChunks(collection: string, documentId: string): Promise<StoredChunk[]>;
  deleteDocument(collection: string, id: string): Promise<boolean>;

  /** Full-text (BM25) search over chunk text, title and heading path. */
  searchLexical(collection: string, query: string, options: SearchOptions): Promise<ScoredChunk[]>;
  /** k-nearest-neighbour search over chunk embeddings (cosine distance). */
  searchDense(collection: string, vector: Float32Array, options: SearchOptions): Promise<ScoredChunk[]>;
  /**
   * Optional: BM25 and dense retrieval fused by RRF in one call, for stores that fuse natively
   * (Qdrant's Query API). Callers without it fuse `searchLexical` and `searchDense` themselves.
   * `score` is the fused score.
   */
  searchHybrid?(collection: string, query: string, vector: Float32Array, options: HybridSearchOptions): Promise<ScoredChunk[]>;
}

export const VECTOR_STORE = Symbol('VECTOR_STORE');
