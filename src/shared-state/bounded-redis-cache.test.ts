// The shared cache tier against a real redis-server, with two connections standing for two
// replicas: entries cross over, expire, stay under the memory bound, and a Redis that is
// gone or stuck fails a lookup within the wait instead of holding the request.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RunningRedis } from '../../test/helpers/redis-server.js';
import { BoundedRedisCache, SharedCacheUnavailable } from './bounded-redis-cache.js';
import { connectSharedRedis, type SharedRedis } from './shared-redis.js';

const LIMITS = { ttlMs: 60_000, maxBytes: 1 << 20, waitMs: 50 };

/** Blocks the whole server (Redis runs one command at a time) for about `ms`, from a connection of its own. */
async function stallRedis(url: string, ms: number): Promise<void> {
  const blocker = await connectSharedRedis(url, 'stall:');
  const script = `local t = redis.call('TIME'); local start = t[1] * 1000000 + t[2]
    repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - start > ${ms * 1000}
    return 1`;
  blocker.client.options.commandTimeout = ms * 4;
  await blocker.client.eval(script, 0).finally(() => blocker.close());
}

describe('BoundedRedisCache', () => {
  let redis: RunningRedis;
  let replicaA: SharedRedis;
  let replicaB: SharedRedis;

  beforeAll(async () => {
    redis = await startRedis();
    replicaA = await connectSharedRedis(redis.url, 'cache-test:');
    replicaB = await connectSharedRedis(redis.url, 'cache-test:');
  });
  afterAll(async () => {
    await replicaA?.close();
    await replicaB?.close();
    await redis?.stop();
  });

  it('serves an entry written by one replica to another, bytes intact', async () => {
    const value = Buffer.from([0, 255, 1, 254, 10, 13]);
    await new BoundedRedisCache(replicaA, LIMITS).set('ns', 'k1', value);
    expect(await new BoundedRedisCache(replicaB, LIMITS).get('ns', 'k1')).toEqual(value);
    expect(await new BoundedRedisCache(replicaB, LIMITS).get('ns', 'missing')).toBeNull();
    expect(await new BoundedRedisCache(replicaB, LIMITS).get('other-ns', 'k1')).toBeNull();
  });

  it('forgets an entry after its TTL', async () => {
    const cache = new BoundedRedisCache(replicaA, { ...LIMITS, ttlMs: 150 });
    await cache.set('ttl', 'k', Buffer.from('soon gone'));
    expect(await cache.get('ttl', 'k')).not.toBeNull();
    await sleep(250);
    expect(await cache.get('ttl', 'k')).toBeNull();
  });

  it('keeps all entries under the memory bound by evicting the oldest, and counts what it holds exactly', async () => {
    await replicaA.client.flushall();
    const maxBytes = 20_000;
    const cache = new BoundedRedisCache(replicaA, { ...LIMITS, maxBytes });
    let used = 0;
    for (let i = 0; i < 100; i++) ({ usedBytes: used } = await cache.set('bound', `entry-${i}`, Buffer.alloc(1000, i)));
    expect(used).toBeLessThanOrEqual(maxBytes);
    expect(await cache.get('bound', 'entry-99')).not.toBeNull();
    expect(await cache.get('bound', 'entry-0')).toBeNull();
    // The bookkeeping agrees with what is there: every indexed entry exists, and the sizes add up.
    const members = await replicaA.client.zrange(replicaA.key('cache', 'index'), 0, -1);
    const sizes = await replicaA.client.hgetall(replicaA.key('cache', 'sizes'));
    expect(Object.keys(sizes).sort()).toEqual([...members].sort());
    expect(Object.values(sizes).reduce((sum, size) => sum + Number(size), 0)).toBe(used);
    expect(await replicaA.client.exists(...members)).toBe(members.length);
    expect(members.length).toBeGreaterThan(10);
    // Rewriting an entry replaces its size rather than adding to it.
    const before = Number(await replicaA.client.get(replicaA.key('cache', 'bytes')));
    await cache.set('bound', 'entry-99', Buffer.alloc(1000, 1));
    expect(Number(await replicaA.client.get(replicaA.key('cache', 'bytes')))).toBe(before);
  });

  it('forgets the bookkeeping of entries that expired', async () => {
    await replicaA.client.flushall();
    const cache = new BoundedRedisCache(replicaA, { ...LIMITS, ttlMs: 100 });
    for (let i = 0; i < 5; i++) await cache.set('expiring', `e${i}`, Buffer.alloc(500));
    await sleep(200);
    const { usedBytes } = await cache.set('expiring', 'fresh', Buffer.alloc(500));
    expect(await replicaA.client.zcard(replicaA.key('cache', 'index'))).toBe(1);
    expect(usedBytes).toBeLessThan(1000);
  });

  it('fails a lookup within its wait while Redis is stuck, and at once while it is gone; works again once it is back', async () => {
    const cache = new BoundedRedisCache(replicaA, LIMITS);
    await cache.set('outage', 'k', Buffer.from('v'));

    const stall = stallRedis(redis.url, 400);
    await sleep(50);
    let started = performance.now();
    await expect(cache.get('outage', 'k')).rejects.toBeInstanceOf(SharedCacheUnavailable);
    expect(performance.now() - started).toBeLessThan(250);
    await stall;

    await redis.kill();
    started = performance.now();
    await expect(cache.get('outage', 'k')).rejects.toBeInstanceOf(SharedCacheUnavailable);
    await expect(cache.set('outage', 'k', Buffer.from('v'))).rejects.toBeInstanceOf(SharedCacheUnavailable);
    expect(performance.now() - started).toBeLessThan(100);
    let deadline = Date.now() + 2_000;
    while (cache.available && Date.now() < deadline) await sleep(20);
    expect(cache.available).toBe(false);

    await redis.start();
    deadline = Date.now() + 10_000;
    while (!cache.available && Date.now() < deadline) await sleep(50);
    expect(cache.available).toBe(true);
    // The restarted server is empty (no persistence in tests): a miss, then a write that lands.
    expect(await cache.get('outage', 'k')).toBeNull();
    await cache.set('outage', 'k', Buffer.from('again'));
    expect((await cache.get('outage', 'k'))?.toString()).toBe('again');
  });
});
