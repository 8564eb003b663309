// The local LRU in front of the shared tier, over a real redis-server: a local hit asks Redis
// nothing, another replica's entry is a shared hit and then a local one, and while Redis is
// away the local entries still answer and the lookup says the shared tier was missed.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RunningRedis } from '../../test/helpers/redis-server.js';
import { BoundedRedisCache } from './bounded-redis-cache.js';
import { connectSharedRedis, type SharedRedis } from './shared-redis.js';
import { cacheTraceFields, TieredCache, type CacheCodec } from './tiered-cache.js';

const LIMITS = { ttlMs: 60_000, maxBytes: 1 << 20, waitMs: 50 };
const JSON_CODEC: CacheCodec<{ answer: string }> = {
  encode: (value) => Buffer.from(JSON.stringify(value)),
  decode: (bytes) => {
    const parsed = JSON.parse(bytes.toString()) as { answer?: unknown };
    if (typeof parsed.answer !== 'string') throw new SyntaxError('no answer');
    return { answer: parsed.answer };
  },
};

describe('TieredCache', () => {
  let redis: RunningRedis;
  const connections: SharedRedis[] = [];
  const replica = async () => {
    const shared = await connectSharedRedis(redis.url, 'tiered-test:');
    connections.push(shared);
    return { shared, cache: new TieredCache(100, { store: new BoundedRedisCache(shared, LIMITS), namespace: 'answers', codec: JSON_CODEC }) };
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const connection of connections) await connection.close();
    await redis?.stop();
  });

  it("finds another replica's entry in Redis, then in its own LRU without asking Redis", async () => {
    const a = await replica();
    const b = await replica();
    expect(await b.cache.get('q1')).toEqual({ value: null, tier: null, sharedUnavailable: false });
    expect(await a.cache.set('q1', { answer: 'forty-two' })).toEqual({ sharedUnavailable: false });
    expect(await b.cache.get('q1')).toEqual({ value: { answer: 'forty-two' }, tier: 'shared', sharedUnavailable: false });
    // Gone from Redis, still in B's LRU: the second lookup never reached Redis.
    await a.shared.client.del(a.shared.key('cache', 'answers', 'q1'));
    expect(await b.cache.get('q1')).toMatchObject({ value: { answer: 'forty-two' }, tier: 'local' });
  });

  it('treats an entry it cannot decode as a miss', async () => {
    const a = await replica();
    await a.shared.client.set(a.shared.key('cache', 'answers', 'odd'), '{"something":"else"}');
    expect(await a.cache.get('odd')).toEqual({ value: null, tier: null, sharedUnavailable: false });
  });

  it('answers from its LRU while Redis is away and says the shared tier was missed, then shares again once it is back', async () => {
    const a = await replica();
    const b = await replica();
    await a.cache.set('kept', { answer: 'local copy' });
    await redis.kill();
    const deadline = Date.now() + 2_000;
    while (a.shared.connected && Date.now() < deadline) await sleep(20);

    const local = await a.cache.get('kept');
    expect(local).toEqual({ value: { answer: 'local copy' }, tier: 'local', sharedUnavailable: true });
    expect(cacheTraceFields(local)).toEqual({ cache: 'local', sharedCache: 'unavailable' });
    expect(await a.cache.get('never-seen')).toEqual({ value: null, tier: null, sharedUnavailable: true });
    expect(await a.cache.set('during', { answer: 'not shared' })).toEqual({ sharedUnavailable: true });

    await redis.start();
    const back = Date.now() + 10_000;
    while (!(a.shared.connected && b.shared.connected) && Date.now() < back) await sleep(50);
    await a.cache.set('after', { answer: 'shared again' });
    expect(await b.cache.get('after')).toMatchObject({ value: { answer: 'shared again' }, tier: 'shared', sharedUnavailable: false });
  });
});
