// The vocabulary of the rerank layer: what goes in, what comes out, and the trace that
// says how it went.

export type RerankMode = 'listwise' | 'pointwise' | 'sliding';

export interface RerankCandidate {
  id: string;
  text: string;
  /** sha256 of the text: with the model and query, the cache key. */
  contentHash: string;
  /** 1-based position in the retrieval order. */
  retrievalRank: number;
}

export interface RerankSettings {
  mode: RerankMode;
  /** Passages one listwise call ranks (and the final window of the tournament). */
  window: number;
  /** Passages graded per pointwise call. */
  batchSize: number;
  /** Each passage is cut to this many estimated tokens in the prompt, to bound cost. */
  passageTokens: number;
  deadlineMs: number;
}

export type RerankStatus = 'complete' | 'partial' | 'fallback' | 'cached' | 'skipped';

export interface RerankTrace {
  mode: RerankMode;
  status: RerankStatus;
  /** Why the result is partial, a fallback or skipped. */
  reason?: string;
  candidates: number;
  calls: number;
  failedCalls: number;
  /** Model calls that had to wait for one another: the latency the scheme adds, in calls. */
  roundTrips: number;
  inputTokens: number;
  outputTokens: number;
  ms: number;
  /** With status `cached`: this process's cache, or the one the replicas share in Redis (REDIS_URL). */
  cache?: 'local' | 'shared';
  /** Set when the shared cache could not be asked or written (Redis lost): only this process's cache counted. */
  sharedCache?: 'unavailable';
}

export interface RankedCandidate {
  candidate: RerankCandidate;
  /** 1-based position after reranking. */
  rerankRank: number;
  /** Higher is more relevant: a grade for pointwise, the position mapped to (0, 1] for listwise. */
  rerankScore: number;
}

export interface RerankOutcome {
  ranked: RankedCandidate[];
  trace: RerankTrace;
}
