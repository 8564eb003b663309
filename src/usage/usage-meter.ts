// Collects the model calls of one request so its response can report usage and cost, and
// forwards each to the ledger under the calling key's name. It is also where a key's model
// budget is asked before a call and charged after it.
import { Logger } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { isSiftError, type SiftError } from '../common/errors.js';
import { GenAi, annotateActiveSpan } from '../observability/spans.js';
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

const logger = new Logger('Usage');

export class UsageMeter {
  private readonly records: UsageRecord[] = [];

  constructor(
    private readonly ledger: UsageLedger,
    private readonly prices: PriceTable,
    /** Marks every record of this meter with the standard API it served. */
    private readonly api?: string,
    /** The key the calls are made for; null outside a request with a key (CLI, open server). */
    private readonly caller: Caller | null = null,
  ) {}

  /** Throws BUDGET_EXCEEDED when the caller's key has used up its monthly model budget. */
  async assertWithinBudget(what: string): Promise<void> {
    await this.caller?.budget?.assertAvailable(what);
  }

  /** The BUDGET_EXCEEDED error a model call would meet, or null: for stages that can do without the model. */
  async budgetRefusal(what: string): Promise<SiftError | null> {
    try {
      await this.assertWithinBudget(what);
      return null;
    } catch (error) {
      if (isSiftError(error)) return error;
      throw error;
    }
  }

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
      key: this.caller?.keyName ?? null,
      ...(this.api ? { api: this.api } : {}),
    };
    this.records.push(record);
    this.ledger.record(record);
    const budget = this.caller?.budget;
    if (budget) budget.charge({ tokens: record.totalTokens, usd: record.costUsd }).catch((error: unknown) => logger.error(`Could not charge key "${budget.keyName}": ${String(error)}`));
    // Called inside the model call's span (observability/spans.ts): its usage and cost.
    annotateActiveSpan({
      [GenAi.inputTokens]: record.inputTokens,
      [GenAi.outputTokens]: record.outputTokens,
      'sift.usage.cost_usd': record.costUsd,
      'sift.usage.estimated': record.estimated,
    });
    return record;
  }

  summary(): UsageSummary {
    return summarizeUsage(this.records);
  }
}
