// Finds the passages for a query: BM25 always, and dense k-NN when the collection holds
// embeddings from the configured model, fused by reciprocal rank — in one store call when the
// store fuses natively (Qdrant's Query API, HYBRID_FUSION=store), else here; the trace says
// which. If the query cannot be embedded (provider down, over budget), search answers from
// BM25 and the trace says why.
import { Inject, Injectable } from '@nestjs/common';
import { currentCaller } from '../auth/caller.js';
import { AppConfig } from '../config/app-config.js';
import { assertCollectionName, collectionNotFound } from '../common/collection-name.js';
import { ErrorCode, SiftError, isSiftError } from '../common/errors.js';
import { EmbeddingService } from '../embeddings/embedding.service.js';
import { cacheTraceFields } from '../shared-state/tiered-cache.js';
import { TraceRecorder } from '../observability/trace.js';
import { VECTOR_STORE, type CollectionInfo, type SearchPathReport, type ScoredChunk, type VectorStore } from '../store/vector-store.js';
import type { UsageMeter } from '../usage/usage-meter.js';
import { UsageMeters } from '../usage/usage-meters.js';
import { RerankService, type ResolvedRerank } from '../reranking/rerank.service.js';
import { collapseNearDuplicates } from './near-duplicates.js';
import { fuseByReciprocalRank, type FusedCandidate, type RankedList } from './rrf.js';
import type { RankedChunk, SearchRequest, SearchResponse } from './search-types.js';

const SHARED_CACHE_UNAVAILABLE_NOTE = "The shared cache (Redis, REDIS_URL) cannot be reached: this replica's own caches answered, and what it computed is not shared until Redis is back.";

const MIN_CANDIDATES = 30;
const DUPLICATE_HEADROOM = 20;

function toRankedChunk(candidate: FusedCandidate, index: number, fused: boolean): RankedChunk {
  const { hit } = candidate;
  return {
    rank: index + 1,
    chunkId: hit.chunk.id,
    documentId: hit.document.id,
    source: hit.document.source,
    title: hit.document.title,
    headingPath: hit.chunk.headingPath,
    page: hit.chunk.page,
    text: hit.chunk.text,
    start: hit.chunk.start,
    end: hit.chunk.end,
    contentHash: hit.chunk.contentHash,
    metadata: hit.document.metadata,
    score: fused ? candidate.score : hit.score,
    scores: { ...candidate.scores, ...(fused ? { fused: candidate.score } : {}) },
    retrievalRank: index + 1,
    rerankRank: null,
  };
}

@Injectable()
export class SearchService {
  constructor(
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    private readonly config: AppConfig,
    private readonly embeddings: EmbeddingService,
    private readonly meters: UsageMeters,
    private readonly reranker: RerankService,
  ) {}

  async search(collection: string, request: SearchRequest): Promise<SearchResponse> {
    const info = await this.assertSearchable(collection, request.query, 'query');
    return this.retrieve(info, request, new TraceRecorder({ 'sift.collection': info.name }), this.meters.start());
  }

