// Embeds chunks at ingest and queries at search time, around whichever EmbeddingsClient is
// configured: batches under a concurrency bound, retries with the provider's requested
// wait, a time budget per call, and a check that every vector came back whole. A failure
// throws, so the ingest of that document stops before anything is written.
import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import pLimit from 'p-limit';
import { answerWithin } from '../common/answer-within.js';
import { AppConfig } from '../config/app-config.js';
import { estimateTokens } from '../ingestion/chunking/token-estimate.js';
import { inModelCallSpan } from '../observability/spans.js';
import { withRetries } from '../providers/retry.js';
import type { StageModel } from '../providers/provider-types.js';
import { SHARED_CACHE, type BoundedRedisCache } from '../shared-state/bounded-redis-cache.js';
import { TieredCache, type CacheCodec, type CacheLookup } from '../shared-state/tiered-cache.js';
import type { UsageMeter } from '../usage/usage-meter.js';
import { EMBEDDINGS_CLIENT, type EmbeddingsClient } from './embeddings-client.js';

class MalformedVectorsError extends SyntaxError {}

/** A query vector in Redis: its float32 values, little-endian as in memory. */
const VECTOR_CODEC: CacheCodec<Float32Array> = {
  encode: (vector) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength),
  decode: (bytes) => {
    if (bytes.length === 0 || bytes.length % 4 !== 0) throw new SyntaxError('not a float32 vector');
    // Copied: a Buffer from Redis may start at an offset a Float32Array cannot view.
    return new Float32Array(Uint8Array.from(bytes).buffer);
  },
};

/** A query's vector, and what the cache had to do with it (for the trace). */
export interface QueryEmbedding extends Pick<CacheLookup<Float32Array>, 'tier' | 'sharedUnavailable'> {
  vector: Float32Array;
  cached: boolean;
}

/**
 * Rejects a batch the provider answered with missing, empty, ragged or non-numeric vectors,
 * or with a size other than the one the same model gave this collection before.
 */
function toVectors(raw: number[][], expectedCount: number, expectedDimension: number | null): Float32Array[] {
  if (raw.length !== expectedCount) throw new MalformedVectorsError(`expected ${expectedCount} vectors, got ${raw.length}`);
  const dimension = expectedDimension ?? raw[0]?.length ?? 0;
  return raw.map((values, index) => {
    if (values.length === 0 || values.length !== dimension || !values.every(Number.isFinite)) {
      throw new MalformedVectorsError(`vector ${index} has ${values.length} values, expected ${dimension} finite numbers`);
    }
    return Float32Array.from(values);
  });
}

// The LangChain embedding clients take no AbortSignal, so the wait is bounded here.
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return answerWithin(work, ms, () => Object.assign(new Error(`no answer within ${ms} ms`), { name: 'TimeoutError' }));
}

@Injectable()
export class EmbeddingService {
  private readonly logger = new Logger('Embeddings');
  private readonly queryCache: TieredCache<Float32Array> | null;
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(
    private readonly config: AppConfig,
    @Optional() @Inject(EMBEDDINGS_CLIENT) private readonly client: EmbeddingsClient | null,
    /** With REDIS_URL, the replicas' shared tier behind this process's LRU. */
    @Optional() @Inject(SHARED_CACHE) shared: BoundedRedisCache | null = null,
  ) {
    const size = config.values.QUERY_EMBEDDING_CACHE_SIZE;
    this.queryCache = size > 0 ? new TieredCache(size, shared ? { store: shared, namespace: 'query-embedding', codec: VECTOR_CODEC } : null) : null;
    this.limit = pLimit(config.values.EMBEDDING_CONCURRENCY);
  }

  get model(): StageModel | null {
    return this.client?.model ?? null;
  }

  /** How a collection records the model: provider and model name together. */
  get modelId(): string | null {
    return this.client ? `${this.client.model.provider}/${this.client.model.model}` : null;
  }

  /** `expectedDimension`: the size this model's vectors already have in the collection, if any. */
  async embedPassages(texts: string[], meter: UsageMeter, expectedDimension: number | null = null): Promise<Float32Array[]> {
    const client = this.requireClient();
    const batchSize = this.config.values.EMBEDDING_BATCH_SIZE;
    const batches: string[][] = [];
    for (let start = 0; start < texts.length; start += batchSize) batches.push(texts.slice(start, start + batchSize));
    const results = await Promise.all(batches.map((batch) => this.limit(() => this.call(client, meter, batch, expectedDimension, () => client.embedDocuments(batch)))));
    return results.flat();
  }

  async embedQuery(text: string, meter: UsageMeter, expectedDimension: number | null = null): Promise<QueryEmbedding> {
    const client = this.requireClient();
    // Hashed: the same key in this process and in Redis, whatever the query's length.
    const key = createHash('sha256').update(`${this.modelId}\0${text}`).digest('hex');
    const lookup = this.queryCache ? await this.queryCache.get(key) : null;
    if (lookup?.value) return { vector: lookup.value, cached: true, tier: lookup.tier, sharedUnavailable: lookup.sharedUnavailable };
    const [vector] = await this.call(client, meter, [text], expectedDimension, async () => [await client.embedQuery(text)]);
    const stored = this.queryCache ? await this.queryCache.set(key, vector!) : null;
    return { vector: vector!, cached: false, tier: null, sharedUnavailable: (lookup?.sharedUnavailable ?? false) || (stored?.sharedUnavailable ?? false) };
  }

  private call(client: EmbeddingsClient, meter: UsageMeter, texts: string[], expectedDimension: number | null, request: () => Promise<number[][]>): Promise<Float32Array[]> {
    return inModelCallSpan('embeddings', 'embed', client.model, () => this.meteredCall(client, meter, texts, expectedDimension, request));
  }

  private async meteredCall(
    client: EmbeddingsClient,
    meter: UsageMeter,
    texts: string[],
    expectedDimension: number | null,
    request: () => Promise<number[][]>,
  ): Promise<Float32Array[]> {
    // Embedding APIs report no token counts; the estimate is marked as such in the ledger.
    const inputTokens = texts.reduce((sum, text) => sum + estimateTokens(text), 0);
    await meter.assertWithinBudget('embedding');
    const started = performance.now();
    try {
      const vectors = await withRetries(client.model, async () => toVectors(await withTimeout(request(), this.config.values.MODEL_TIMEOUT_MS), texts.length, expectedDimension), {
        maxRetries: this.config.values.MODEL_MAX_RETRIES,
        onRetry: (failure, attempt, delayMs) => this.logger.warn(`Embedding attempt ${attempt} failed (${failure.kind}); retrying in ${Math.round(delayMs)} ms`),
      });
      meter.record({ stage: 'embed', model: client.model, usage: { inputTokens, outputTokens: 0 }, latencyMs: performance.now() - started, outcome: 'ok', estimated: true });
      return vectors;
    } catch (error) {
      meter.record({ stage: 'embed', model: client.model, usage: { inputTokens: 0, outputTokens: 0 }, latencyMs: performance.now() - started, outcome: 'failed', estimated: true });
      throw error;
    }
  }

  private requireClient(): EmbeddingsClient {
    if (!this.client) throw new Error('EmbeddingService used without an embeddings provider; check `model` first');
    return this.client;
  }
}
