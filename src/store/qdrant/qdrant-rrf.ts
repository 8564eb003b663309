// Sift's RRF settings as a Qdrant fusion query. The two formulas differ:
//   Sift (src/retrieval/rrf.ts):    Σ w / (k + rank)                 rank from 1
//   Qdrant (reciprocal_rank_fusion.rs, v1.19): Σ 1 / (rank / w + k' − 1), default k' = 2
// With equal weights w they agree exactly when k' = k + 1 and Qdrant's fused score is scaled
// by w. With unequal weights no single k' reproduces Sift: Qdrant's weight stretches the rank
// and the constant together (w / (rank + w·(k' − 1))), so the closest mapping sends the
// weights and picks k' from the mean weight, k' = round(k / w̄) + 1. Rankings then agree near
// the top and may differ further down; SearchService fuses in process where that matters
// (HYBRID_FUSION=sift).
import type { HybridSearchOptions } from '../vector-store.js';
import type { QdrantQueryRequest } from './qdrant-types.js';

export interface QdrantFusion {
  query: NonNullable<QdrantQueryRequest['query']>;
  /** Multiplier that turns Qdrant's fused score into Sift's. */
  scale: number;
}

const SIFT_DEFAULT_K = 60;

export function qdrantFusion(options: Pick<HybridSearchOptions, 'rrfK' | 'weights'>): QdrantFusion {
  const k = options.rrfK ?? SIFT_DEFAULT_K;
  const { lexical, dense } = options.weights ?? { lexical: 1, dense: 1 };
  if (lexical === dense) return { query: { rrf: { k: k + 1 } }, scale: lexical };
  const positive = [lexical, dense].filter((weight) => weight > 0);
  const mean = positive.reduce((sum, weight) => sum + weight, 0) / positive.length;
  // Prefetch order is [BM25, dense], as in searchHybrid.
  return { query: { rrf: { k: Math.max(1, Math.round(k / mean)) + 1, weights: [lexical, dense] } }, scale: 1 };
}
