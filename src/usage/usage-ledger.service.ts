// Every model call is appended to DATA_DIR/usage.jsonl and counted in Prometheus; the ledger
// answers aggregate questions by reading the file back, so it survives restarts. With
// REDIS_URL each call is also counted in Redis (shared-usage.ts) and the answer comes from
// there, so every replica gives the same one; the file stays each replica's own log.
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Counter, type Registry } from 'prom-client';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { SHARED_REDIS, type SharedRedis } from '../shared-state/shared-redis.js';
import type { UsageRecord } from './usage-record.js';
import { SharedUsage, type UsageCounts } from './shared-usage.js';

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
  private readonly shared: SharedUsage | null;

  constructor(config: AppConfig, metrics: MetricsService, @Optional() @Inject(SHARED_REDIS) redis: SharedRedis | null = null) {
    this.file = join(config.dataDir, 'usage.jsonl');
    this.metrics = counters(metrics.registry);
    this.shared = redis ? new SharedUsage(redis) : null;
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
    this.shared?.count(entry);
  }

  /** Waits for queued appends; for readers and shutdown. */
  async flush(): Promise<void> {
    await this.pending;
    await this.shared?.settled();
  }

  /**
   * Rows by day, stage, provider and model (and key). With REDIS_URL they are every replica's
   * calls (`source: "redis"`); while Redis cannot be reached, this replica's own log with a
   * warning that says so.
   */
  async aggregate(query: UsageQuery = {}): Promise<UsageReport> {
    await this.flush();
    if (!this.shared) return sumUsage(this.localCounts(), query);
    try {
      return { ...(await sumUsage(this.shared.counts(query), query)), source: 'redis' };
    } catch (error) {
      const warning = `Redis cannot be reached (${(error as Error).message}): these are this replica's calls only, from its usage.jsonl.`;
      this.logger.warn(warning);
      return { ...(await sumUsage(this.localCounts(), query)), source: 'this-replica', warning };
    }
  }

  private async *localCounts(): AsyncGenerator<UsageCounts> {
    for await (const record of this.records()) {
      yield {
        day: record.at.slice(0, 10),
        stage: record.stage,
        provider: record.provider,
        model: record.model,
        key: record.key ?? null,
        calls: 1,
        failedCalls: record.outcome === 'failed' ? 1 : 0,
        inputTokens: record.inputTokens,
        outputTokens: record.outputTokens,
        totalTokens: record.totalTokens,
        costUsd: record.costUsd,
      };
    }
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

export interface UsageReport {
  rows: UsageAggregate[];
  totals: Omit<UsageAggregate, 'day' | 'stage' | 'provider' | 'model'>;
  /** With REDIS_URL: where the figures come from. */
  source?: 'redis' | 'this-replica';
  warning?: string;
}

/** Sums counted calls into rows by day, stage, provider and model (and key). */
async function sumUsage(entries: AsyncIterable<UsageCounts>, query: UsageQuery): Promise<UsageReport> {
  const rows = new Map<string, UsageAggregate>();
  const totals = { calls: 0, failedCalls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 };
  for await (const entry of entries) {
    const { day } = entry;
    if ((query.from && day < query.from) || (query.to && day > query.to)) continue;
    const keyName = entry.key;
    if (query.key !== undefined && keyName !== query.key) continue;
    const id = [day, entry.stage, entry.provider, entry.model, query.groupByKey ? (keyName ?? '') : ''].join('\0');
    const row = rows.get(id) ?? {
      day,
      ...(query.groupByKey ? { key: keyName } : {}),
      stage: entry.stage,
      provider: entry.provider,
      model: entry.model,
      calls: 0,
      failedCalls: 0,
      inputTokens: 0,
      outputTokens: 0,
      totalTokens: 0,
      costUsd: 0,
    };
    for (const target of [row, totals]) {
      target.calls += entry.calls;
      target.failedCalls += entry.failedCalls;
      target.inputTokens += entry.inputTokens;
      target.outputTokens += entry.outputTokens;
      target.totalTokens += entry.totalTokens;
      target.costUsd += entry.costUsd;
    }
    rows.set(id, row);
  }
  const order = (row: UsageAggregate) => [row.day, row.key ?? '', row.stage, row.model].join('\0');
  const sorted = [...rows.values()].sort((a, b) => order(a).localeCompare(order(b)));
  // Sums stay exact while adding; what is shown is rounded, so 3.42e-5 does not read 0.000034200000000000005.
  return { rows: sorted.map((row) => ({ ...row, costUsd: roundUsd(row.costUsd) })), totals: { ...totals, costUsd: roundUsd(totals.costUsd) } };
}

/** Estimated costs to a millionth of a cent: finer than any price table, free of float noise. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e8) / 1e8;
}
