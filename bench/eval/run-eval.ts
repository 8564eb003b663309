// One evaluation run: ingest a BEIR corpus into a throw-away data directory through Sift's
// own ingestion, run every judged query through Sift's own search, and score the ranking.
// Retrieval ranks chunks; a document ranks where its best chunk does, which is the usual
// "max passage" rule when documents are longer than one chunk.
import { basename, resolve } from 'node:path';
import { ingestCorpus, openSiftContext } from '../common/sift-context.js';
import { percentile, round } from '../common/report.js';
import { loadDataset, readCorpus } from './beir-dataset.js';
import { evaluateRun, hasRelevant, type RetrievalMetrics } from './metrics.js';

export interface EvalOptions {
  datasetDir: string;
  /** How many documents retrieval hands on (to a reranker, once the evaluation runs one); 100 by default so Recall@100 is defined. */
  candidates: number;
  /** Requested reranker; the evaluation runs none yet. */
  rerank: string;
  onProgress?: (message: string) => void;
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
  rerank: { requested: string; applied: 'none'; note: string | null };
  usage: { tokens: number; costUsd: number; note: string };
  timings: {
    loadMs: number;
    ingestMs: number;
    searchMs: number;
    totalMs: number;
    queryP50Ms: number;
    queryP99Ms: number;
    docsPerSecond: number;
    chunksPerSecond: number;
  };
}

const COLLECTION = 'eval';

export function rerankNote(requested: string): string | null {
  if (requested === 'none') return null;
  return `the evaluation does not run a reranker yet: --rerank ${requested} was accepted, but these figures are the retrieval order (the same as --rerank none).`;
}

export async function runEvaluation(options: EvalOptions): Promise<EvalReport> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  const dataset = await loadDataset(options.datasetDir);
  const loadMs = performance.now() - started;

  // The dataset's own queries are what is measured; the HTTP length guard is not under test.
  // The store is the one asked for (SIFT_STORE=qdrant with QDRANT_URL evaluates Qdrant).
  const sift = await openSiftContext({ MAX_QUERY_CHARS: '1000000', SIFT_STORE: process.env.SIFT_STORE ?? 'sqlite' });
  try {
    progress(`ingesting ${dataset.files.corpus} ...`);
    const ingested = await ingestCorpus(sift.ingestion, COLLECTION, readCorpus(dataset.files.corpus), (n) => progress(`  ${n} documents`));

    // Enough chunks that `candidates` distinct documents usually come back even when
    // documents span several chunks.
    const chunksPerDocument = ingested.documents === 0 ? 1 : Math.max(1, ingested.chunks / ingested.documents);
    const topK = Math.ceil(options.candidates * chunksPerDocument);
    const run = new Map<string, string[]>();
    const latencies: number[] = [];
    const judged = [...dataset.queries].filter(([queryId]) => hasRelevant(dataset.qrels.get(queryId)!));
    progress(`searching ${judged.length} queries ...`);
    const searchStarted = performance.now();
    if (ingested.documents > 0) {
      for (const [queryId, query] of judged) {
        const queryStarted = performance.now();
        const { results } = await sift.search.search(COLLECTION, { query, topK });
        latencies.push(performance.now() - queryStarted);
        const ranked: string[] = [];
        const seen = new Set<string>();
        for (const hit of results) {
          const documentId = ingested.sourceToId.get(hit.source) ?? hit.source;
          if (seen.has(documentId)) continue; // a later chunk of a document already ranked
          seen.add(documentId);
          ranked.push(documentId);
          if (ranked.length === options.candidates) break;
        }
        run.set(queryId, ranked);
      }
    }
    const searchMs = performance.now() - searchStarted;

    // Judged queries without text count as misses: the dataset promised them.
    const metrics = evaluateRun(dataset.qrels, run);
    const ingestSeconds = ingested.ms / 1000;
    return {
      dataset: basename(resolve(options.datasetDir)),
      documents: ingested.documents,
      chunks: ingested.chunks,
      skippedDocuments: ingested.skipped,
      missingQueries: dataset.missingQueries.length,
      ...roundMetrics(metrics),
      candidates: options.candidates,
      retrieval: 'lexical',
      rerank: { requested: options.rerank, applied: 'none', note: rerankNote(options.rerank) },
      usage: { tokens: 0, costUsd: 0, note: 'no model in the loop (lexical retrieval, no reranker)' },
      timings: {
        loadMs: round(loadMs, 1),
        ingestMs: round(ingested.ms, 1),
        searchMs: round(searchMs, 1),
        totalMs: round(performance.now() - started, 1),
        queryP50Ms: round(percentile(latencies, 0.5), 3),
        queryP99Ms: round(percentile(latencies, 0.99), 3),
        docsPerSecond: round(ingested.documents / ingestSeconds, 1),
        chunksPerSecond: round(ingested.chunks / ingestSeconds, 1),
      },
    };
  } finally {
    await sift.close();
  }
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
