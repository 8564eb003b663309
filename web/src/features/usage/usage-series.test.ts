import { describe, expect, it } from 'vitest';
import type { UsageRow } from '../../api/types.ts';
import { seriesBy, totalsBy } from './usage-series.ts';

const row = (day: string, stage: string, model: string, tokens: number, cost: number): UsageRow => ({
  day,
  stage,
  provider: 'gemini',
  model,
  calls: 1,
  failedCalls: 0,
  inputTokens: tokens,
  outputTokens: 0,
  totalTokens: tokens,
  costUsd: cost,
});

describe('usage chart data', () => {
  const rows = [row('2026-11-28', 'rerank', 'lite', 100, 0.1), row('2026-11-27', 'generate', 'lite', 50, 0.2), row('2026-11-28', 'generate', 'flash', 30, 0.3)];

  it('gives one series per stage or model over the sorted days, zero where one did nothing', () => {
    const chart = seriesBy(rows, 'totalTokens', 'stage');
    expect(chart.days).toEqual(['2026-11-27', '2026-11-28']);
    expect(chart.x[1]! - chart.x[0]!).toBe(86_400);
    expect(chart.series).toEqual([
      { label: 'generate', values: [50, 30] },
      { label: 'rerank', values: [0, 100] },
    ]);
    expect(seriesBy(rows, 'costUsd', 'model').series).toEqual([
      { label: 'gemini flash', values: [0, 0.3] },
      { label: 'gemini lite', values: [0.2, 0.1] },
    ]);
  });

  it('totals by model, most expensive first', () => {
    expect(totalsBy(rows, (entry) => entry.model).map((total) => [total.key, total.inputTokens])).toEqual([
      ['lite', 150],
      ['flash', 30],
    ]);
  });
});
