import type { ModelStage, ProviderName } from '../providers/provider-types.js';

/** One model call, as the ledger keeps it. */
export interface UsageRecord {
  at: string;
  stage: ModelStage;
  provider: ProviderName;
  model: string;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  latencyMs: number;
  costUsd: number;
  outcome: 'ok' | 'failed';
  /** True when the provider reported no token counts and Sift estimated them. */
  estimated: boolean;
  /** The API key the call was made for; null (or absent in older lines) without one. */
  key?: string | null;
  /** The standard API the call served, when not Sift's own (e.g. `rerank-api` for POST /v1/rerank). */
  api?: string;
}

export interface StageUsage {
  stage: ModelStage;
  provider: ProviderName;
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number;
}

export interface UsageSummary {
  stages: StageUsage[];
  totalTokens: number;
  costUsd: number;
}

/** Sums records by stage, provider and model. */
export function summarizeUsage(records: Iterable<UsageRecord>): UsageSummary {
  const byKey = new Map<string, StageUsage>();
  let totalTokens = 0;
  let costUsd = 0;
  for (const record of records) {
    const key = `${record.stage}\0${record.provider}\0${record.model}`;
    const entry = byKey.get(key) ?? { stage: record.stage, provider: record.provider, model: record.model, calls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 };
    entry.calls += 1;
    entry.inputTokens += record.inputTokens;
    entry.outputTokens += record.outputTokens;
    entry.totalTokens += record.totalTokens;
    entry.costUsd += record.costUsd;
    byKey.set(key, entry);
    totalTokens += record.totalTokens;
    costUsd += record.costUsd;
  }
  return { stages: [...byKey.values()], totalTokens, costUsd };
}
