// The rerank layer: a fast chat model orders the retrieval candidates within a deadline.
// Whatever the model does — answers late, fails, or answers nonsense — every candidate
// comes back, and what was not ranked keeps its retrieval order; the trace says which.
import { createHash } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { ChatClient, ChatMessage } from '../providers/chat-client.js';
import { RERANK_CHAT_CLIENT } from '../providers/model-clients.js';
import { inModelCallSpan } from '../observability/spans.js';
import { classifyProviderError } from '../providers/provider-failure.js';
import type { StageModel } from '../providers/provider-types.js';
import { SHARED_CACHE, type BoundedRedisCache } from '../shared-state/bounded-redis-cache.js';
import { cacheTraceFields, TieredCache, type CacheCodec } from '../shared-state/tiered-cache.js';
import type { UsageMeter } from '../usage/usage-meter.js';
import { parseGrades, parseRanking } from './parse-model-output.js';
import { GRADES_SCHEMA, RANKING_SCHEMA, RERANK_PROMPT_VERSION, listwiseMessages, pointwiseMessages } from './rerank-prompts.js';
import { parallelTournament, pointwise, slidingWindow, type SchemeResult } from './rerank-schemes.js';
import type { RankedCandidate, RerankCandidate, RerankMode, RerankOutcome, RerankSettings, RerankTrace } from './rerank-types.js';

export interface RerankRequestOptions {
  mode?: RerankMode;
  candidates?: number;
  window?: number;
  deadlineMs?: number;
}

/** Settings for one request: the configured defaults, overridden by the request. */
export interface ResolvedRerank extends RerankSettings {
  candidates: number;
}

interface CallCounter {
  calls: number;
  failedCalls: number;
  unreadable: number;
  inputTokens: number;
  outputTokens: number;
}

/** A cached order: positions in the candidate list, and each position's score when the scheme gave one. */
interface CachedOrder {
  positions: number[];
  scores: Array<number | undefined> | null;
}

/** JSON in Redis; undefined scores travel as null. */
const CACHED_ORDER_CODEC: CacheCodec<CachedOrder> = {
  encode: (order) => Buffer.from(JSON.stringify({ positions: order.positions, scores: order.scores?.map((score) => score ?? null) ?? null })),
  decode: (bytes) => {
    const parsed = JSON.parse(bytes.toString('utf8')) as { positions?: unknown; scores?: unknown };
    const positions = parsed.positions;
    if (!Array.isArray(positions) || !positions.every((position) => Number.isInteger(position) && position >= 0)) throw new SyntaxError('not a cached rerank order');
    const scores = parsed.scores;
    if (scores !== null && !(Array.isArray(scores) && scores.every((score) => score === null || typeof score === 'number'))) throw new SyntaxError('not a cached rerank order');
    return { positions: positions as number[], scores: scores === null ? null : (scores as Array<number | null>).map((score) => score ?? undefined) };
  },
};

function toRanked(order: RerankCandidate[], scores: Map<string, number> | null): RankedCandidate[] {
  return order.map((candidate, index) => ({
    candidate,
    rerankRank: index + 1,
    rerankScore: scores?.get(candidate.id) ?? (order.length - index) / order.length,
  }));
}

@Injectable()
export class RerankService {
  /**
   * Cached orders are positions in the candidate list, not chunk ids: the key holds the
   * candidates' content hashes in order, and a re-ingested document keeps its hashes but
   * gets new chunk ids.
   */
  private readonly cache: TieredCache<CachedOrder> | null;

  constructor(
    private readonly config: AppConfig,
    @Optional() @Inject(RERANK_CHAT_CLIENT) private readonly client: ChatClient | null,
    /** With REDIS_URL, the replicas' shared tier behind this process's LRU. */
    @Optional() @Inject(SHARED_CACHE) shared: BoundedRedisCache | null = null,
  ) {
    const size = config.values.RERANK_CACHE_SIZE;
    this.cache = size > 0 ? new TieredCache(size, shared ? { store: shared, namespace: 'rerank', codec: CACHED_ORDER_CODEC } : null) : null;
  }

  get model(): StageModel | null {
    return this.client?.model ?? null;
  }

  /** The settings a request asks for, or null when it asks for no rerank. */
  resolve(request: boolean | RerankRequestOptions | undefined): ResolvedRerank | null {
    const v = this.config.values;
    const wanted = request === undefined ? v.RERANK_BY_DEFAULT : request !== false;
    if (!wanted) return null;
    const options = typeof request === 'object' ? request : {};
    return {
      mode: options.mode ?? v.RERANK_MODE,
      candidates: options.candidates ?? v.RERANK_CANDIDATES,
      window: options.window ?? v.RERANK_WINDOW,
      batchSize: v.RERANK_BATCH_SIZE,
      passageTokens: v.RERANK_PASSAGE_TOKENS,
      deadlineMs: options.deadlineMs ?? v.RERANK_DEADLINE_MS,
    };
  }

