// One evaluation run: ingest a BEIR corpus into a throw-away data directory through Sift's
// own ingestion, run every judged query through Sift's own search (and rerank layer, when
// asked), and score the ranking. Retrieval ranks chunks; a document ranks where its best
// chunk does, which is the usual "max passage" rule when documents are longer than one chunk.
import { basename, resolve } from 'node:path';
import type { RerankMode } from '../../src/reranking/rerank-types.js';
import { PriceTable } from '../../src/usage/price-table.js';
import { chunkOwners, ingestCorpus, openSiftContext, warmSearch } from '../common/sift-context.js';
import { percentile, round } from '../common/report.js';
import { loadDataset, readCorpus } from './beir-dataset.js';
import { evaluateRun, hasRelevant, ndcgAt, type RetrievalMetrics } from './metrics.js';
import { JUDGE_KINDS, passageKey, startRerankJudge, type JudgeKind, type RerankJudge } from './rerank-judge.js';

/** `none`, a judge model behind the fake Gemini, or a real provider configured by the environment. */
export type RerankChoice = 'none' | JudgeKind | 'gemini' | 'ollama';
export const RERANK_CHOICES: readonly RerankChoice[] = ['none', ...JUDGE_KINDS, 'gemini', 'ollama'];

export interface EvalOptions {
  datasetDir: string;
  /** Documents retrieval hands on; with a reranker, the chunks it reorders. 100 by default so Recall@100 is defined. */
  candidates: number;
  rerank: RerankChoice;
  rerankMode: RerankMode;
  window: number;
  /** Added latency of the judge model per call, to see the scheme's wall time. */
  judgeLatencyMs?: number;
  /** Share of positions the noisy oracle scrambles in each window (default 0.2). */
  noiseShare?: number;
  onProgress?: (message: string) => void;
  /** Also run every query with HYBRID_FUSION=sift on the same data, to put both fusion paths side by side. */
  compareFusion?: boolean;
}

/** One fusion path's figures on the same data and queries (`--compare-fusion`). */
export interface FusionFigures {
  fusion: 'store' | 'sift';
  ndcg10: number;
  recall100: number;
  queryP50Ms: number;
}

export interface RerankFigures {
  applied: RerankChoice;
  mode: RerankMode | null;
  /** Best nDCG@10 an ordering of the candidates could reach: the reranker's ceiling. */
  ceiling: number;
  calls: number;
  roundTrips: number;
  tokensPerQuery: number;
  costPerQuery: number;
  statuses: Record<string, number>;
  rerankP50Ms: number;
}

export interface EvalReport extends RetrievalMetrics {
  dataset: string;
  documents: number;
  chunks: number;
  skippedDocuments: number;
  /** Judged queries that queries.jsonl does not have (not run). */
  missingQueries: number;
  candidates: number;
  retrieval: 'lexical';
  rerank: RerankFigures;
  /** Top-level copies of the rerank figures, for scripts reading the JSON line. */
  ceiling: number;
  calls: number;
  roundTrips: number;
  tokensPerQuery: number;
  costPerQuery: number;
  /** With `compareFusion`: the run above (HYBRID_FUSION as configured) and the same queries fused in Sift. */
  fusionComparison?: FusionFigures[];
  timings: {
    loadMs: number;
    ingestMs: number;
    /** Building the in-memory search index after the load (the embedded store). */
    indexBuildMs: number;
    searchMs: number;
    totalMs: number;
    queryP50Ms: number;
    queryP99Ms: number;
    docsPerSecond: number;
    chunksPerSecond: number;
  };
}

const COLLECTION = 'eval';
// Cost is reported at Flash Lite prices whatever model ran, so runs compare.
const FLASH_LITE = new PriceTable();

function rerankEnv(choice: RerankChoice): Record<string, string> {
  if (choice === 'gemini') return { RERANK_PROVIDER: 'gemini' };
  if (choice === 'ollama') return { RERANK_PROVIDER: 'ollama' };
  return {};
}

