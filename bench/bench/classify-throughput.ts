// Batch classification throughput when every model call takes a fixed time: texts per second
// through ClassifyService (batches of 50, CLASSIFY_CONCURRENCY calls in flight, as
// POST /v1/classify runs them) against sending the texts one at a time, one call each, one
// after another. The model is the fake Gemini from the test tree with a fixed delay per
// call, so the figures measure batching and parallelism, not a provider.
import { startFakeGemini } from '../../test/fakes/fake-gemini.js';
import { ClassifyService } from '../../src/gateway/classify/classify.service.js';
import { round } from '../common/report.js';
import { openSiftContext } from '../common/sift-context.js';

export interface ClassifyThroughputOptions {
  texts: number;
  /** Texts sent one at a time for the baseline (fewer: each costs a whole model call). */
  oneByOneTexts: number;
  batchSize: number;
  concurrency: number;
  modelLatencyMs: number;
}

export interface ClassifyRun {
  texts: number;
  calls: number;
  seconds: number;
  textsPerSecond: number;
  unknown: number;
}

export interface ClassifyThroughputResult {
  modelLatencyMs: number;
  batchSize: number;
  concurrency: number;
  batched: ClassifyRun;
  oneByOne: ClassifyRun;
  /** Batched texts/s ÷ one-at-a-time texts/s. */
  speedup: number;
}

const REVIEWS = ['I love this kettle, it boils fast and looks great', 'The lid arrived broken and the handle is terrible', 'It is a kettle with a blue lid and a short cord'];

function reviews(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `Review ${i}: ${REVIEWS[i % REVIEWS.length]}`);
}

export async function measureClassifyThroughput(options: ClassifyThroughputOptions): Promise<ClassifyThroughputResult> {
  const fake = await startFakeGemini();
  fake.setMode('slow', { endpoint: 'chat', delayMs: options.modelLatencyMs });
  const sift = await openSiftContext({
    CLASSIFY_PROVIDER: 'gemini',
    GOOGLE_API_KEY: 'bench',
    GEMINI_BASE_URL: fake.url,
    CLASSIFY_CONCURRENCY: String(options.concurrency),
    CLASSIFY_MAX_TEXTS: String(Math.max(options.texts, 1)),
  });
  try {
    const service = sift.app.get(ClassifyService);
    /** Times `work` over `texts`, counting the model calls the fake saw. */
    const timed = async (texts: string[], work: () => Promise<number>): Promise<ClassifyRun> => {
      fake.clearRequests();
      const started = performance.now();
      const unknown = await work();
      const seconds = (performance.now() - started) / 1000;
      return { texts: texts.length, calls: fake.requests.length, seconds: round(seconds, 3), textsPerSecond: round(texts.length / seconds, 1), unknown };
    };
    const many = reviews(options.texts);
    const batched = await timed(many, async () => (await service.classify(service.prepare({ texts: many, batchSize: options.batchSize }), many)).summary.unknown);
    // One at a time: a call per text, each waiting for the last (the loop a script would write).
    const few = reviews(options.oneByOneTexts);
    const oneByOne = await timed(few, async () => {
      let unknown = 0;
      for (const text of few) unknown += (await service.classify(service.prepare({ texts: [text], batchSize: 1 }), [text])).summary.unknown;
      return unknown;
    });
    return {
      modelLatencyMs: options.modelLatencyMs,
      batchSize: options.batchSize,
      concurrency: options.concurrency,
      batched,
      oneByOne,
      speedup: round(batched.textsPerSecond / oneByOne.textsPerSecond, 1),
    };
  } finally {
    await sift.close();
    await fake.close();
  }
}
