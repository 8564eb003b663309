// Hybrid search on the Qdrant store, both ways in one run: fused in Qdrant (one Query API
// call with a BM25 and a dense prefetch, HYBRID_FUSION=store) against fused in Sift (a BM25
// and a dense query, each list sent back whole, HYBRID_FUSION=sift). The Qdrant is the fake
// from the test tree on loopback (in this process, so its own work is in the latency too),
// the embeddings the fake Ollama's; both paths search the same data, the query vectors
// already cached, so the difference is the store round trips and what they carry.
import { startFakeOllama } from '../../test/fakes/fake-ollama.js';
import { startFakeQdrant, type FakeQdrant } from '../../test/fakes/fake-qdrant.js';
import { percentile, round } from '../common/report.js';
import { ingestCorpus, openSiftContext, type SiftContext } from '../common/sift-context.js';
import type { CorpusDocument } from '../eval/beir-dataset.js';

const COLLECTION = 'bench_qdrant';
const TOP_K = 10;

export interface QdrantHybridPath {
  fusion: 'store' | 'sift';
  queries: number;
  /** Query API calls (POST /points/query) per search. */
  queryCallsPerSearch: number;
  /** Every HTTP request to Qdrant per search (registry reads included). */
  requestsPerSearch: number;
  p50Ms: number;
  p99Ms: number;
}

export interface QdrantHybridResult {
  documents: number;
  chunks: number;
  paths: QdrantHybridPath[];
  /** Share of the top-10 chunk ids the two paths agree on, averaged over the queries. */
  top10Overlap: number;
}

async function timePath(sift: SiftContext, qdrant: FakeQdrant, fusion: QdrantHybridPath['fusion'], queries: string[]): Promise<{ path: QdrantHybridPath; top: string[][] }> {
  for (const query of queries) await sift.search.search(COLLECTION, { query, topK: TOP_K }); // warm: JIT and the query-vector cache
  const before = qdrant.requests.length;
  const latencies: number[] = [];
  const top: string[][] = [];
  for (const query of queries) {
    const started = performance.now();
    const { results, retrieval } = await sift.search.search(COLLECTION, { query, topK: TOP_K });
    latencies.push(performance.now() - started);
    if (retrieval !== 'hybrid') throw new Error(`The Qdrant hybrid benchmark ran ${retrieval} retrieval; the embeddings did not apply.`);
    top.push(results.map((result) => result.chunkId));
  }
  const requests = qdrant.requests.slice(before);
  return {
    path: {
      fusion,
      queries: queries.length,
      queryCallsPerSearch: round(requests.filter((request) => request.operationId === 'query_points').length / queries.length, 2),
      requestsPerSearch: round(requests.length / queries.length, 2),
      p50Ms: round(percentile(latencies, 0.5), 3),
      p99Ms: round(percentile(latencies, 0.99), 3),
    },
    top,
  };
}

export async function measureQdrantHybrid(options: { corpus: CorpusDocument[]; queries: string[] }): Promise<QdrantHybridResult> {
  const qdrant = await startFakeQdrant();
  const ollama = await startFakeOllama();
  const env = { SIFT_STORE: 'qdrant', QDRANT_URL: qdrant.url, QDRANT_COLLECTION_PREFIX: 'bench_', EMBEDDINGS_PROVIDER: 'ollama', OLLAMA_BASE_URL: ollama.url };
  const inStore = await openSiftContext({ ...env, HYBRID_FUSION: 'store' });
  const inSift = await openSiftContext({ ...env, HYBRID_FUSION: 'sift' });
  try {
    const ingested = await ingestCorpus(inStore.ingestion, COLLECTION, options.corpus);
    const store = await timePath(inStore, qdrant, 'store', options.queries);
    const sift = await timePath(inSift, qdrant, 'sift', options.queries);
    const overlap = store.top.map((ids, i) => ids.filter((id) => sift.top[i]!.includes(id)).length / Math.max(1, Math.min(ids.length, TOP_K)));
    return {
      documents: ingested.documents,
      chunks: ingested.chunks,
      paths: [store.path, sift.path],
      top10Overlap: round(overlap.reduce((sum, share) => sum + share, 0) / Math.max(1, overlap.length), 4),
    };
  } finally {
    await inStore.close();
    await inSift.close();
    await ollama.close();
    await qdrant.close();
  }
}
