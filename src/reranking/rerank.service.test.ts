import { afterAll, describe, expect, it } from 'vitest';
import { startRedis, type RunningRedis } from '../../test/helpers/redis-server.js';
import { loadConfig } from '../config/app-config.js';
import { BoundedRedisCache } from '../shared-state/bounded-redis-cache.js';
import { connectSharedRedis, type SharedRedis } from '../shared-state/shared-redis.js';
import type { ChatClient, ChatMessage } from '../providers/chat-client.js';
import type { UsageMeter } from '../usage/usage-meter.js';
import { RerankService } from './rerank.service.js';
import type { RerankCandidate } from './rerank-types.js';

/** A model that ranks the passages of each prompt in reverse, and counts its calls. */
function reversingModel() {
  const model = {
    calls: 0,
    client: {
      model: { provider: 'gemini', model: 'test-model' },
      async invoke(messages: ChatMessage[]) {
        model.calls++;
        const count = (messages.at(-1)!.content.match(/^\[\d+\]/gm) ?? []).length;
        return { text: JSON.stringify({ ranking: Array.from({ length: count }, (_, i) => count - i) }), usage: { inputTokens: 10, outputTokens: 5 } };
      },
      stream: () => {
        throw new Error('not used');
      },
    } satisfies ChatClient,
  };
  return model;
}

const meter = { record: () => undefined, assertWithinBudget: async () => undefined } as unknown as UsageMeter;
const settings = { mode: 'listwise' as const, window: 20, batchSize: 10, passageTokens: 64, deadlineMs: 1000 };

function candidates(idPrefix: string): RerankCandidate[] {
  return ['alpha', 'beta', 'gamma'].map((text, index) => ({ id: `${idPrefix}${index}`, text, contentHash: `hash-${text}`, retrievalRank: index + 1 }));
}

describe('RerankService', () => {
  it('answers a repeated question from the cache, even when the chunks got new ids', async () => {
    const model = reversingModel();
    const service = new RerankService(loadConfig({}), model.client);
    const first = await service.rerank('which letter', candidates('old-'), settings, meter);
    expect(first.trace.status).toBe('complete');
    expect(first.ranked.map((r) => r.candidate.id)).toEqual(['old-2', 'old-1', 'old-0']);

    // The document was re-ingested: same texts and hashes, new chunk ids.
    const again = await service.rerank('which letter', candidates('new-'), settings, meter);
    expect(again.trace).toMatchObject({ status: 'cached', calls: 0 });
    expect(again.ranked.map((r) => r.candidate.id)).toEqual(['new-2', 'new-1', 'new-0']);
    expect(model.calls).toBe(1);
  });

  it('keeps the retrieval order and reports a fallback when the deadline passes', async () => {
    const hanging: ChatClient = {
      model: { provider: 'ollama', model: 'slow' },
      invoke: (_messages, options) =>
        new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(options.signal!.reason), { once: true })),
      stream: () => {
        throw new Error('not used');
      },
    };
    const service = new RerankService(loadConfig({}), hanging);
    const outcome = await service.rerank('which letter', candidates('c-'), { ...settings, deadlineMs: 100 }, meter);
    expect(outcome.trace).toMatchObject({ status: 'fallback', failedCalls: 1, reason: expect.stringMatching(/deadline/) });
    expect(outcome.ranked.map((r) => r.candidate.id)).toEqual(['c-0', 'c-1', 'c-2']);
  });

  describe('with REDIS_URL', () => {
    let redis: RunningRedis | undefined;
    const connections: SharedRedis[] = [];
    afterAll(async () => {
      for (const connection of connections) await connection.close();
      await redis?.stop();
    });
    const replica = async (model: ReturnType<typeof reversingModel>) => {
      redis ??= await startRedis();
      const shared = await connectSharedRedis(redis.url, 'rerank-test:');
      connections.push(shared);
      return new RerankService(loadConfig({}), model.client, new BoundedRedisCache(shared, { ttlMs: 60_000, maxBytes: 1 << 20, waitMs: 50 }));
    };

    it("answers a question reranked on another replica from the shared cache, with that replica's order and scores", async () => {
      const modelA = reversingModel();
      const modelB = reversingModel();
      const a = await replica(modelA);
      const b = await replica(modelB);
      const first = await a.rerank('shared letters', candidates('a-'), settings, meter);
      expect(first.trace).toMatchObject({ status: 'complete', calls: 1 });
      expect(first.trace).not.toHaveProperty('sharedCache');

      const onB = await b.rerank('shared letters', candidates('b-'), settings, meter);
      expect(onB.trace).toMatchObject({ status: 'cached', cache: 'shared', calls: 0 });
      expect(onB.ranked.map((r) => [r.candidate.id, r.rerankScore])).toEqual(first.ranked.map((r) => [r.candidate.id.replace('a-', 'b-'), r.rerankScore]));
      expect(modelB.calls).toBe(0);
      // Now in B's own LRU as well.
      expect((await b.rerank('shared letters', candidates('b-'), settings, meter)).trace).toMatchObject({ status: 'cached', cache: 'local' });
    });
  });
});
