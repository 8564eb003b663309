// The classification bench piece runs the real ClassifyService against the fake Gemini; with
// no model delay this checks its plumbing (calls counted, every text labelled), not speed.
import { describe, expect, it } from 'vitest';
import { measureClassifyThroughput } from './classify-throughput.js';

describe('classification throughput measurement', () => {
  it('labels every text, in batches and one at a time, and counts the model calls of each', async () => {
    const result = await measureClassifyThroughput({ texts: 120, oneByOneTexts: 3, batchSize: 50, concurrency: 4, modelLatencyMs: 0 });
    expect(result.batched).toMatchObject({ texts: 120, calls: 3, unknown: 0 });
    expect(result.oneByOne).toMatchObject({ texts: 3, calls: 3, unknown: 0 });
    expect(result.speedup).toBeGreaterThan(0);
  });
});
