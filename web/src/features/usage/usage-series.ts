// The usage ledger's rows (day × stage × provider × model) as chart series by day and as
// totals by stage and by model.
import type { UsageRow } from '../../api/types.ts';

export type UsageMetric = 'totalTokens' | 'costUsd';

export interface UsageSeries {
  days: string[];
  /** Seconds since the epoch at each day's midnight UTC (uPlot's time axis). */
  x: number[];
  series: Array<{ label: string; values: number[] }>;
}

export type UsageGrouping = 'stage' | 'model';

export const groupKey: Record<UsageGrouping, (row: UsageRow) => string> = {
  stage: (row) => row.stage,
  model: (row) => `${row.provider} ${row.model}`,
};

/** One series per stage (or model) over the sorted days, zero where it did nothing that day. */
export function seriesBy(rows: UsageRow[], metric: UsageMetric, grouping: UsageGrouping): UsageSeries {
  const keyOf = groupKey[grouping];
  const days = [...new Set(rows.map((row) => row.day))].sort();
  const groups = [...new Set(rows.map(keyOf))].sort();
  const index = new Map(days.map((day, i) => [day, i]));
  const series = groups.map((group) => {
    const values = days.map(() => 0);
    for (const row of rows) if (keyOf(row) === group) values[index.get(row.day)!]! += row[metric];
    return { label: group, values };
  });
  return { days, x: days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000), series };
}

export interface UsageTotal {
  key: string;
  calls: number;
  failedCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export function totalsBy(rows: UsageRow[], keyOf: (row: UsageRow) => string): UsageTotal[] {
  const totals = new Map<string, UsageTotal>();
  for (const row of rows) {
    const key = keyOf(row);
    const total = totals.get(key) ?? { key, calls: 0, failedCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    total.calls += row.calls;
    total.failedCalls += row.failedCalls;
    total.inputTokens += row.inputTokens;
    total.outputTokens += row.outputTokens;
    total.costUsd += row.costUsd;
    totals.set(key, total);
  }
  return [...totals.values()].sort((a, b) => b.costUsd - a.costUsd || b.inputTokens - a.inputTokens);
}
