// Model calls counted in Redis by day, stage, provider, model and key, so that /v1/usage
// answers the same on every replica. Per day: a set of the groups seen and one hash of sums
// per group; a sorted set of the days lets a range be read without scanning keys.
import { Logger } from '@nestjs/common';
import type { SharedRedis } from '../shared-state/shared-redis.js';
import type { UsageAggregate } from './usage-ledger.service.js';
import type { UsageRecord } from './usage-record.js';

/** Counted calls of one group on one day (one record counts as one call): a row before summing. */
export type UsageCounts = Omit<UsageAggregate, 'key'> & { key: string | null };

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);

export class SharedUsage {
  private readonly logger = new Logger('Usage');
  private losing = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly redis: SharedRedis) {}

  /** Adds one call; while Redis is away the call is only in this replica's usage.jsonl (said once per outage). */
  count(record: UsageRecord): void {
    const day = record.at.slice(0, 10);
    const group = JSON.stringify([record.stage, record.provider, record.model, record.key ?? null]);
    const sums = this.redis.key('usage', day, group);
    const write = this.redis.client
      .multi()
      .zadd(this.redis.key('usage', 'days'), dayNumber(day), day)
      .sadd(this.redis.key('usage', day, 'groups'), group)
      .hincrby(sums, 'calls', 1)
      .hincrby(sums, 'failedCalls', record.outcome === 'failed' ? 1 : 0)
      .hincrby(sums, 'inputTokens', record.inputTokens)
      .hincrby(sums, 'outputTokens', record.outputTokens)
      .hincrby(sums, 'totalTokens', record.totalTokens)
      .hincrbyfloat(sums, 'costUsd', record.costUsd)
      .exec()
      .then(() => {
        if (this.losing) this.logger.log('Model calls are counted in Redis again.');
        this.losing = false;
      })
      .catch((error: unknown) => {
        if (!this.losing) this.logger.warn(`Redis cannot be reached (${(error as Error).message}): model calls are kept in this replica's usage.jsonl only, and are missing from the shared /v1/usage, until it is back.`);
        this.losing = true;
      })
      .finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
  }

  /** Waits for the counts already sent, so a reader on this replica sees its own calls. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Every group of every day in the range; throws when Redis cannot be reached. */
  async *counts(range: { from?: string; to?: string }): AsyncGenerator<UsageCounts> {
    const min = range.from ? dayNumber(range.from) : '-inf';
    const max = range.to ? dayNumber(range.to) : '+inf';
    const days = await this.redis.client.zrangebyscore(this.redis.key('usage', 'days'), min, max);
    for (const day of days) {
      const groups = await this.redis.client.smembers(this.redis.key('usage', day, 'groups'));
      const read = this.redis.client.pipeline();
      for (const group of groups) read.hgetall(this.redis.key('usage', day, group));
      const sums = (await read.exec()) ?? [];
      for (const [index, group] of groups.entries()) {
        const [error, value] = sums[index]!;
        if (error) throw error;
        const fields = value as Record<string, string>;
        const [stage, provider, model, key] = JSON.parse(group) as [string, string, string, string | null];
        yield {
          day,
          stage,
          provider,
          model,
          key,
          calls: Number(fields.calls ?? 0),
          failedCalls: Number(fields.failedCalls ?? 0),
          inputTokens: Number(fields.inputTokens ?? 0),
          outputTokens: Number(fields.outputTokens ?? 0),
          totalTokens: Number(fields.totalTokens ?? 0),
          costUsd: Number(fields.costUsd ?? 0),
        };
      }
    }
  }
}
