// Job records in Redis, with REDIS_URL: every replica reads and writes the same jobs, so any
// of them answers GET /v1/jobs/{id} and the listing. Per job: a hash of its fields, a hash of
// its counters (added to atomically) and a hash of its items by key; one sorted set of job ids
// by creation time lists them. A finished job's keys expire after JOB_RETENTION_HOURS; ids
// left in the sorted set by an expired job are dropped as the listing meets them.
//
// Every command fails at once while Redis is away (the shared connection has no offline
// queue); callers turn that into REDIS_UNAVAILABLE or leave the job for later.
import type { AppConfig } from '../config/app-config.js';
import type { SharedRedis } from '../shared-state/shared-redis.js';
import type { FinalJobState, JobStore, NewJob } from './job-store.js';
import { FINAL_JOB_STATES, type JobError, type JobItem, type JobRecord, type JobState } from './job-types.js';

/**
 * One item and the progress, in one step: counters are added only for a key not recorded yet,
 * so a run that repeats an item (a takeover racing a stalled run) cannot count it twice.
 * KEYS: job, items, counters. ARGV: item key, item JSON, now, then counter name/amount pairs.
 */
const RECORD_ITEM = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local added = redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if added == 1 then
  for i = 4, #ARGV, 2 do redis.call('HINCRBYFLOAT', KEYS[3], ARGV[i], ARGV[i + 1]) end
