import { describe, expect, it } from 'vitest';
import { parallelTournament, pointwise, slidingWindow, type RankWindow } from './rerank-schemes.js';
import type { RerankCandidate } from './rerank-types.js';

/** Candidates in retrieval order whose true relevance is `relevance[i]` (higher is better). */
function candidates(relevance: number[]): RerankCandidate[] {
  return relevance.map((value, index) => ({ id: `c${index}`, text: String(value), contentHash: `h${index}`, retrievalRank: index + 1 }));
}
const oracle: RankWindow = async (window) => window.map((candidate, position) => ({ position, value: Number(candidate.text) })).sort((a, b) => b.value - a.value).map((e) => e.position);
const garbage: RankWindow = async () => [];
const ids = (list: RerankCandidate[]) => list.map((c) => c.id);

describe('parallel tournament', () => {
  // 100 candidates; the relevant ones sit deep in retrieval order.
  const relevance = Array.from({ length: 100 }, (_, i) => ([7, 33, 58, 91].includes(i) ? 10 - [7, 33, 58, 91].indexOf(i) : 0));

  it('brings every relevant candidate to the top in two round trips', async () => {
    let calls = 0;
    const result = await parallelTournament(candidates(relevance), 20, async (window) => {
      calls++;
      return oracle(window);
    });
    expect(ids(result.order).slice(0, 4)).toEqual(['c7', 'c33', 'c58', 'c91']);
    expect(result).toMatchObject({ roundTrips: 2, completed: 6, failed: 0 });
    expect(calls).toBe(6);
    expect(new Set(ids(result.order)).size).toBe(100);
  });

  it('keeps exactly the retrieval order when the model answers nothing useful', async () => {
    const input = candidates(relevance);
    const result = await parallelTournament(input, 20, garbage);
    expect(ids(result.order)).toEqual(ids(input));
  });

  it('keeps a failed window in retrieval order and still ranks the others', async () => {
    const input = candidates(relevance);
    const result = await parallelTournament(input, 20, async (window) => {
      if (window.some((c) => c.id === 'c33')) throw new Error('HTTP 500');
      return oracle(window);
    });
    expect(result.failed).toBe(1);
    expect(result.problems).toEqual(['HTTP 500']);
    // c33 and c58 share the failed window (index mod 5 = 3): they keep their retrieval places.
    expect(ids(result.order).slice(0, 2)).toEqual(['c7', 'c91']);
    expect(ids(result.order).indexOf('c33')).toBeLessThan(ids(result.order).indexOf('c58'));
  });

  it('uses one call when the candidates fit one window', async () => {
    const result = await parallelTournament(candidates([0, 2, 1]), 20, oracle);
    expect(ids(result.order)).toEqual(['c1', 'c2', 'c0']);
    expect(result.roundTrips).toBe(1);
  });
});

describe('sliding window', () => {
  it('takes nine sequential calls for 100 candidates with window 20 and step 10', async () => {
    const relevance = Array.from({ length: 100 }, (_, i) => (i === 95 ? 5 : 0));
    const result = await slidingWindow(candidates(relevance), 20, 10, oracle);
    expect(result.roundTrips).toBe(9);
    expect(ids(result.order)[0]).toBe('c95');
  });
});

describe('pointwise', () => {
  it('orders by grade, ties by retrieval rank, with ungraded passages in their retrieval slots', async () => {
    const input = candidates([0, 3, 1, 3, 2, 0]);
    const result = await pointwise(input, 2, 2, async (batch) => {
      if (batch[0]!.id === 'c4') throw new Error('timeout');
      return new Map(batch.map((candidate, position) => [position, Number(candidate.text)]));
    });
    // c4 and c5 are ungraded: they stay in slots 5 and 6.
    expect(ids(result.order)).toEqual(['c1', 'c3', 'c2', 'c0', 'c4', 'c5']);
    expect(result).toMatchObject({ completed: 2, failed: 1, roundTrips: 2 });
  });
});
