// The orderings the rerank layer can run, written against a `rankWindow` / `gradeBatch`
// function so they know nothing of prompts or providers.
//
// Parallel tournament (listwise default). RankGPT's sliding window ranks the bottom window
// first and moves up by half a window, one call after another: 100 candidates with window
// 20 and step 10 cost 9 sequential round trips. Here the candidates are dealt round-robin
// into ceil(n / window) windows (so each window holds a slice of every retrieval depth),
// all ranked at once; the top `window / windows` of each window go to one final window
// that orders the leaders. Two round trips for any n up to window² / 1 leader per window,
// and the final ten come from a window in which every strong candidate competed.
// Everything not in the final keeps its place by (rank within its window, retrieval rank):
// if the model answers nothing useful, that is exactly the retrieval order.
import pLimit from 'p-limit';
import type { RerankCandidate } from './rerank-types.js';

/** Orders the passages of one window; returns positions (0-based) most relevant first, possibly partial. */
export type RankWindow = (window: RerankCandidate[]) => Promise<number[]>;
/** Grades a batch of passages; returns grades by position (0-based), possibly partial. */
export type GradeBatch = (batch: RerankCandidate[]) => Promise<Map<number, number>>;

export interface SchemeResult {
  order: RerankCandidate[];
  /** Grades (pointwise) or null (listwise). */
  scores: Map<string, number> | null;
  completed: number;
  failed: number;
  roundTrips: number;
  /** Why some part kept retrieval order. */
  problems: string[];
}

/** A window's passages in the model's order; those it left out follow in retrieval order. */
export function applyOrder(window: RerankCandidate[], positions: number[]): RerankCandidate[] {
  const placed = new Set(positions);
  return [...positions.map((position) => window[position]!), ...window.filter((_, position) => !placed.has(position))];
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function parallelTournament(candidates: RerankCandidate[], windowSize: number, rankWindow: RankWindow): Promise<SchemeResult> {
  const problems: string[] = [];
  if (candidates.length <= windowSize) {
    try {
      return { order: applyOrder(candidates, await rankWindow(candidates)), scores: null, completed: 1, failed: 0, roundTrips: 1, problems };
    } catch (error) {
      return { order: candidates, scores: null, completed: 0, failed: 1, roundTrips: 1, problems: [describeFailure(error)] };
    }
  }

  const windowCount = Math.ceil(candidates.length / windowSize);
  const windows: RerankCandidate[][] = Array.from({ length: windowCount }, () => []);
  candidates.forEach((candidate, index) => windows[index % windowCount]!.push(candidate));
  const firstRound = await Promise.allSettled(windows.map((window) => rankWindow(window)));
  let completed = 0;
  let failed = 0;
  const ordered = windows.map((window, index) => {
    const result = firstRound[index]!;
    if (result.status === 'fulfilled') {
      completed++;
      return applyOrder(window, result.value);
    }
    failed++;
    problems.push(describeFailure(result.reason));
    return window;
  });

  // (rank within window, retrieval rank) — the order anything outside the final keeps.
  const byWindowRank = (list: RerankCandidate[][]) =>
    list
      .flatMap((window) => window.map((candidate, rank) => ({ candidate, rank })))
      .sort((a, b) => a.rank - b.rank || a.candidate.retrievalRank - b.candidate.retrievalRank)
      .map((entry) => entry.candidate);
  const leadersPerWindow = Math.max(1, Math.floor(windowSize / windowCount));
  const leaders = byWindowRank(ordered.map((window) => window.slice(0, leadersPerWindow)));
  const rest = byWindowRank(ordered.map((window) => window.slice(leadersPerWindow)));

  if (completed === 0) return { order: [...leaders, ...rest], scores: null, completed, failed, roundTrips: 1, problems };
  try {
    const final = applyOrder(leaders, await rankWindow(leaders));
    return { order: [...final, ...rest], scores: null, completed: completed + 1, failed, roundTrips: 2, problems };
  } catch (error) {
    problems.push(`final window: ${describeFailure(error)}`);
    return { order: [...leaders, ...rest], scores: null, completed, failed: failed + 1, roundTrips: 2, problems };
  }
}

/** RankGPT's sequential sliding window, kept for comparison in evaluation and benchmarks. */
export async function slidingWindow(candidates: RerankCandidate[], windowSize: number, step: number, rankWindow: RankWindow): Promise<SchemeResult> {
  const order = [...candidates];
  const problems: string[] = [];
  let completed = 0;
  let failed = 0;
  let roundTrips = 0;
  let end = order.length;
  for (;;) {
    const start = Math.max(0, end - windowSize);
    const window = order.slice(start, end);
    roundTrips++;
    try {
      order.splice(start, window.length, ...applyOrder(window, await rankWindow(window)));
      completed++;
    } catch (error) {
      failed++;
      problems.push(describeFailure(error));
      // Past the deadline every later call fails too; stop rather than queue them.
      break;
    }
    if (start === 0) break;
    end -= step;
  }
  return { order, scores: null, completed, failed, roundTrips, problems };
}

/** Pointwise grading: batches in parallel under a concurrency bound; ungraded passages keep their retrieval slots. */
export async function pointwise(candidates: RerankCandidate[], batchSize: number, concurrency: number, gradeBatch: GradeBatch): Promise<SchemeResult> {
  const limit = pLimit(concurrency);
  const batches: RerankCandidate[][] = [];
  for (let start = 0; start < candidates.length; start += batchSize) batches.push(candidates.slice(start, start + batchSize));
  const results = await Promise.allSettled(batches.map((batch) => limit(() => gradeBatch(batch))));
  const grades = new Map<string, number>();
  const problems: string[] = [];
  let completed = 0;
  let failed = 0;
  results.forEach((result, index) => {
    if (result.status === 'rejected') {
      failed++;
      problems.push(describeFailure(result.reason));
      return;
    }
    completed++;
    for (const [position, grade] of result.value) grades.set(batches[index]![position]!.id, grade);
  });
  const graded = candidates.filter((candidate) => grades.has(candidate.id)).sort((a, b) => grades.get(b.id)! - grades.get(a.id)! || a.retrievalRank - b.retrievalRank);
  // Ungraded passages stay where retrieval put them; graded ones fill the other slots in grade order.
  const queue = [...graded];
  const order = candidates.map((candidate) => (grades.has(candidate.id) ? queue.shift()! : candidate));
  const rounds = Math.ceil(batches.length / concurrency);
  return { order, scores: grades, completed, failed, roundTrips: rounds, problems };
}
