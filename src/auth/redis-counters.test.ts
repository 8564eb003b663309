// The shared rate limits and budgets against a real redis-server, with two connections
// standing for two replicas; and what each does while Redis is away.
import Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RunningRedis } from '../../test/helpers/redis-server.js';
import { isSiftError } from '../common/errors.js';
import { connectSharedRedis, type SharedRedis } from '../shared-state/shared-redis.js';
import { openAuthDatabase } from './auth-database.js';
import { BudgetAccount } from './budget.js';
import { RedisBudgetCounter, RedisRateLimiter } from './redis-counters.js';
import { SqliteRateLimiter } from './sqlite-counters.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

describe('rate limits and budgets in Redis', () => {
  let redis: RunningRedis;
  let replicaA: SharedRedis;
  let replicaB: SharedRedis;
  const dirs = [makeTempDir(), makeTempDir()];
  const databases: Database.Database[] = [];
  const limiterFor = (shared: SharedRedis, index: number) => {
    databases[index] ??= openAuthDatabase(dirs[index]!.path);
    return new RedisRateLimiter(shared, new SqliteRateLimiter(databases[index]!));
  };

  beforeAll(async () => {
    redis = await startRedis();
    replicaA = await connectSharedRedis(redis.url, 'counters:');
    replicaB = await connectSharedRedis(redis.url, 'counters:');
  });
  afterAll(async () => {
    await replicaA?.close();
    await replicaB?.close();
    for (const db of databases) db.close();
    for (const dir of dirs) dir.remove();
    await redis?.stop();
  });

  it('counts one bucket for both replicas: a burst of 5 lets exactly 5 of 40 concurrent requests through', async () => {
    const limit = { perMinute: 6, burst: 5 };
    const [a, b] = [limiterFor(replicaA, 0), limiterFor(replicaB, 1)];
    const now = Date.now();
    const decisions = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).take('shared-key', limit, now)));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(5);
    // The same wait as takeFromBucket: one token at 6 a minute is 10 s away.
    expect(decisions.find((decision) => !decision.allowed)!.retryAfterMs).toBe(10_000);
    // Refilled by the rate, on either replica.
    expect((await b.take('shared-key', limit, now + 10_000)).allowed).toBe(true);
    expect((await a.take('shared-key', limit, now + 10_001)).allowed).toBe(false);
  });

  it('adds spend from both replicas into one monthly total, and a budget spent on one stops the other', async () => {
    const [a, b] = [new RedisBudgetCounter(replicaA), new RedisBudgetCounter(replicaB)];
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).add('team', '2026-12', { tokens: 10, usd: 0.001 })));
    expect(await a.spent('team', '2026-12')).toEqual({ tokens: 100, usd: expect.closeTo(0.01, 10) });
    expect(await b.spent('team', '2027-01')).toEqual({ tokens: 0, usd: 0 });
    const at = () => new Date('2026-12-10T00:00:00Z');
    const onB = new BudgetAccount('team', { tokens: 100, usd: null }, b, at);
    const refused = await onB.assertAvailable('a call').catch((error: unknown) => error);
    expect(isSiftError(refused) && refused.code).toBe('BUDGET_EXCEEDED');
  });

  it('while Redis is away: limits count on each replica alone, budgets refuse with REDIS_UNAVAILABLE; both recover', async () => {
    const limit = { perMinute: 60, burst: 2 };
    const [a, b] = [limiterFor(replicaA, 0), limiterFor(replicaB, 1)];
    const budget = new BudgetAccount('team', { tokens: 1000, usd: null }, new RedisBudgetCounter(replicaA));
    await redis.kill();
    const now = Date.now();
    // Each replica's own bucket: 2 + 2 through, not 2 in all, and not unlimited.
    const decisions = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b).take('outage-key', limit, now)));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(4);
    const refused = await budget.assertAvailable('a model call').catch((error: unknown) => error);
    expect(isSiftError(refused) && refused.code).toBe('REDIS_UNAVAILABLE');
    expect(isSiftError(refused) && refused.message).toContain('REDIS_URL');

    await redis.start();
    const deadline = Date.now() + 10_000;
    while (!(replicaA.connected && replicaB.connected) && Date.now() < deadline) await sleep(50);
    const afterwards = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).take('outage-key', limit, now)));
    expect(afterwards.filter((decision) => decision.allowed)).toHaveLength(2);
    await expect(budget.assertAvailable('a model call')).resolves.toBeUndefined();
  });
});
