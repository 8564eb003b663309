// What sharing the caches in Redis (REDIS_URL) costs and buys (issue 21), on one data
// directory embedded with the fake Gemini and searched with its rerank model:
//   1. /search c=8, hybrid + listwise rerank, every question cached after the warm-up, against
//      two fresh servers one after the other: without REDIS_URL, then with it. Hits come from
//      each server's own LRU in both, so the difference is what Redis costs the hot path;
//   2. a cache-hit rerank across replicas: two servers over one Redis (replica A and B); each
//      new question first on A (the model ranks it, at a fixed delay per call), then on B (a
//      shared hit: one Redis GET per cache), then on B again (B's own LRU).
// The two servers of step 2 read one SQLite file (as the workers of one machine do); the
// shared cache does not care which store is behind it.
import { rmSync } from 'node:fs';
import { startFakeGemini, type FakeGemini } from '../../test/fakes/fake-gemini.js';
import { startRedis } from '../../test/helpers/redis-server.js';
import { percentile, round } from '../common/report.js';
import { ingestCorpus, openSiftContext } from '../common/sift-context.js';
import { runLoad, type LoadResult } from './http-load.js';
import { startSiftServer, type SiftServer } from './sift-server.js';
import type { Workload } from './workload.js';

const COLLECTION = 'replicas';
const RERANK = { candidates: 20, window: 20 };

export interface ReplicaHop {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** The rerank stage's own time. */
  rerankP50Ms: number;
  /** How the rerank stage answered: `complete`, `cached/shared`, `cached/local`, ... */
  outcomes: Record<string, number>;
}

export interface ReplicasResult {
  documents: number;
  modelLatencyMs: number;
  searchC8: { withoutRedis: LoadResult; withRedis: LoadResult };
  acrossReplicas: { firstOnA: ReplicaHop; sameOnB: ReplicaHop; againOnB: ReplicaHop };
}

export interface ReplicasOptions {
  workload: Workload;
  /** Wall time of each /search load phase. */
  seconds: number;
  /** New questions asked across the replicas. */
  crossQueries: number;
  modelLatencyMs: number;
}

interface SearchAnswer {
  trace: { stages: Array<{ stage: string; detail?: { status?: string; cache?: string; ms?: number } }> };
}

async function searchOnce(server: SiftServer, query: string): Promise<{ ms: number; rerank: { status?: string; cache?: string; ms?: number } }> {
  const started = performance.now();
  const response = await fetch(`http://${server.host}:${server.port}/v1/collections/${COLLECTION}/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, topK: 10, rerank: RERANK }),
  });
  const body = (await response.json()) as SearchAnswer;
  const ms = performance.now() - started;
  if (!response.ok) throw new Error(`search answered ${response.status}: ${JSON.stringify(body)}`);
  return { ms, rerank: body.trace.stages.find((stage) => stage.stage === 'rerank')?.detail ?? {} };
}

function hop(answers: Array<Awaited<ReturnType<typeof searchOnce>>>): ReplicaHop {
  const outcomes: Record<string, number> = {};
  for (const { rerank } of answers) {
    const outcome = rerank.cache ? `${rerank.status}/${rerank.cache}` : String(rerank.status);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  const latencies = answers.map((answer) => answer.ms);
  return {
    requests: answers.length,
    p50Ms: round(percentile(latencies, 0.5), 2),
    p99Ms: round(percentile(latencies, 0.99), 2),
    rerankP50Ms: round(percentile(answers.map((answer) => answer.rerank.ms ?? 0), 0.5), 2),
    outcomes,
  };
}

export async function measureReplicas(repoRoot: string, options: ReplicasOptions, log: (line: string) => void): Promise<ReplicasResult> {
  const gemini: FakeGemini = await startFakeGemini();
  const redis = await startRedis();
  const models = { EMBEDDINGS_PROVIDER: 'gemini', RERANK_PROVIDER: 'gemini', GOOGLE_API_KEY: 'bench', GEMINI_BASE_URL: gemini.url, RERANK_DEADLINE_MS: '60000' };
  const sift = await openSiftContext(models);
  try {
    log(`replicas: embedding ${options.workload.corpus.length} documents with the fake Gemini ...`);
    const ingested = await ingestCorpus(sift.ingestion, COLLECTION, options.workload.corpus).finally(() => sift.close({ keepData: true }));
    // Past the held-out questions of step 2, the /search load's questions.
    const crossQueries = options.workload.queries.slice(0, options.crossQueries).map(([, query]) => query);
    const loadQueries = options.workload.queries.slice(options.crossQueries).map(([, query]) => query);
    const search = { path: `/v1/collections/${COLLECTION}/search`, bodies: loadQueries.map((query) => ({ query, topK: 10, rerank: RERANK })) };

    const loadOn = async (env: Record<string, string>) => {
      const server = await startSiftServer(repoRoot, sift.dataDir, { ...models, ...env });
      try {
        const target = { host: server.host, port: server.port, ...search };
        // Every question once (the model ranks it and the caches keep it), then JIT and page cache.
        await runLoad(target, 2, { seconds: 60, maxRequests: search.bodies.length });
        await runLoad(target, 2, { seconds: 3, maxRequests: 5_000 });
        return await runLoad(target, 8, { seconds: options.seconds, maxRequests: 50_000 });
      } finally {
        await server.stop();
      }
    };
    log(`replicas: /search c=8 (hybrid + listwise rerank, cached), without REDIS_URL, ${options.seconds} s ...`);
    const withoutRedis = await loadOn({});
    log(`replicas: /search c=8 (hybrid + listwise rerank, cached), with REDIS_URL, ${options.seconds} s ...`);
    const withRedis = await loadOn({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'bench-load:' });

    log(`replicas: ${crossQueries.length} new questions on replica A, then on B (model latency ${options.modelLatencyMs} ms per call) ...`);
    gemini.setMode('slow', { endpoint: 'chat', delayMs: options.modelLatencyMs });
    const shared = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'bench-replicas:' };
    const a = await startSiftServer(repoRoot, sift.dataDir, { ...models, ...shared });
    const b = await startSiftServer(repoRoot, sift.dataDir, { ...models, ...shared });
    try {
      // Warm both servers' code paths and indexes with questions of the load set.
      for (const query of loadQueries.slice(0, 5)) {
        await searchOnce(a, query);
        await searchOnce(b, query);
      }
      const firstOnA = [];
      const sameOnB = [];
      const againOnB = [];
      for (const query of crossQueries) {
        firstOnA.push(await searchOnce(a, query));
        sameOnB.push(await searchOnce(b, query));
        againOnB.push(await searchOnce(b, query));
      }
      return {
        documents: ingested.documents,
        modelLatencyMs: options.modelLatencyMs,
        searchC8: { withoutRedis, withRedis },
        acrossReplicas: { firstOnA: hop(firstOnA), sameOnB: hop(sameOnB), againOnB: hop(againOnB) },
      };
    } finally {
      await a.stop();
      await b.stop();
    }
  } finally {
    rmSync(sift.dataDir, { recursive: true, force: true });
    await redis.stop();
    await gemini.close();
  }
}
