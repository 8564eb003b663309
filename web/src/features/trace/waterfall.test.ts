import { describe, expect, it } from 'vitest';
import { waterfallRows } from './waterfall.ts';

describe('trace waterfall', () => {
  it('places overlapping stages on one axis in the order they began, and gives each its tokens and cost', () => {
    const rows = waterfallRows(
      {
        stages: [
          { stage: 'lexical', startMs: 0.5, ms: 5, detail: { candidates: 30 } },
          { stage: 'embed-query', startMs: 0, ms: 20, detail: { cached: false } },
          { stage: 'dense', startMs: 20, ms: 10, detail: { candidates: 30 } },
          { stage: 'rerank', startMs: 30, ms: 50, detail: { mode: 'listwise', status: 'complete', calls: 4, roundTrips: 2, failedCalls: 0, candidates: 12 } },
        ],
        notes: [],
        totalMs: 100,
      },
      {
        stages: [
          { stage: 'embed', provider: 'gemini', model: 'gemini-embedding-001', calls: 1, inputTokens: 6, outputTokens: 0, totalTokens: 6, costUsd: 0.0000009 },
          { stage: 'rerank', provider: 'gemini', model: 'gemini-3.1-flash-lite', calls: 4, inputTokens: 2000, outputTokens: 40, totalTokens: 2040, costUsd: 0.00056 },
        ],
        totalTokens: 2046,
        costUsd: 0.0005609,
      },
    );
    expect(rows.map((row) => [row.stage, row.left, row.width])).toEqual([
      ['embed-query', 0, 20],
      ['lexical', 0.5, 5],
      ['dense', 20, 10],
      ['rerank', 30, 50],
    ]);
    expect(rows[0]).toMatchObject({ inputTokens: 6, costUsd: 0.0000009, models: ['gemini gemini-embedding-001'], details: 'not cached' });
    expect(rows[1]).toMatchObject({ inputTokens: null, costUsd: null, details: 'candidates 30' });
    expect(rows[3]).toMatchObject({ inputTokens: 2000, outputTokens: 40, details: 'listwise complete, 4 calls in 2 round trips, 12 candidates' });
  });

  it('lays stages end to end when the server gives no start offsets', () => {
    const rows = waterfallRows({ stages: [{ stage: 'lexical', ms: 2 }, { stage: 'extractive-answer', ms: 2 }], notes: [], totalMs: 4 });
    expect(rows.map((row) => [row.startMs, row.left, row.width])).toEqual([
      [0, 0, 50],
      [2, 50, 50],
    ]);
  });
});
