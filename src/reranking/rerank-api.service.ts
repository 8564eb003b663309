// The rerank layer as a Cohere/Jina-compatible API: a query and the caller's documents in,
// the documents' indexes ordered by relevance out. The configured rerank model orders them
// with its deadline, cache and usage ledger; without one, BM25 over the given documents
// does, so the API ranks for real on the embedded default too.
import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import { UsageMeters } from '../usage/usage-meters.js';
import { bm25Scores } from './bm25-documents.js';
import { clipToTokens } from './rerank-prompts.js';
import { RerankService } from './rerank.service.js';
import type { RerankTrace } from './rerank-types.js';

export const RERANK_API_MAX_DOCUMENTS = 1000;
/** Cohere's default for `max_tokens_per_doc`. */
export const DEFAULT_MAX_TOKENS_PER_DOC = 4096;
export const BM25_RERANK_MODEL = 'rerank/bm25';
/** Usage records of this API carry this mark (stage `rerank` like the search pipeline's). */
export const RERANK_API_MARK = 'rerank-api';

/** The JSON body limit of the rerank routes: every document at its largest, escaped, plus the rest. */
export function rerankApiBodyLimitBytes(config: AppConfig): number {
  return Math.max(1024 * 1024, RERANK_API_MAX_DOCUMENTS * config.values.RERANK_API_MAX_DOCUMENT_CHARS * 2 + 64 * 1024);
}

export interface RerankApiRequest {
  query: string;
  documents: string[];
  topN?: number;
  returnDocuments: boolean;
  model?: string;
  maxTokensPerDoc?: number;
  /** '1' for /v1/rerank (Cohere v1, Jina), '2' for /v2/rerank. */
  apiVersion: '1' | '2';
}

export interface RerankApiResult {
  index: number;
  relevance_score: number;
  document?: { text: string };
}

export interface RerankApiResponse {
  id: string;
  results: RerankApiResult[];
  meta: { api_version: { version: string; is_experimental: boolean }; billed_units: { search_units: number }; warnings?: string[] };
  usage: { total_tokens: number };
  /** Sift's extension: the model and how the ranking went (clients ignore unknown fields). */
  sift: { model: string; method: 'model' | 'bm25'; rerank?: RerankTrace; ms: number };
}

@Injectable()
export class RerankApiService {
  constructor(
    private readonly config: AppConfig,
    private readonly reranker: RerankService,
    private readonly meters: UsageMeters,
  ) {}

  /** The model ids this API takes, the default first. */
  get models(): string[] {
    const model = this.reranker.model;
    return model ? [`rerank/${model.model}`, BM25_RERANK_MODEL] : [BM25_RERANK_MODEL];
  }

  /** Checks everything that can fail before any work: model, counts, sizes. */
  private check(request: RerankApiRequest): string {
    const model = request.model ?? this.models[0]!;
    if (!this.models.includes(model)) {
      throw new SiftError(ErrorCode.ModelNotAllowed, `The rerank model "${model}" is not one this server offers; use one of: ${this.models.join(', ')}.`, { allowed: this.models, param: 'model' });
    }
    if (request.documents.length > RERANK_API_MAX_DOCUMENTS) {
      throw new SiftError(ErrorCode.TooManyDocuments, `${request.documents.length} documents; at most ${RERANK_API_MAX_DOCUMENTS} per request.`, { param: 'documents' });
    }
    const maxChars = this.config.values.RERANK_API_MAX_DOCUMENT_CHARS;
    const long = request.documents.findIndex((text) => text.length > maxChars);
    if (long >= 0) {
      throw new SiftError(ErrorCode.DocumentTooLong, `documents[${long}] has ${request.documents[long]!.length} characters; the limit is ${maxChars} (RERANK_API_MAX_DOCUMENT_CHARS).`, { param: 'documents' });
    }
    const queryChars = this.config.limits.queryChars;
    if (request.query.length > queryChars) {
      throw new SiftError(ErrorCode.QueryTooLong, `The query has ${request.query.length} characters; the limit is ${queryChars} (MAX_QUERY_CHARS).`, { param: 'query' });
    }
    return model;
  }

  async rerank(request: RerankApiRequest): Promise<RerankApiResponse> {
    const model = this.check(request);
    const started = performance.now();
    const maxTokens = request.maxTokensPerDoc ?? DEFAULT_MAX_TOKENS_PER_DOC;
    // A text has at most one estimated token per character, so most documents need no count.
    const texts = request.documents.map((text) => (text.length > maxTokens ? clipToTokens(text, maxTokens) : text));
    const warnings: string[] = [];
    let order: Array<{ index: number; score: number }>;
    let rerankTrace: RerankTrace | undefined;
    let totalTokens = 0;

    if (model === BM25_RERANK_MODEL) {
      if (!this.reranker.model) warnings.push('No rerank model is configured (RERANK_PROVIDER=none): ranked by BM25 over the given documents.');
      const scores = bm25Scores(request.query, texts);
      // BM25 is unbounded; s / (1 + s) maps it into [0, 1) and keeps the order.
      order = scores.map((score, index) => ({ index, score: score / (1 + score) })).sort((a, b) => b.score - a.score || a.index - b.index);
    } else {
      const meter = this.meters.start(RERANK_API_MARK);
      // A key over its model budget is told so (429), not handed the input order; BM25 stays open to it.
      await meter.assertWithinBudget(`reranking with ${model} (the model "${BM25_RERANK_MODEL}" ranks without one)`);
      const settings = this.reranker.resolve(true)!;
      const candidates = texts.map((text, index) => ({ id: String(index), text, contentHash: createHash('sha256').update(text).digest('hex'), retrievalRank: index + 1 }));
      const outcome = await this.reranker.rerank(request.query, candidates, settings, meter);
      rerankTrace = outcome.trace;
      totalTokens = meter.summary().totalTokens;
      if (outcome.trace.status === 'fallback') warnings.push(`The rerank model gave no ranking (${outcome.trace.reason ?? 'no reason given'}): the documents are in input order.`);
      if (outcome.trace.status === 'partial') warnings.push(`The rerank model ranked part of the documents (${outcome.trace.reason ?? 'no reason given'}): the rest keep their input order.`);
      // A listwise ranking has positions, not scores: the position maps into (0, 1], descending.
      const n = outcome.ranked.length;
      order = outcome.ranked.map((ranked, position) => ({ index: Number(ranked.candidate.id), score: (n - position) / n }));
    }

    const top = request.topN === undefined ? order : order.slice(0, request.topN);
    return {
      id: randomUUID(),
      results: top.map(({ index, score }) => ({
        index,
        relevance_score: Math.round(score * 1e6) / 1e6,
        ...(request.returnDocuments ? { document: { text: request.documents[index]! } } : {}),
      })),
      meta: {
        api_version: { version: request.apiVersion, is_experimental: false },
        // Cohere bills one search unit per query of up to 100 documents.
        billed_units: { search_units: Math.max(1, Math.ceil(request.documents.length / 100)) },
        ...(warnings.length > 0 ? { warnings } : {}),
      },
      usage: { total_tokens: totalTokens },
      sift: { model, method: model === BM25_RERANK_MODEL ? 'bm25' : 'model', ...(rerankTrace ? { rerank: rerankTrace } : {}), ms: Math.round((performance.now() - started) * 100) / 100 },
    };
  }
}