  /** Retrieval without the request checks, for callers that made them already. */
  async retrieve(info: CollectionInfo, request: SearchRequest, trace: TraceRecorder, meter: UsageMeter): Promise<SearchResponse> {
    const rerank = await this.affordableRerank(request, trace, meter);
    const useDense = this.denseApplies(info, trace) && (await this.denseAffordable(trace, meter));
    // Fusion and reranking want a deeper list than the answer; BM25 alone needs only topK.
    const depth = useDense || rerank ? (request.candidates ?? MIN_CANDIDATES) : request.topK;
    const collapse = this.config.values.SEARCH_COLLAPSE_DUPLICATES;
    // Collapsing duplicates shortens the list, so it starts deeper to still fill topK: a fixed
    // headroom, since each extra hit costs a row read and a file is rarely copied more often.
    const limit = Math.max(depth, collapse ? request.topK + DUPLICATE_HEADROOM : request.topK, rerank?.candidates ?? 0);
    const options = { limit, filter: request.filter };
    // One call when the store fuses natively; undefined when it was not tried, null when the query could not be embedded.
    const storeFused = useDense && this.config.values.HYBRID_FUSION === 'store' && this.store.searchHybrid ? await this.storeFusedCandidates(info, request, limit, trace, meter) : undefined;
    // The embedded store says which of its lexical paths answered (index or FTS5) and why.
    let lexicalPath: SearchPathReport | undefined;
    const [lexical, dense] = storeFused
      ? [[], null]
      : await Promise.all([
          trace.time(
            'lexical',
            () => this.store.searchLexical(info.name, request.query, { ...options, onLexicalPath: (path) => (lexicalPath = path) }),
            (found) => ({ candidates: found.length, ...lexicalPath }),
          ),
          useDense && storeFused === undefined ? this.denseCandidates(info, request, limit, trace, meter) : Promise.resolve(null),
        ]);
    const lists: RankedList[] = [{ name: 'lexical', weight: this.config.values.RRF_WEIGHT_LEXICAL, hits: lexical }];
    if (dense) lists.push({ name: 'dense', weight: this.config.values.RRF_WEIGHT_DENSE, hits: dense });
    const fused = storeFused ? true : lists.length > 1;
    const fuseStarted = performance.now();
    const ranked =
      storeFused ?? (fused ? fuseByReciprocalRank(lists, this.config.values.RRF_K) : lexical.map((hit) => ({ hit, score: hit.score, scores: { lexical: hit.score }, ranks: { lexical: 0 } })));
    if (fused && !storeFused) trace.record('fuse', performance.now() - fuseStarted, { fusion: 'sift', candidates: ranked.length });
    let retrieved = ranked.map((candidate, index) => toRankedChunk(candidate, index, fused));
    if (collapse) retrieved = this.collapseDuplicates(retrieved, trace);
    const results = rerank ? await this.rerank(request.query, retrieved, rerank, trace, meter) : retrieved;
    results.splice(request.topK);
    if (results.length === 0) trace.note('No passage matched the query.');
    return { query: request.query, retrieval: fused ? 'hybrid' : 'lexical', results, usage: meter.summary(), trace: trace.finish() };
  }

  /**
   * The rerank settings, unless the key is over its model budget: then a rerank the request
   * asked for is refused (BUDGET_EXCEEDED), and the default one is skipped with a trace note.
   */
  private async affordableRerank(request: SearchRequest, trace: TraceRecorder, meter: UsageMeter): Promise<ResolvedRerank | null> {
    const rerank = this.reranker.resolve(request.rerank);
    if (!rerank || !this.reranker.model) return rerank;
    const refusal = await meter.budgetRefusal('reranking');
    if (!refusal) return rerank;
    if (request.rerank !== undefined) throw refusal;
    trace.note(`Rerank skipped, retrieval order kept: ${refusal.message}`);
    return null;
  }

  /** Over the key's model budget the query is not embedded, and search answers from BM25. */
  private async denseAffordable(trace: TraceRecorder, meter: UsageMeter): Promise<boolean> {
    const refusal = await meter.budgetRefusal('embedding the query');
    if (refusal) trace.note(`Dense retrieval skipped, lexical results only: ${refusal.message}`);
    return refusal === null;
  }

  /** Before reranking, so the model reads (and is paid for) each text once. In the trace only when it folded something. */
  private collapseDuplicates(retrieved: RankedChunk[], trace: TraceRecorder): RankedChunk[] {
    const started = performance.now();
    const { results, collapsed } = collapseNearDuplicates(retrieved);
    if (collapsed > 0) trace.record('collapse-duplicates', performance.now() - started, { collapsed });
    return results;
  }

  /** Reorders the top candidates with the rerank model; the rest follow in retrieval order. */
  private async rerank(query: string, retrieved: RankedChunk[], settings: ResolvedRerank, trace: TraceRecorder, meter: UsageMeter): Promise<RankedChunk[]> {
    const head = retrieved.slice(0, settings.candidates);
    const outcome = await trace.time(
      'rerank',
      () =>
        this.reranker.rerank(
          query,
          head.map((chunk) => ({ id: chunk.chunkId, text: chunk.text, contentHash: chunk.contentHash, retrievalRank: chunk.retrievalRank })),
          settings,
          meter,
        ),
      (result) => ({ ...result.trace }),
    );
    if (outcome.trace.sharedCache === 'unavailable') trace.note(SHARED_CACHE_UNAVAILABLE_NOTE);
    if (outcome.trace.status === 'fallback' || outcome.trace.status === 'skipped') {
      trace.note(`Rerank ${outcome.trace.status}: ${outcome.trace.reason ?? 'no ranking'}; retrieval order kept.`);
      return retrieved;
    }
    if (outcome.trace.status === 'partial') trace.note(`Rerank partial: ${outcome.trace.reason}; unranked candidates keep their retrieval order.`);
    const byId = new Map(head.map((chunk) => [chunk.chunkId, chunk]));
    const reordered = outcome.ranked.map(({ candidate, rerankRank, rerankScore }) => {
      const chunk = byId.get(candidate.id)!;
      return { ...chunk, rank: rerankRank, rerankRank, score: rerankScore, scores: { ...chunk.scores, rerank: rerankScore } };
    });
    return [...reordered, ...retrieved.slice(settings.candidates).map((chunk, index) => ({ ...chunk, rank: reordered.length + index + 1 }))];
  }