end
redis.call('HSET', KEYS[1], 'done', redis.call('HLEN', KEYS[2]), 'updatedAt', ARGV[3])
return 1`;

/** Fields stored as JSON (the rest are plain strings or numbers). */
type JobHash = Record<string, string>;

export class RedisJobStore implements JobStore {
  private readonly retentionSeconds: number;

  constructor(
    private readonly redis: SharedRedis,
    config: AppConfig,
  ) {
    this.retentionSeconds = config.jobs.retentionHours * 3600;
  }

  private jobKey(id: string): string {
    return this.redis.key('job', id);
  }
  private countersKey(id: string): string {
    return this.redis.key('job', id, 'counters');
  }
  private itemsKey(id: string): string {
    return this.redis.key('job', id, 'items');
  }
  private get indexKey(): string {
    return this.redis.key('jobs');
  }

  async create(job: NewJob): Promise<JobRecord> {
    const now = new Date();
    const fields: JobHash = {
      id: job.id,
      kind: job.kind,
      state: 'queued',
      input: JSON.stringify(job.input),
      total: String(job.total),
      done: '0',
      attempts: '0',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      keyName: JSON.stringify(job.keyName ?? null),
    };
    const counters = Object.entries(job.counters ?? {});
    const transaction = this.redis.client.multi().hset(this.jobKey(job.id), fields);
    if (counters.length > 0) transaction.hset(this.countersKey(job.id), Object.fromEntries(counters.map(([name, value]) => [name, String(value)])));
    await transaction.zadd(this.indexKey, now.getTime(), job.id).exec().then(failedStep);
    return (await this.get(job.id))!;
  }

  async get(id: string): Promise<JobRecord | null> {
    const [fields, counters] = await Promise.all([this.redis.client.hgetall(this.jobKey(id)), this.redis.client.hgetall(this.countersKey(id))]);
    return toRecord(fields, counters);
  }

  /** Every job still known, newest first; ids whose job expired leave the index on the way. */
  private async all(): Promise<JobRecord[]> {
    const ids = await this.redis.client.zrevrange(this.indexKey, 0, -1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.client.pipeline();
    for (const id of ids) pipeline.hgetall(this.jobKey(id)).hgetall(this.countersKey(id));
    const replies = (await pipeline.exec()) ?? [];
    const jobs: JobRecord[] = [];
    const gone: string[] = [];
    ids.forEach((id, index) => {
      const record = toRecord(replies[2 * index]?.[1] as JobHash, replies[2 * index + 1]?.[1] as JobHash);
      if (record) jobs.push(record);
      else gone.push(id);
    });
    if (gone.length > 0) await this.redis.client.zrem(this.indexKey, ...gone);
    return jobs;
  }

  async listUnfinished(): Promise<JobRecord[]> {
    return (await this.all()).filter((job) => !FINAL_JOB_STATES.has(job.state)).reverse();
  }

  // Jobs are kept JOB_RETENTION_HOURS, so reading them all to filter stays bounded.
  async list(filter: { state?: JobState; kind?: string }, page: { limit: number; offset: number }): Promise<{ jobs: JobRecord[]; total: number }> {
    const matching = (await this.all()).filter((job) => (!filter.state || job.state === filter.state) && (!filter.kind || job.kind === filter.kind));
    return { jobs: page.limit < 0 ? matching.slice(page.offset) : matching.slice(page.offset, page.offset + page.limit), total: matching.length };
  }

  async queuedIds(): Promise<string[]> {
    return (await this.listUnfinished()).filter((job) => job.state === 'queued').map((job) => job.id);
  }

  async items(id: string): Promise<JobItem[]> {
    const stored = await this.redis.client.hgetall(this.itemsKey(id));
    return Object.entries(stored)
      .map(([key, json]) => ({ key, ...(JSON.parse(json) as { ordinal: number; result: unknown }) }))
      .sort((a, b) => a.ordinal - b.ordinal);
  }

  async itemKeys(id: string): Promise<Set<string>> {
    return new Set(await this.redis.client.hkeys(this.itemsKey(id)));
  }

  async markRunning(id: string): Promise<void> {
    const now = new Date().toISOString();
    await this.redis.client.multi().hset(this.jobKey(id), 'state', 'running', 'updatedAt', now).hincrby(this.jobKey(id), 'attempts', 1).hsetnx(this.jobKey(id), 'startedAt', now).exec().then(failedStep);
  }

  async requeue(id: string): Promise<void> {
    await this.redis.client.hset(this.jobKey(id), 'state', 'queued', 'updatedAt', new Date().toISOString());
  }

  async recordItem(id: string, item: JobItem, counters: Record<string, number> = {}): Promise<void> {
    const pairs = Object.entries(counters).flatMap(([name, value]) => [name, String(value)]);
    await this.redis.client.eval(
      RECORD_ITEM,
      3,
      this.jobKey(id),
      this.itemsKey(id),
      this.countersKey(id),
      item.key,
      JSON.stringify({ ordinal: item.ordinal, result: item.result }),
      new Date().toISOString(),
      ...pairs,
    );
  }

  async setProgress(id: string, done: number, counters?: Record<string, number>): Promise<void> {
    const transaction = this.redis.client.multi().hset(this.jobKey(id), 'done', done, 'updatedAt', new Date().toISOString());
    if (counters) {
      transaction.del(this.countersKey(id));
      if (Object.keys(counters).length > 0) transaction.hset(this.countersKey(id), Object.fromEntries(Object.entries(counters).map(([name, value]) => [name, String(value)])));
    }
    await transaction.exec().then(failedStep);
  }

  async finish(id: string, state: FinalJobState, outcome: { result?: unknown; error?: JobError } = {}): Promise<void> {
    const now = new Date().toISOString();
    const fields: JobHash = { state, finishedAt: now, updatedAt: now };
    if (outcome.result !== undefined) fields.result = JSON.stringify(outcome.result);
    if (outcome.error) fields.error = JSON.stringify(outcome.error);
    const transaction = this.redis.client.multi().hset(this.jobKey(id), fields);
    for (const key of [this.jobKey(id), this.countersKey(id), this.itemsKey(id)]) transaction.expire(key, this.retentionSeconds);
    await transaction.exec().then(failedStep);
  }

  /** Finished jobs expire by themselves; this drops the index entries of those already gone. */
  async pruneFinishedBefore(): Promise<number> {
    const before = await this.redis.client.zcard(this.indexKey);
    return before - (await this.all()).length;
  }

  async remove(id: string): Promise<void> {
    await this.redis.client.multi().del(this.jobKey(id), this.countersKey(id), this.itemsKey(id)).zrem(this.indexKey, id).exec().then(failedStep);
  }

  close(): void {
    // The shared connection is closed by CoreModule.
  }
}

/** A MULTI whose step failed resolves with that step's error; make it reject instead. */
function failedStep(replies: Array<[Error | null, unknown]> | null): void {
  const failure = replies?.find(([error]) => error !== null)?.[0];
  if (failure) throw failure;
  if (replies === null) throw new Error('The Redis transaction was aborted.');
}

function toRecord(fields: JobHash | undefined, counters: JobHash | undefined): JobRecord | null {
  if (!fields?.id) return null;
  return {
    id: fields.id,
    kind: fields.kind!,
    state: fields.state as JobState,
    input: JSON.parse(fields.input!) as unknown,
    total: Number(fields.total),
    done: Number(fields.done),
    counters: Object.fromEntries(Object.entries(counters ?? {}).map(([name, value]) => [name, Number(value)])),
    result: fields.result === undefined ? null : (JSON.parse(fields.result) as unknown),
    error: fields.error === undefined ? null : (JSON.parse(fields.error) as JobError),
    attempts: Number(fields.attempts),
    createdAt: fields.createdAt!,
    updatedAt: fields.updatedAt!,
    startedAt: fields.startedAt ?? null,
    finishedAt: fields.finishedAt ?? null,
    keyName: JSON.parse(fields.keyName ?? 'null') as string | null,
  };
}
