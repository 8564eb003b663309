import { describe, expect, it } from 'vitest';
import type { UsageRow } from '../../api/types.ts';
import { seriesByStage, totalsBy } from './usage-series.ts';

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

  it('gives one series per stage over the sorted days, zero where a stage did nothing', () => {
    const chart = seriesByStage(rows, 'totalTokens');
    expect(chart.days).toEqual(['2026-11-27', '2026-11-28']);
    expect(chart.x[1]! - chart.x[0]!).toBe(86_400);
    expect(chart.series).toEqual([
      { label: 'generate', values: [50, 30] },
      { label: 'rerank', values: [0, 100] },
    ]);
  });

  it('totals by model, most expensive first', () => {
    expect(totalsBy(rows, (entry) => entry.model).map((total) => [total.key, total.inputTokens])).toEqual([
      ['lite', 150],
      ['flash', 30],
    ]);
  });
});