  async rerank(query: string, candidates: RerankCandidate[], settings: RerankSettings, meter: UsageMeter): Promise<RerankOutcome> {
    const started = performance.now();
    const trace = (status: RerankTrace['status'], counter: Partial<CallCounter>, extra: Partial<RerankTrace> = {}): RerankTrace => ({
      mode: settings.mode,
      status,
      candidates: candidates.length,
      calls: counter.calls ?? 0,
      failedCalls: counter.failedCalls ?? 0,
      roundTrips: 0,
      inputTokens: counter.inputTokens ?? 0,
      outputTokens: counter.outputTokens ?? 0,
      ms: Math.round((performance.now() - started) * 100) / 100,
      ...extra,
    });
    const client = this.client;
    if (!client) {
      return { ranked: toRanked(candidates, null), trace: trace('skipped', {}, { reason: 'no rerank model is configured (RERANK_PROVIDER=none); retrieval order kept' }) };
    }
    if (candidates.length < 2) return { ranked: toRanked(candidates, null), trace: trace('skipped', {}, { reason: 'fewer than two candidates' }) };

    const key = this.cacheKey(client.model, query, candidates, settings);
    const lookup = this.cache ? await this.cache.get(key) : null;
    const cached = lookup?.value;
    // The key holds every candidate's hash in order, so an entry of another length is not this one.
    if (cached && cached.positions.length === candidates.length && cached.positions.every((position) => position < candidates.length)) {
      const scores = cached.scores ? new Map(candidates.flatMap((candidate, position) => (cached.scores![position] === undefined ? [] : [[candidate.id, cached.scores![position]!] as const]))) : null;
      return { ranked: toRanked(cached.positions.map((position) => candidates[position]!), scores), trace: trace('cached', {}, cacheTraceFields(lookup!)) };
    }

    const deadline = AbortSignal.timeout(settings.deadlineMs);
    const counter: CallCounter = { calls: 0, failedCalls: 0, unreadable: 0, inputTokens: 0, outputTokens: 0 };
    const call = (messages: ChatMessage[], schema: Record<string, unknown>) => this.call(client, messages, schema, deadline, counter, meter);
    const rankWindow = async (window: RerankCandidate[]) => {
      const ids = parseRanking(await call(listwiseMessages(query, window.map((c) => c.text), settings.passageTokens), RANKING_SCHEMA), window.length);
      if (ids.length === 0) counter.unreadable++;
      return ids.map((id) => id - 1);
    };
    const gradeBatch = async (batch: RerankCandidate[]) => {
      const grades = parseGrades(await call(pointwiseMessages(query, batch.map((c) => c.text), settings.passageTokens), GRADES_SCHEMA), batch.length);
      if (grades.size === 0) counter.unreadable++;
      return new Map([...grades].map(([id, grade]) => [id - 1, grade]));
    };

    let result: SchemeResult;
    switch (settings.mode) {
      case 'listwise':
        result = await parallelTournament(candidates, settings.window, rankWindow);
        break;
      case 'sliding':
        result = await slidingWindow(candidates, settings.window, Math.max(1, Math.floor(settings.window / 2)), rankWindow);
        break;
      case 'pointwise':
        result = await pointwise(candidates, settings.batchSize, this.config.values.RERANK_CONCURRENCY, gradeBatch);
        break;
    }

    const ranked = toRanked(result.order, result.scores);
    const useful = result.completed - counter.unreadable;
    const reasons = [...new Set(result.problems)];
    if (counter.unreadable > 0) reasons.push(`${counter.unreadable} model answer(s) held no usable ranking`);
    const status: RerankTrace['status'] = useful <= 0 ? 'fallback' : result.failed > 0 || counter.unreadable > 0 ? 'partial' : 'complete';
    let sharedUnavailable = lookup?.sharedUnavailable ?? false;
    if (status === 'complete' && this.cache) {
      const positionOf = new Map(candidates.map((candidate, position) => [candidate.id, position]));
      const stored = await this.cache.set(key, {
        positions: result.order.map((candidate) => positionOf.get(candidate.id)!),
        scores: result.scores ? candidates.map((candidate) => result.scores!.get(candidate.id)) : null,
      });
      sharedUnavailable ||= stored.sharedUnavailable;
    }
    const extra: Partial<RerankTrace> = { roundTrips: result.roundTrips, ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}), ...cacheTraceFields({ tier: null, sharedUnavailable }) };
    return { ranked, trace: trace(status, counter, extra) };
  }

  private async call(client: ChatClient, messages: ChatMessage[], schema: Record<string, unknown>, deadline: AbortSignal, counter: CallCounter, meter: UsageMeter): Promise<string> {
    // Over budget, the call is not made and reranking falls back to retrieval order.
    await meter.assertWithinBudget('reranking');
    return inModelCallSpan('chat', 'rerank', client.model, () => this.meteredCall(client, messages, schema, deadline, counter, meter));
  }

  private async meteredCall(client: ChatClient, messages: ChatMessage[], schema: Record<string, unknown>, deadline: AbortSignal, counter: CallCounter, meter: UsageMeter): Promise<string> {
    const started = performance.now();
    counter.calls++;
    try {
      const reply = await client.invoke(messages, { signal: deadline, jsonSchema: schema });
      const usage = reply.usage ?? { inputTokens: 0, outputTokens: 0 };
      counter.inputTokens += usage.inputTokens;
      counter.outputTokens += usage.outputTokens;
      meter.record({ stage: 'rerank', model: client.model, usage, latencyMs: performance.now() - started, outcome: 'ok', estimated: reply.usage === null });
      return reply.text;
    } catch (error) {
      counter.failedCalls++;
      meter.record({ stage: 'rerank', model: client.model, usage: { inputTokens: 0, outputTokens: 0 }, latencyMs: performance.now() - started, outcome: 'failed', estimated: true });
      const failure = classifyProviderError(error, deadline);
      throw new Error(failure.kind === 'timeout' ? 'the rerank deadline passed' : `${failure.kind}${failure.status ? ` (HTTP ${failure.status})` : ''}`);
    }
  }

  private cacheKey(model: StageModel, query: string, candidates: RerankCandidate[], settings: RerankSettings): string {
    const hash = createHash('sha256');
    for (const part of [model.provider, model.model, RERANK_PROMPT_VERSION, settings.mode, String(settings.window), String(settings.batchSize), String(settings.passageTokens), query]) {
      hash.update(part).update('\0');
    }
    for (const candidate of candidates) hash.update(candidate.contentHash).update('\0');
    return hash.digest('hex');
  }
}