  /** Checks what every query needs before any work: a sane length and an existing collection. */
  async assertSearchable(collection: string, text: string, field: 'query' | 'question'): Promise<CollectionInfo> {
    assertCollectionName(collection);
    const limit = this.config.limits.queryChars;
    if (text.length > limit) {
      throw new SiftError(ErrorCode.QueryTooLong, `The ${field} has ${text.length} characters; the limit is ${limit} (MAX_QUERY_CHARS).`);
    }
    // Every query of a collection comes here (search, ask, chat completions' sift/<collection>),
    // so the caller's scope is checked here too, whatever the route declared.
    const caller = currentCaller();
    if (caller && !caller.scope.allows(collection)) throw collectionNotFound(collection);
    const info = await this.store.getCollection(collection);
    if (!info) {
      throw collectionNotFound(collection);
    }
    return info;
  }

  private denseApplies(info: CollectionInfo, trace: TraceRecorder): boolean {
    const current = this.embeddings.modelId;
    if (!info.embeddingModel) {
      if (current) trace.note(`Collection "${info.name}" has no embeddings (ingested without a model): lexical search only. Re-ingest its documents to add them.`);
      return false;
    }
    if (!current) {
      trace.note(`Collection "${info.name}" holds ${info.embeddingModel} embeddings but EMBEDDINGS_PROVIDER is none: lexical search only.`);
      return false;
    }
    if (current !== info.embeddingModel) {
      throw new SiftError(
        ErrorCode.EmbeddingMismatch,
        `Collection "${info.name}" was embedded with ${info.embeddingModel}, but this server embeds with ${current}. Configure EMBEDDINGS_PROVIDER/EMBEDDINGS_MODEL to match, or re-index: delete the collection and upload its documents again.`,
      );
    }
    return true;
  }

  private async denseCandidates(info: CollectionInfo, request: SearchRequest, limit: number, trace: TraceRecorder, meter: UsageMeter): Promise<ScoredChunk[] | null> {
    const vector = await this.queryVector(info, request, trace, meter);
    if (!vector) return null;
    let densePath: SearchPathReport | undefined;
    return trace.time(
      'dense',
      () => this.store.searchDense(info.name, vector, { limit, filter: request.filter, onDensePath: (path) => (densePath = path) }),
      (found) => ({ candidates: found.length, ...densePath }),
    );
  }

  /** BM25 and dense fused by the store in one call; the trace's `hybrid` stage says `fusion: "store"`. */
  private async storeFusedCandidates(info: CollectionInfo, request: SearchRequest, limit: number, trace: TraceRecorder, meter: UsageMeter): Promise<FusedCandidate[] | null> {
    const vector = await this.queryVector(info, request, trace, meter);
    if (!vector) return null;
    const { RRF_K: rrfK, RRF_WEIGHT_LEXICAL: lexical, RRF_WEIGHT_DENSE: dense } = this.config.values;
    const hits = await trace.time(
      'hybrid',
      () => this.store.searchHybrid!(info.name, request.query, vector, { limit, filter: request.filter, rrfK, weights: { lexical, dense } }),
      (found) => ({ candidates: found.length, fusion: 'store' }),
    );
    return hits.map((hit) => ({ hit, score: hit.score, scores: {}, ranks: {} }));
  }

  /** The query's vector, or null (with a trace note) when the embedding provider failed: search then answers from BM25. */
  private async queryVector(info: CollectionInfo, request: SearchRequest, trace: TraceRecorder, meter: UsageMeter): Promise<Float32Array | null> {
    try {
      const embedded = await trace.time('embed-query', () => this.embeddings.embedQuery(request.query, meter, info.embeddingDimension), (result) => ({ cached: result.cached, ...cacheTraceFields(result) }));
      if (embedded.sharedUnavailable) trace.note(SHARED_CACHE_UNAVAILABLE_NOTE);
      return embedded.vector;
    } catch (error) {
      if (!isSiftError(error) || !error.code.startsWith('PROVIDER_')) throw error;
      trace.note(`Dense retrieval skipped, lexical results only: ${error.message}`);
      return null;
    }
  }
}
