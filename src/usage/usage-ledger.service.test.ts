import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
import { startRedis } from '../../test/helpers/redis-server.js';
import type { ModelStage } from '../providers/provider-types.js';
import { connectSharedRedis } from '../shared-state/shared-redis.js';
import { UsageLedger, roundUsd } from './usage-ledger.service.js';

describe('the usage ledger', () => {
  it('adds costs exactly and shows them rounded, without float noise', async () => {
    const dir = makeTempDir('sift-usage-');
    try {
      const config = loadConfig({ DATA_DIR: dir.path });
      const ledger = new UsageLedger(config, new MetricsService(config));
      for (const costUsd of [0.0000114, 0.0000114, 0.0000114]) {
        ledger.record({ at: '2026-12-01T10:00:00.000Z', stage: 'generate', provider: 'gemini', model: 'm', outcome: 'ok', inputTokens: 10, outputTokens: 5, totalTokens: 15, latencyMs: 1, estimated: false, costUsd });
      }
      const { rows, totals } = await ledger.aggregate();
      expect(totals.costUsd).toBe(0.0000342);
      expect(rows[0]!.costUsd).toBe(0.0000342);
      expect(String(totals.costUsd)).toBe('0.0000342');
    } finally {
      dir.remove();
    }
  });

  it('rounds to a millionth of a cent', () => {
    expect(roundUsd(0.000034200000000000005)).toBe(0.0000342);
    expect(roundUsd(1.234567891)).toBe(1.23456789);
  });
});

describe('the usage ledger with REDIS_URL', () => {
  const record = (stage: ModelStage, key: string | null, outcome: 'ok' | 'failed' = 'ok') =>
    ({ at: '2026-12-01T10:00:00.000Z', stage, provider: 'gemini', model: 'm', outcome, inputTokens: 10, outputTokens: 5, totalTokens: 15, latencyMs: 1, estimated: false, costUsd: 0.0000114, key }) as const;

  it('answers the same on two replicas, from every call made on either; and its own log while Redis is away', async () => {
    const redis = await startRedis();
    const dirs = [makeTempDir('sift-usage-a-'), makeTempDir('sift-usage-b-')];
    const connections = [await connectSharedRedis(redis.url, 'usage-test:'), await connectSharedRedis(redis.url, 'usage-test:')];
    try {
      const [a, b] = dirs.map((dir, index) => {
        const config = loadConfig({ DATA_DIR: dir.path, REDIS_URL: redis.url });
        return new UsageLedger(config, new MetricsService(config), connections[index]!);
      }) as [UsageLedger, UsageLedger];
      a.record(record('generate', 'team-a'));
      a.record(record('rerank', null, 'failed'));
      b.record(record('generate', 'team-a'));
      b.record(record('generate', 'team-b'));
      await a.flush();
      await b.flush();

      const onA = await a.aggregate({ groupByKey: true });
      expect(onA).toEqual(await b.aggregate({ groupByKey: true }));
      expect(onA.source).toBe('redis');
      expect(onA.totals).toMatchObject({ calls: 4, failedCalls: 1, totalTokens: 60, costUsd: 0.0000456 });
      expect(onA.rows.map((row) => [row.key, row.stage, row.calls])).toEqual([
        [null, 'rerank', 1],
        ['team-a', 'generate', 2],
        ['team-b', 'generate', 1],
      ]);
      expect((await b.aggregate({ key: 'team-a' })).totals.calls).toBe(2);
      expect((await b.aggregate({ from: '2026-12-02' })).totals.calls).toBe(0);

      await redis.kill();
      const local = await b.aggregate();
      expect(local.source).toBe('this-replica');
      expect(local.warning).toContain('Redis cannot be reached');
      expect(local.totals.calls).toBe(2);
    } finally {
      for (const connection of connections) await connection.close();
      for (const dir of dirs) dir.remove();
      await redis.stop();
    }
  });
});
