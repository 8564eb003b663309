// Every model call is appended to DATA_DIR/usage.jsonl and counted in Prometheus; the ledger
// answers aggregate questions by reading the file back, so it survives restarts.
import { Injectable, Logger } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Counter, type Registry } from 'prom-client';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import type { UsageRecord } from './usage-record.js';

export interface UsageQuery {
  from?: string;
  to?: string;
  /** Only the calls made for this API key. */
  key?: string;
  /** Rows per key as well (`key` on each row). */
  groupByKey?: boolean;
}

export interface UsageAggregate {
  day: string;
  /** With `groupByKey`: the API key the calls were made for, null for calls without one. */
  key?: string | null;
  stage: string;
  provider: string;
  model: string;
  calls: number;
  failedCalls: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number;
}

function counters(registry: Registry) {
  return {
    tokens: new Counter({ name: 'sift_model_tokens_total', help: 'Model tokens by stage, provider, model and direction', labelNames: ['stage', 'provider', 'model', 'direction'] as const, registers: [registry] }),
    calls: new Counter({ name: 'sift_model_calls_total', help: 'Model calls by stage, provider, model and outcome', labelNames: ['stage', 'provider', 'model', 'outcome'] as const, registers: [registry] }),
    cost: new Counter({ name: 'sift_model_cost_usd_total', help: 'Estimated model cost in USD by stage, provider and model', labelNames: ['stage', 'provider', 'model'] as const, registers: [registry] }),
  };
}

@Injectable()
export class UsageLedger {
  private readonly logger = new Logger('Usage');
  private readonly file: string;
  private readonly metrics: ReturnType<typeof counters>;
  // Appends are chained so lines never interleave and a reader sees whole records.
  private pending: Promise<void> = Promise.resolve();

  constructor(config: AppConfig, metrics: MetricsService) {
    this.file = join(config.dataDir, 'usage.jsonl');
    this.metrics = counters(metrics.registry);
  }

  record(entry: UsageRecord): void {
    const labels = { stage: entry.stage, provider: entry.provider, model: entry.model };
    this.metrics.calls.inc({ ...labels, outcome: entry.outcome });
    this.metrics.tokens.inc({ ...labels, direction: 'input' }, entry.inputTokens);
    this.metrics.tokens.inc({ ...labels, direction: 'output' }, entry.outputTokens);
    this.metrics.cost.inc(labels, entry.costUsd);
    this.pending = this.pending
      .then(async () => {
        await mkdir(join(this.file, '..'), { recursive: true });
        await appendFile(this.file, `${JSON.stringify(entry)}\n`);
      })
      .catch((error: unknown) => this.logger.error(`Could not append to ${this.file}: ${String(error)}`));
  }

  /** Waits for queued appends; for readers and shutdown. */
  async flush(): Promise<void> {
    await this.pending;
  }

  async aggregate(query: UsageQuery = {}): Promise<{ rows: UsageAggregate[]; totals: Omit<UsageAggregate, 'day' | 'stage' | 'provider' | 'model'> }> {
    await this.flush();
    const rows = new Map<string, UsageAggregate>();
    const totals = { calls: 0, failedCalls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 };
    for await (const record of this.records()) {
      const day = record.at.slice(0, 10);
      if ((query.from && day < query.from) || (query.to && day > query.to)) continue;
      const keyName = record.key ?? null;
      if (query.key !== undefined && keyName !== query.key) continue;
      const key = [day, record.stage, record.provider, record.model, query.groupByKey ? (keyName ?? '') : ''].join('\0');
      const row = rows.get(key) ?? {
        day,
        ...(query.groupByKey ? { key: keyName } : {}),
        stage: record.stage,
        provider: record.provider,
        model: record.model,
        calls: 0,
        failedCalls: 0,
        inputTokens: 0,
        outputTokens: 0,
        totalTokens: 0,
        costUsd: 0,
      };
      for (const target of [row, totals]) {
        target.calls += 1;
        target.failedCalls += record.outcome === 'failed' ? 1 : 0;
        target.inputTokens += record.inputTokens;
        target.outputTokens += record.outputTokens;
        target.totalTokens += record.totalTokens;
        target.costUsd += record.costUsd;
      }
      rows.set(key, row);
    }
    const order = (row: UsageAggregate) => [row.day, row.key ?? '', row.stage, row.model].join('\0');
    const sorted = [...rows.values()].sort((a, b) => order(a).localeCompare(order(b)));
    // Sums stay exact while adding; what is shown is rounded, so 3.42e-5 does not read 0.000034200000000000005.
    return { rows: sorted.map((row) => ({ ...row, costUsd: roundUsd(row.costUsd) })), totals: { ...totals, costUsd: roundUsd(totals.costUsd) } };
  }

  private async *records(): AsyncGenerator<UsageRecord> {
    const stream = createReadStream(this.file, { encoding: 'utf8' });
    try {
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
        if (line.trim() === '') continue;
        try {
          yield JSON.parse(line) as UsageRecord;
        } catch {
          // A line cut short by a crash is skipped; the rest of the ledger still counts.
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** Estimated costs to a millionth of a cent: finer than any price table, free of float noise. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e8) / 1e8;
}