export async function runEvaluation(options: EvalOptions): Promise<EvalReport> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  const dataset = await loadDataset(options.datasetDir);
  const loadMs = performance.now() - started;
  const reranking = options.rerank !== 'none';

  // The dataset's own queries are what is measured; the HTTP length guard is not under test.
  // The store is the one asked for (SIFT_STORE=qdrant with QDRANT_URL evaluates Qdrant), and so
  // are the embeddings (EMBEDDINGS_PROVIDER, e.g. the fake Ollama's, for hybrid retrieval);
  // HYBRID_FUSION and the RRF settings come from the shell as they are.
  const base = { MAX_QUERY_CHARS: '1000000', SIFT_STORE: process.env.SIFT_STORE ?? 'sqlite', EMBEDDINGS_PROVIDER: process.env.EMBEDDINGS_PROVIDER ?? 'none' };
  const sift = await openSiftContext(base);
  let ranker: Awaited<ReturnType<typeof openSiftContext>> | null = null;
  let judge: RerankJudge | null = null;
  try {
    progress(`ingesting ${dataset.files.corpus} ...`);
    const ingested = await ingestCorpus(sift.ingestion, COLLECTION, readCorpus(dataset.files.corpus), (n) => progress(`  ${n} documents`));
    const indexBuildMs = await warmSearch(sift.store, COLLECTION);

    if (reranking) {
      if ((JUDGE_KINDS as readonly string[]).includes(options.rerank)) {
        progress(`starting the ${options.rerank} judge ...`);
        const queryIds = new Map([...dataset.queries].map(([id, text]) => [text.trim(), id]));
        const passageDocs = await chunkOwners(sift.store, COLLECTION, ingested.sourceToId, passageKey);
        judge = await startRerankJudge(options.rerank as JudgeKind, { qrels: dataset.qrels, queryIds, passageDocs }, { latencyMs: options.judgeLatencyMs, noiseShare: options.noiseShare });
      }
      // A second context on the same data with the rerank stage switched on. Quality is
      // measured here, not the deadline: it is long enough for every call to finish.
      ranker = await openSiftContext({ ...base, ...rerankEnv(options.rerank), ...judge?.env, RERANK_DEADLINE_MS: '60000', RERANK_CACHE_SIZE: '0' }, sift.dataDir);
      await warmSearch(ranker.store, COLLECTION);
    }

    // Enough chunks that `candidates` distinct documents usually come back even when
    // documents span several chunks.
    const chunksPerDocument = ingested.documents === 0 ? 1 : Math.max(1, ingested.chunks / ingested.documents);
    const topK = Math.ceil(options.candidates * chunksPerDocument);
    const run = new Map<string, string[]>();
    const ceilings: number[] = [];
    const latencies: number[] = [];
    const rerankLatencies: number[] = [];
    const totals = { calls: 0, roundTrips: 0, inputTokens: 0, outputTokens: 0, statuses: {} as Record<string, number> };
    const judged = [...dataset.queries].filter(([queryId]) => hasRelevant(dataset.qrels.get(queryId)!));
    progress(`searching ${judged.length} queries${reranking ? ` with ${options.rerank} reranking (${options.rerankMode})` : ''} ...`);
    const searchStarted = performance.now();
    const searcher = ranker ?? sift;
    if (ingested.documents > 0) {
      for (const [queryId, query] of judged) {
        const queryStarted = performance.now();
        const response = await searcher.search.search(COLLECTION, {
          query,
          topK,
          ...(reranking ? { rerank: { mode: options.rerankMode, candidates: options.candidates, window: options.window } } : { rerank: false }),
        });
        latencies.push(performance.now() - queryStarted);
        const toDocument = (source: string) => ingested.sourceToId.get(source) ?? source;
        run.set(queryId, distinctDocuments(response.results.map((hit) => toDocument(hit.source)), options.candidates));
        if (reranking) {
          const judgments = dataset.qrels.get(queryId)!;
          // The reranker reorders the first `candidates` chunks: their documents bound what it can reach.
          const pool = new Set(response.results.slice(0, options.candidates).map((hit) => toDocument(hit.source)));
          const ideal = [...pool].sort((a, b) => (judgments.get(b) ?? 0) - (judgments.get(a) ?? 0));
          ceilings.push(ndcgAt(10, ideal, judgments));
          const detail = response.trace.stages.find((stage) => stage.stage === 'rerank')?.detail as
            | { calls: number; roundTrips: number; inputTokens: number; outputTokens: number; status: string; ms: number }
            | undefined;
          if (detail) {
            totals.calls += detail.calls;
            totals.roundTrips += detail.roundTrips;
            totals.inputTokens += detail.inputTokens;
            totals.outputTokens += detail.outputTokens;
            totals.statuses[detail.status] = (totals.statuses[detail.status] ?? 0) + 1;
            rerankLatencies.push(detail.ms);
          }
        }
      }
    }
    const searchMs = performance.now() - searchStarted;

    // Judged queries without text count as misses: the dataset promised them.
    const metrics = evaluateRun(dataset.qrels, run);
    let fusionComparison: FusionFigures[] | undefined;
    if (options.compareFusion && ingested.documents > 0 && !reranking) {
      progress(`searching ${judged.length} queries again, fused in Sift (HYBRID_FUSION=sift) ...`);
      const inSift = await openSiftContext({ ...base, HYBRID_FUSION: 'sift' }, sift.dataDir);
      try {
        const siftRun = new Map<string, string[]>();
        const siftLatencies: number[] = [];
        for (const [queryId, query] of judged) {
          const queryStarted = performance.now();
          const response = await inSift.search.search(COLLECTION, { query, topK, rerank: false });
          siftLatencies.push(performance.now() - queryStarted);
          siftRun.set(queryId, distinctDocuments(response.results.map((hit) => ingested.sourceToId.get(hit.source) ?? hit.source), options.candidates));
        }
        const siftMetrics = evaluateRun(dataset.qrels, siftRun);
        const configured = (process.env.HYBRID_FUSION ?? 'store') === 'sift' ? 'sift' : 'store';
        fusionComparison = [
          { fusion: configured, ndcg10: round(metrics.ndcg10, 4), recall100: round(metrics.recall100, 4), queryP50Ms: round(percentile(latencies, 0.5), 3) },
          { fusion: 'sift', ndcg10: round(siftMetrics.ndcg10, 4), recall100: round(siftMetrics.recall100, 4), queryP50Ms: round(percentile(siftLatencies, 0.5), 3) },
        ];
      } finally {
        await inSift.close({ keepData: true });
      }
    }
    const ingestSeconds = ingested.ms / 1000;
    const queries = Math.max(1, judged.length);
    const rerank: RerankFigures = {
      applied: options.rerank,
      mode: reranking ? options.rerankMode : null,
      ceiling: round(ceilings.length > 0 ? ceilings.reduce((a, b) => a + b, 0) / ceilings.length : 0, 4),
      calls: round(totals.calls / queries, 2),
      roundTrips: round(totals.roundTrips / queries, 2),
      tokensPerQuery: round((totals.inputTokens + totals.outputTokens) / queries, 1),
      costPerQuery: FLASH_LITE.costUsd('gemini', 'gemini-3.1-flash-lite', totals.inputTokens / queries, totals.outputTokens / queries),
      statuses: totals.statuses,
      rerankP50Ms: round(percentile(rerankLatencies, 0.5), 1),
    };
    return {
      dataset: basename(resolve(options.datasetDir)),
      documents: ingested.documents,
      chunks: ingested.chunks,
      skippedDocuments: ingested.skipped,
      missingQueries: dataset.missingQueries.length,
      ...roundMetrics(metrics),
      candidates: options.candidates,
      retrieval: 'lexical',
      rerank,
      ceiling: rerank.ceiling,
      calls: rerank.calls,
      roundTrips: rerank.roundTrips,
      tokensPerQuery: rerank.tokensPerQuery,
      costPerQuery: rerank.costPerQuery,
      ...(fusionComparison ? { fusionComparison } : {}),
      timings: {
        loadMs: round(loadMs, 1),
        ingestMs: round(ingested.ms, 1),
        indexBuildMs: round(indexBuildMs, 1),
        searchMs: round(searchMs, 1),
        totalMs: round(performance.now() - started, 1),
        queryP50Ms: round(percentile(latencies, 0.5), 3),
        queryP99Ms: round(percentile(latencies, 0.99), 3),
        docsPerSecond: round(ingested.documents / ingestSeconds, 1),
        chunksPerSecond: round(ingested.chunks / ingestSeconds, 1),
      },
    };
  } finally {
    await ranker?.close();
    await judge?.close();
    await sift.close();
  }
}

/** Documents in the order their best chunk ranks, at most `limit`. */
function distinctDocuments(ranked: string[], limit: number): string[] {
  return [...new Set(ranked)].slice(0, limit);
}

function roundMetrics(metrics: RetrievalMetrics): RetrievalMetrics {
  return {
    ndcg10: round(metrics.ndcg10, 4),
    recall10: round(metrics.recall10, 4),
    recall100: round(metrics.recall100, 4),
    mrr10: round(metrics.mrr10, 4),
    queries: metrics.queries,
  };
}
