// Collects the model calls of one request so its response can report usage and cost, and
// forwards each to the ledger.
import type { ModelStage, StageModel, TokenUsage } from '../providers/provider-types.js';
import type { PriceTable } from './price-table.js';
import type { UsageLedger } from './usage-ledger.service.js';
import { summarizeUsage, type UsageRecord, type UsageSummary } from './usage-record.js';

export interface ModelCall {
  stage: ModelStage;
  model: StageModel;
  usage: TokenUsage;
  latencyMs: number;
  outcome: 'ok' | 'failed';
  estimated: boolean;
}

export class UsageMeter {
  private readonly records: UsageRecord[] = [];

  constructor(
    private readonly ledger: UsageLedger,
    private readonly prices: PriceTable,
    /** Marks every record of this meter with the standard API it served. */
    private readonly api?: string,
  ) {}

  record(call: ModelCall): UsageRecord {
    const { provider, model } = call.model;
    const record: UsageRecord = {
      at: new Date().toISOString(),
      stage: call.stage,
      provider,
      model,
      inputTokens: call.usage.inputTokens,
      outputTokens: call.usage.outputTokens,
      totalTokens: call.usage.inputTokens + call.usage.outputTokens,
      latencyMs: Math.round(call.latencyMs),
      costUsd: this.prices.costUsd(provider, model, call.usage.inputTokens, call.usage.outputTokens),
      outcome: call.outcome,
      estimated: call.estimated,
      ...(this.api ? { api: this.api } : {}),
    };
    this.records.push(record);
    this.ledger.record(record);
    return record;
  }

  summary(): UsageSummary {
    return summarizeUsage(this.records);
  }
}
