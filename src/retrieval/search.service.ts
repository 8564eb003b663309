// Finds the passages for a query. For now candidates come from lexical BM25 alone; dense
// retrieval and fusion join here once an embedding provider is configured.
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { assertCollectionName } from '../common/collection-name.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import { TraceRecorder } from '../observability/trace.js';
import { VECTOR_STORE, type ScoredChunk, type VectorStore } from '../store/vector-store.js';
import type { RankedChunk, SearchRequest, SearchResponse } from './search-types.js';

function toRankedChunk(hit: ScoredChunk, index: number): RankedChunk {
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
    metadata: hit.document.metadata,
    score: hit.score,
    scores: { lexical: hit.score },
    retrievalRank: index + 1,
    rerankRank: null,
  };
}

@Injectable()
export class SearchService {
  constructor(
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    private readonly config: AppConfig,
  ) {}

  async search(collection: string, request: SearchRequest): Promise<SearchResponse> {
    await this.assertSearchable(collection, request.query, 'query');
    return this.retrieve(collection, request, new TraceRecorder());
  }

  /** Retrieval without the request checks, for callers that made them already. */
  async retrieve(collection: string, request: SearchRequest, trace: TraceRecorder): Promise<SearchResponse> {
    const hits = await trace.time(
      'lexical',
      () => this.store.searchLexical(collection, request.query, { limit: request.topK, filter: request.filter }),
      (found) => ({ candidates: found.length }),
    );
    if (hits.length === 0) trace.note('No passage shares a term with the query.');
    return { query: request.query, retrieval: 'lexical', results: hits.map(toRankedChunk), trace: trace.finish() };
  }

  /** Checks what every query needs before any work: a sane length and an existing collection. */
  async assertSearchable(collection: string, text: string, field: 'query' | 'question'): Promise<void> {
    assertCollectionName(collection);
    const limit = this.config.limits.queryChars;
    if (text.length > limit) {
      throw new SiftError(ErrorCode.QueryTooLong, `The ${field} has ${text.length} characters; the limit is ${limit} (MAX_QUERY_CHARS).`);
    }
    if (!(await this.store.getCollection(collection))) {
      throw new SiftError(ErrorCode.CollectionNotFound, `Collection "${collection}" does not exist; upload documents to create it.`);
    }
  }
}
