// The peer library measured beside Sift: MiniSearch, a widely used in-memory full-text
// search library for JavaScript, with its default settings (BM25+ ranking, OR of the query
// terms, lowercase word tokens, no stemming) over the same title + text and the same queries.
// It runs in its own process (this file is forked by the benchmark) so that its peak RSS is
// its own and nothing of Sift's is in its heap.
import MiniSearch from 'minisearch';
import { percentile } from '../common/report.js';
import { evaluateRun } from '../eval/metrics.js';
import { loadWorkload } from './workload.js';

export interface PeerRequest {
  datasetDir: string;
  documentLimit?: number;
  queryLimit?: number;
  /** How many times the query list is run for latency. */
  passes: number;
}

export interface PeerResult {
  library: string;
  version: string;
  documents: number;
  indexMs: number;
  docsPerSecond: number;
  queryP50Ms: number;
  queryP99Ms: number;
  queriesPerSecond: number;
  ndcg10: number;
  recall100: number;
  peakRssBytes: number;
}

export async function measureMiniSearch(request: PeerRequest, version: string): Promise<PeerResult> {
  const workload = await loadWorkload(request.datasetDir, { documents: request.documentLimit, queries: request.queryLimit });
  const index = new MiniSearch<{ id: string; title: string; text: string }>({ fields: ['title', 'text'], idField: 'id' });
  const indexStarted = performance.now();
  index.addAll(workload.corpus);
  const indexMs = performance.now() - indexStarted;

  const run = new Map<string, string[]>();
  for (const [queryId, query] of workload.queries) {
    run.set(queryId, index.search(query).slice(0, 100).map((hit) => String(hit.id)));
  }
  const latencies: number[] = [];
  const searchStarted = performance.now();
  for (let pass = 0; pass < request.passes; pass += 1) {
    for (const [, query] of workload.queries) {
      const begin = performance.now();
      // A result list is built for every match, as an application taking the top 10 would.
      index.search(query).slice(0, 10);
      latencies.push(performance.now() - begin);
    }
  }
  const searchSeconds = (performance.now() - searchStarted) / 1000;
  const quality = evaluateRun(new Map([...workload.qrels].filter(([queryId]) => run.has(queryId))), run);
  return {
    library: 'minisearch',
    version,
    documents: workload.corpus.length,
    indexMs,
    docsPerSecond: workload.corpus.length / (indexMs / 1000),
    queryP50Ms: percentile(latencies, 0.5),
    queryP99Ms: percentile(latencies, 0.99),
    queriesPerSecond: latencies.length / searchSeconds,
    ndcg10: quality.ndcg10,
    recall100: quality.recall100,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

// Forked by the benchmark: the request arrives as argv[2], the result goes back over IPC.
if (process.send && process.argv[2]) {
  const request = JSON.parse(process.argv[2]) as PeerRequest;
  const version = process.argv[3] ?? 'unknown';
  const result = await measureMiniSearch(request, version);
  process.send(result, () => process.exit(0));
}
