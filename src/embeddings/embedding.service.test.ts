// The query-embedding cache with REDIS_URL, over a real redis-server with two connections
// standing for two replicas: one model call per query across both, and queries still embedded
// (and cached locally) while Redis is away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RunningRedis } from '../../test/helpers/redis-server.js';
import { loadConfig } from '../config/app-config.js';
import { BoundedRedisCache } from '../shared-state/bounded-redis-cache.js';
import { connectSharedRedis, type SharedRedis } from '../shared-state/shared-redis.js';
import type { UsageMeter } from '../usage/usage-meter.js';
import type { EmbeddingsClient } from './embeddings-client.js';
import { EmbeddingService } from './embedding.service.js';

const meter = { record: () => undefined, assertWithinBudget: async () => undefined } as unknown as UsageMeter;

/** An embedder whose vectors come from the text's characters, and which counts its calls. */
function countingEmbedder() {
  const embedder = {
    calls: 0,
    client: {
      model: { provider: 'ollama', model: 'test-embedder' },
      embedDocuments: async (texts: string[]) => texts.map((text) => [text.length, text.charCodeAt(0) / 7, 0.1]),
      embedQuery: async (text: string) => {
        embedder.calls++;
        return [text.length, text.charCodeAt(0) / 7, 0.1];
      },
    } satisfies EmbeddingsClient,
  };
  return embedder;
}

describe('EmbeddingService query cache', () => {
  let redis: RunningRedis;
  const connections: SharedRedis[] = [];
  const replica = async (embedder: ReturnType<typeof countingEmbedder>) => {
    const shared = await connectSharedRedis(redis.url, 'embed-test:');
    connections.push(shared);
    return new EmbeddingService(loadConfig({}), embedder.client, new BoundedRedisCache(shared, { ttlMs: 60_000, maxBytes: 1 << 20, waitMs: 50 }));
  };
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const connection of connections) await connection.close();
    await redis?.stop();
  });

  it('embeds a query once: again on the same replica from its LRU, on another from Redis, the same float32 values', async () => {
    const embedderA = countingEmbedder();
    const embedderB = countingEmbedder();
    const a = await replica(embedderA);
    const b = await replica(embedderB);
    const first = await a.embedQuery('volcanic soils', meter);
    expect(first).toMatchObject({ cached: false, tier: null, sharedUnavailable: false });
    expect(await a.embedQuery('volcanic soils', meter)).toMatchObject({ cached: true, tier: 'local' });
    const onB = await b.embedQuery('volcanic soils', meter);
    expect(onB).toMatchObject({ cached: true, tier: 'shared', sharedUnavailable: false });
    expect([...onB.vector]).toEqual([...first.vector]);
    expect(embedderA.calls).toBe(1);
    expect(embedderB.calls).toBe(0);
  });

  it('keeps embedding while Redis is away, saying the shared cache was missed', async () => {
    const embedder = countingEmbedder();
    const a = await replica(embedder);
    await redis.kill();
    try {
      const deadline = Date.now() + 2_000;
      while (connections.at(-1)!.connected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await a.embedQuery('lava flows', meter)).toMatchObject({ cached: false, sharedUnavailable: true });
      expect(await a.embedQuery('lava flows', meter)).toMatchObject({ cached: true, tier: 'local', sharedUnavailable: true });
      expect(embedder.calls).toBe(1);
    } finally {
      await redis.start();
    }
  });
});
