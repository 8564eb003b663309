// Reciprocal rank fusion: each retriever votes 1/(k + rank) for its candidates, scaled by
// its weight. Ranks, not raw scores, are fused, because BM25 and cosine scores live on
// scales that cannot be compared.
import type { ScoredChunk } from '../store/vector-store.js';

export interface RankedList {
  name: 'lexical' | 'dense';
  weight: number;
  hits: ScoredChunk[];
}

export interface FusedCandidate {
  hit: ScoredChunk;
  score: number;
  scores: Partial<Record<RankedList['name'], number>>;
  ranks: Partial<Record<RankedList['name'], number>>;
}

export function fuseByReciprocalRank(lists: RankedList[], k: number): FusedCandidate[] {
  const fused = new Map<string, FusedCandidate>();
  for (const list of lists) {
    list.hits.forEach((hit, index) => {
      const entry = fused.get(hit.chunk.id) ?? { hit, score: 0, scores: {}, ranks: {} };
      entry.score += list.weight / (k + index + 1);
      entry.scores[list.name] = hit.score;
      entry.ranks[list.name] = index + 1;
      fused.set(hit.chunk.id, entry);
    });
  }
  // Ties (same fused score) go to the candidate a retriever ranked higher, then by id,
  // so the order is stable across runs.
  const bestRank = (candidate: FusedCandidate) => Math.min(...Object.values(candidate.ranks));
  return [...fused.values()].sort((a, b) => b.score - a.score || bestRank(a) - bestRank(b) || a.hit.chunk.id.localeCompare(b.hit.chunk.id));
}
