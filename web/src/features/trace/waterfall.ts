// Turns a query's trace and usage into waterfall rows: where each stage starts and how long it
// runs on one time axis, with the tokens and estimated cost the usage summary gives its stage,
// and its details in words.
import type { StageUsage, Trace, TraceStage, UsageSummary } from '../../api/types.ts';

export interface WaterfallRow {
  stage: string;
  startMs: number;
  ms: number;
  /** Position on the axis, in percent of the whole request. */
  left: number;
  width: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  models: string[];
  details: string;
}

/** The usage ledger names a stage by the model work, the trace by the step: embed-query is embed. */
const USAGE_STAGE: Record<string, string> = { 'embed-query': 'embed' };

function describe(stage: TraceStage): string {
  const d = stage.detail ?? {};
  const parts: string[] = [];
  if (stage.stage === 'rerank') {
    parts.push(`${String(d.mode)} ${String(d.status)}`);
    if (typeof d.calls === 'number') parts.push(`${d.calls} call${d.calls === 1 ? '' : 's'} in ${String(d.roundTrips)} round trip${d.roundTrips === 1 ? '' : 's'}`);
    if (typeof d.failedCalls === 'number' && d.failedCalls > 0) parts.push(`${d.failedCalls} failed`);
    if (typeof d.candidates === 'number') parts.push(`${d.candidates} candidates`);
    if (typeof d.reason === 'string') parts.push(d.reason);
    return parts.join(', ');
  }
  for (const [key, value] of Object.entries(d)) {
    if (typeof value === 'boolean') parts.push(value ? key : `not ${key}`);
    else if (typeof value === 'number' || typeof value === 'string') parts.push(`${key} ${value}`);
  }
  return parts.join(', ');
}

function usageFor(stage: string, usage: UsageSummary | undefined): StageUsage[] {
  const name = USAGE_STAGE[stage] ?? stage;
  return (usage?.stages ?? []).filter((entry) => entry.stage === name);
}

export function waterfallRows(trace: Trace, usage?: UsageSummary): WaterfallRow[] {
  // Servers before stage offsets: lay the stages end to end.
  let cursor = 0;
  const timed = trace.stages.map((stage) => {
    const startMs = stage.startMs ?? cursor;
    cursor = startMs + stage.ms;
    return { stage, startMs };
  });
  const span = Math.max(trace.totalMs, ...timed.map(({ stage, startMs }) => startMs + stage.ms), 0.01);
  // The trace lists stages as they finished; a waterfall reads in the order they began.
  timed.sort((a, b) => a.startMs - b.startMs);
  return timed.map(({ stage, startMs }) => {
    const spent = usageFor(stage.stage, usage);
    const sum = (pick: (entry: StageUsage) => number) => (spent.length > 0 ? spent.reduce((total, entry) => total + pick(entry), 0) : null);
    return {
      stage: stage.stage,
      startMs,
      ms: stage.ms,
      left: (startMs / span) * 100,
      // A stage of a few microseconds still shows as a sliver.
      width: Math.max((stage.ms / span) * 100, 0.4),
      inputTokens: sum((entry) => entry.inputTokens),
      outputTokens: sum((entry) => entry.outputTokens),
      costUsd: sum((entry) => entry.costUsd),
      models: spent.map((entry) => `${entry.provider} ${entry.model}`),
      details: describe(stage),
    };
  });
}
