// Finds the passages for a query: BM25 always, and dense k-NN when the collection holds
// embeddings from the configured model, fused by reciprocal rank. If the query cannot be
// embedded (provider down, over budget), search answers from BM25 and the trace says why.
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { assertCollectionName } from '../common/collection-name.js';
import { ErrorCode, SiftError, isSiftError } from '../common/errors.js';
import { EmbeddingService } from '../embeddings/embedding.service.js';
import { TraceRecorder } from '../observability/trace.js';
import { VECTOR_STORE, type CollectionInfo, type LexicalPathReport, type ScoredChunk, type VectorStore } from '../store/vector-store.js';
import type { UsageMeter } from '../usage/usage-meter.js';
import { UsageMeters } from '../usage/usage-meters.js';
import { RerankService, type ResolvedRerank } from '../reranking/rerank.service.js';
import { fuseByReciprocalRank, type FusedCandidate, type RankedList } from './rrf.js';
import type { RankedChunk, SearchRequest, SearchResponse } from './search-types.js';

const MIN_CANDIDATES = 30;

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
    return this.retrieve(info, request, new TraceRecorder(), this.meters.start());
  }

  /** Retrieval without the request checks, for callers that made them already. */
  async retrieve(info: CollectionInfo, request: SearchRequest, trace: TraceRecorder, meter: UsageMeter): Promise<SearchResponse> {
    const rerank = this.reranker.resolve(request.rerank);
    const useDense = this.denseApplies(info, trace);
    // Fusion and reranking want a deeper list than the answer; BM25 alone needs only topK.
    const depth = useDense || rerank ? (request.candidates ?? MIN_CANDIDATES) : request.topK;
    const limit = Math.max(depth, request.topK, rerank?.candidates ?? 0);
    const options = { limit, filter: request.filter };
    // The embedded store says which of its lexical paths answered (index or FTS5) and why.
    let lexicalPath: LexicalPathReport | undefined;
    const [lexical, dense] = await Promise.all([
      trace.time(
        'lexical',
        () => this.store.searchLexical(info.name, request.query, { ...options, onLexicalPath: (path) => (lexicalPath = path) }),
        (found) => ({ candidates: found.length, ...lexicalPath }),
      ),
      useDense ? this.denseCandidates(info, request, limit, trace, meter) : Promise.resolve(null),
    ]);
    const lists: RankedList[] = [{ name: 'lexical', weight: this.config.values.RRF_WEIGHT_LEXICAL, hits: lexical }];
    if (dense) lists.push({ name: 'dense', weight: this.config.values.RRF_WEIGHT_DENSE, hits: dense });
    const fused = lists.length > 1;
    const ranked = fused ? fuseByReciprocalRank(lists, this.config.values.RRF_K) : lexical.map((hit) => ({ hit, score: hit.score, scores: { lexical: hit.score }, ranks: { lexical: 0 } }));
    const retrieved = ranked.map((candidate, index) => toRankedChunk(candidate, index, fused));
    const results = rerank ? await this.rerank(request.query, retrieved, rerank, trace, meter) : retrieved;
    results.splice(request.topK);
    if (results.length === 0) trace.note('No passage matched the query.');
    return { query: request.query, retrieval: fused ? 'hybrid' : 'lexical', results, usage: meter.summary(), trace: trace.finish() };
  }

  /** Reorders the top candidates with the rerank model; the rest follow in retrieval order. */
  private async rerank(query: string, retrieved: RankedChunk[], settings: ResolvedRerank, trace: TraceRecorder, meter: UsageMeter): Promise<RankedChunk[]> {
    const head = retrieved.slice(0, settings.candidates);
    const outcome = await this.reranker.rerank(
      query,
      head.map((chunk) => ({ id: chunk.chunkId, text: chunk.text, contentHash: chunk.contentHash, retrievalRank: chunk.retrievalRank })),
      settings,
      meter,
    );
    trace.record('rerank', outcome.trace.ms, { ...outcome.trace });
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
    const info = await this.store.getCollection(collection);
    if (!info) {
      throw new SiftError(ErrorCode.CollectionNotFound, `Collection "${collection}" does not exist; upload documents to create it.`);
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
    try {
      const { vector } = await trace.time('embed-query', () => this.embeddings.embedQuery(request.query, meter, info.embeddingDimension), (result) => ({ cached: result.cached }));
      return await trace.time('dense', () => this.store.searchDense(info.name, vector, { limit, filter: request.filter }), (found) => ({ candidates: found.length }));
    } catch (error) {
      if (!isSiftError(error) || !error.code.startsWith('PROVIDER_')) throw error;
      trace.note(`Dense retrieval skipped, lexical results only: ${error.message}`);
      return null;
    }
  }
}
