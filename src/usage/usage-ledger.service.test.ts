import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
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
