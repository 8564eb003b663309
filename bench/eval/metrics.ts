// Ranking-quality metrics for the evaluation, computed the way BEIR (pytrec_eval) computes
// them so that Sift's figures can be put beside published ones:
// - nDCG@k uses the graded relevance itself as the gain (not 2^rel - 1) and the log2(rank + 1)
//   discount; the ideal ranking sorts every judged-relevant document by grade.
// - Recall@k divides the relevant documents found in the top k by all relevant documents.
// - MRR@k is 1 / rank of the first relevant document within the top k, else 0.
// A document counts as relevant when its grade is above 0. A query whose qrels hold no
// relevant document is skipped: it can neither be won nor lost, and averaging its zero in
// would only dilute the figure.

/** Judged documents of one query: document id -> graded relevance (0 = judged not relevant). */
export type Judgments = ReadonlyMap<string, number>;

/** Query id -> its judgments. */
export type Qrels = ReadonlyMap<string, Judgments>;

/** Query id -> document ids, best first, without duplicates. */
export type Run = ReadonlyMap<string, readonly string[]>;

export interface RetrievalMetrics {
  ndcg10: number;
  recall10: number;
  recall100: number;
  mrr10: number;
  /** Queries that counted: those with at least one relevant document. */
  queries: number;
}

export function ndcgAt(k: number, ranked: readonly string[], judgments: Judgments): number {
  const ideal = [...judgments.values()].filter((grade) => grade > 0).sort((a, b) => b - a);
  const idealDcg = discountedGain(ideal.slice(0, k));
  if (idealDcg === 0) return 0;
  const gains = ranked.slice(0, k).map((id) => Math.max(0, judgments.get(id) ?? 0));
  return discountedGain(gains) / idealDcg;
}

export function recallAt(k: number, ranked: readonly string[], judgments: Judgments): number {
  const relevant = countRelevant(judgments);
  if (relevant === 0) return 0;
  const found = ranked.slice(0, k).filter((id) => (judgments.get(id) ?? 0) > 0).length;
  return found / relevant;
}

export function reciprocalRankAt(k: number, ranked: readonly string[], judgments: Judgments): number {
  const index = ranked.slice(0, k).findIndex((id) => (judgments.get(id) ?? 0) > 0);
  return index === -1 ? 0 : 1 / (index + 1);
}

/**
 * Means over the queries that have relevant documents. A query with qrels but no entry in
 * the run counts as a complete miss (it was asked and nothing came back).
 */
export function evaluateRun(qrels: Qrels, run: Run): RetrievalMetrics {
  const sums = { ndcg10: 0, recall10: 0, recall100: 0, mrr10: 0 };
  let queries = 0;
  for (const [queryId, judgments] of qrels) {
    if (countRelevant(judgments) === 0) continue;
    const ranked = run.get(queryId) ?? [];
    sums.ndcg10 += ndcgAt(10, ranked, judgments);
    sums.recall10 += recallAt(10, ranked, judgments);
    sums.recall100 += recallAt(100, ranked, judgments);
    sums.mrr10 += reciprocalRankAt(10, ranked, judgments);
    queries += 1;
  }
  const mean = (sum: number) => (queries === 0 ? 0 : sum / queries);
  return {
    ndcg10: mean(sums.ndcg10),
    recall10: mean(sums.recall10),
    recall100: mean(sums.recall100),
    mrr10: mean(sums.mrr10),
    queries,
  };
}

/** Whether a query has anything to find. */
export function hasRelevant(judgments: Judgments): boolean {
  return countRelevant(judgments) > 0;
}

function countRelevant(judgments: Judgments): number {
  let count = 0;
  for (const grade of judgments.values()) if (grade > 0) count += 1;
  return count;
}

function discountedGain(gains: readonly number[]): number {
  return gains.reduce((sum, gain, index) => sum + gain / Math.log2(index + 2), 0);
}
