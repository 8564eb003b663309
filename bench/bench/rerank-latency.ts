// What the rerank layer adds to a query's latency when every model call takes a fixed
// time: the parallel tournament against RankGPT's sequential sliding window, on the same
// queries and 100 candidates, in one run. The model is the wire-compatible fake Gemini from
// the test tree with a fixed delay per call, so the figures measure the scheme (round
// trips, parallel calls, parsing), not a provider's mood.
import { startFakeGemini } from '../../test/fakes/fake-gemini.js';
import type { RerankMode } from '../../src/reranking/rerank-types.js';
import { percentile, round } from '../common/report.js';
import { openSiftContext, warmSearch } from '../common/sift-context.js';

export interface RerankLatencyOptions {
  dataDir: string;
  collection: string;
  queries: string[];
  modelLatencyMs: number;
  candidates: number;
  window: number;
}

export interface SchemeLatency {
  mode: RerankMode;
  queries: number;
  /** The rerank stage's own time per query (what it adds on top of retrieval). */
  addedP50Ms: number;
  addedP99Ms: number;
  callsPerQuery: number;
  roundTripsPerQuery: number;
  statuses: Record<string, number>;
}

export interface RerankLatencyResult {
  modelLatencyMs: number;
  candidates: number;
  window: number;
  schemes: SchemeLatency[];
}

export async function measureRerankLatency(options: RerankLatencyOptions): Promise<RerankLatencyResult> {
  const fake = await startFakeGemini();
  fake.setMode('slow', { endpoint: 'chat', delayMs: options.modelLatencyMs });
  const sift = await openSiftContext(
    { RERANK_PROVIDER: 'gemini', GOOGLE_API_KEY: 'bench', GEMINI_BASE_URL: fake.url, RERANK_CACHE_SIZE: '0', RERANK_DEADLINE_MS: '60000' },
    options.dataDir,
  );
  // The server this stands for has built its search index long before; a cold one would
  // charge its background build to the first reranks.
  await warmSearch(sift.store, options.collection);
  try {
    const schemes: SchemeLatency[] = [];
    for (const mode of ['listwise', 'sliding'] as const) {
      const added: number[] = [];
      let calls = 0;
      let roundTrips = 0;
      const statuses: Record<string, number> = {};
      for (const query of options.queries) {
        const response = await sift.search.search(options.collection, {
          query,
          topK: 10,
          rerank: { mode, candidates: options.candidates, window: options.window },
        });
        const detail = response.trace.stages.find((stage) => stage.stage === 'rerank')?.detail as { ms: number; calls: number; roundTrips: number; status: string };
        added.push(detail.ms);
        calls += detail.calls;
        roundTrips += detail.roundTrips;
        statuses[detail.status] = (statuses[detail.status] ?? 0) + 1;
      }
      const n = Math.max(1, options.queries.length);
      schemes.push({
        mode,
        queries: options.queries.length,
        addedP50Ms: round(percentile(added, 0.5), 1),
        addedP99Ms: round(percentile(added, 0.99), 1),
        callsPerQuery: round(calls / n, 2),
        roundTripsPerQuery: round(roundTrips / n, 2),
        statuses,
      });
    }
    return { modelLatencyMs: options.modelLatencyMs, candidates: options.candidates, window: options.window, schemes };
  } finally {
    await sift.close();
    await fake.close();
  }
}
