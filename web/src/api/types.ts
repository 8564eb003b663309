// The public HTTP API's shapes, as the console reads them (see the README's API table). The
// console is a client like any other: these are written from the contract, not imported from
// the server's code.

export type MetadataValue = string | number | boolean;
export type MetadataFilter = Record<string, MetadataValue | MetadataValue[]>;

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface Collection {
  name: string;
  documentCount: number;
  chunkCount: number;
  createdAt: string;
  embeddingModel: string | null;
  embeddingDimension: number | null;
}

export interface DocumentSummary {
  id: string;
  collection: string;
  source: string;
  title: string | null;
  format: string;
  contentHash: string;
  sizeBytes: number;
  metadata: Record<string, MetadataValue>;
  chunkCount: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type DocumentSortKey = 'source' | 'updatedAt' | 'createdAt' | 'chunkCount' | 'sizeBytes';
export type SortOrder = 'asc' | 'desc';

export interface DocumentPage {
  collection: string;
  documents: DocumentSummary[];
  total: number;
  limit: number;
  offset: number;
}

export interface Chunk {
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

export interface DocumentWithChunks extends DocumentSummary {
  chunks: Chunk[];
}

export type FileStatus = 'created' | 'updated' | 'unchanged' | 'failed';

export interface FileOutcome {
  file: string;
  status: FileStatus;
  documentId?: string;
  source?: string;
  chunkCount?: number;
  error?: { code: string; message: string };
}

export interface UploadSummary {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'interrupted';

export interface Job {
  id: string;
  kind: string;
  state: JobState;
  progress: { total: number; done: number } & Record<string, number>;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error?: { code: string; message: string };
  collection?: string;
  documents?: FileOutcome[];
  summary?: UploadSummary;
}

/** What an upload answers: the files' outcomes, or a background job that will ingest them. */
export type UploadAnswer = { kind: 'outcomes'; documents: FileOutcome[]; summary: UploadSummary } | { kind: 'job'; job: Job };

export interface StageUsage {
  stage: string;
  provider: string;
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number;
}

export interface UsageSummary {
  stages: StageUsage[];
  totalTokens: number;
  costUsd: number;
}

export interface TraceStage {
  stage: string;
  /** Absent on servers older than the console. */
  startMs?: number;
  ms: number;
  detail?: Record<string, unknown>;
}

export interface Trace {
  stages: TraceStage[];
  notes: string[];
  totalMs: number;
}

export interface RankedChunk {
  rank: number;
  chunkId: string;
  documentId: string;
  source: string;
  title: string | null;
  headingPath: string[];
  page: number | null;
  text: string;
  metadata: Record<string, MetadataValue>;
  score: number;
  scores: { lexical?: number; dense?: number; fused?: number; rerank?: number };
  retrievalRank: number;
  rerankRank: number | null;
}

export type RerankMode = 'listwise' | 'pointwise' | 'sliding';

export interface SearchRequest {
  query: string;
  topK?: number;
  filter?: MetadataFilter;
  rerank?: boolean | { mode?: RerankMode; candidates?: number };
}

export interface SearchResponse {
  query: string;
  retrieval: 'lexical' | 'hybrid';
  results: RankedChunk[];
  usage: UsageSummary;
  trace: Trace;
}

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

export interface Turn {
  role: 'user' | 'assistant';
  content: string;
}

export interface AskRequest {
  question: string;
  topK?: number;
  filter?: MetadataFilter;
  rerank?: boolean;
  history?: Turn[];
}

export interface AskResponse {
  question: string;
  /** What retrieval searched: the question, or its standalone rewrite from the history (servers with multi-turn ask). */
  query?: string;
  /** How `query` came about: none, rule or model. */
  rewrite?: 'none' | 'rule' | 'model';
  answer: string;
  found: boolean;
  mode: 'generated' | 'extractive';
  citations: Citation[];
  note: string | null;
  retrieval: 'lexical' | 'hybrid';
  usage: UsageSummary;
  trace: Trace;
}

export interface StreamSource {
  n: number;
  chunkId: string;
  documentId: string;
  source: string;
  headingPath: string[];
  page: number | null;
}

export interface UsageRow {
  day: string;
  stage: string;
  provider: string;
  model: string;
  calls: number;
  failedCalls: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number;
}

export interface UsageReport {
  rows: UsageRow[];
  totals: Omit<UsageRow, 'day' | 'stage' | 'provider' | 'model'>;
}

export interface StageSetting {
  provider: 'gemini' | 'ollama' | 'none';
  model: string | null;
  effect: string;
}

export interface Settings {
  stages: Record<'embeddings' | 'rerank' | 'generation' | 'chat' | 'vision' | 'classify', StageSetting>;
  store: { kind: 'sqlite' | 'qdrant' } & Record<string, string | number | boolean>;
  retrieval: { mode: 'lexical' | 'hybrid'; fusion: string; rrf: { k: number; weightLexical: number; weightDense: number } };
  rerank: { byDefault: boolean; mode: RerankMode; candidates: number; window: number; deadlineMs: number; passageTokens: number };
  limits: Record<string, number>;
  auth: { apiKeysRequired: boolean };
}
