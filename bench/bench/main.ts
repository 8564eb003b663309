// `npm run bench [-- --dataset <folder>] [--quick | --scale 8k,80k,400k]`
// (--scale: the embedded store at growing corpus sizes instead, see scale.ts)
// One run, one dataset (SciFact by default), Sift and a peer library side by side:
//   1. ingest throughput through IngestionService (embeddings off), in this process;
//   2. search latency in process (SearchService), the same queries as MiniSearch gets;
//   3. /search at concurrency 1 and 8 and /ask at concurrency 1 over real HTTP, against
//      `node dist/src/main.js` in a child process serving the data written in step 1; then
//      /search at concurrency 8 again with one worker process per core (SIFT_WORKERS);
//   4. MiniSearch in its own child process: index time, query latency, nDCG@10, peak RSS;
//   5. hybrid search on the Qdrant store (the fake Qdrant on loopback, fake embeddings), fused
//      in Qdrant (one Query API call) and fused in Sift (two), in one run (`--only qdrant-hybrid`
//      runs this step alone);
//   6. /search at concurrency 8 with OpenTelemetry off and on (exporting to a local OTLP
//      receiver), two fresh servers on the same data (`--only tracing` runs this step alone);
//   7. the caches shared in Redis: /search c=8 (hybrid + rerank, cached) without and with
//      REDIS_URL, and a rerank cache hit across two replicas (`--only replicas`, see replicas.ts).
// Prints a table with a Sift ÷ peer ratio per figure and writes the same figures as JSON to
// bench/results/local/<timestamp>.json and latest.json there (bench/results/ with --save).
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatCount, formatMs, formatTable, percentile, round } from '../common/report.js';
import { ingestCorpus, openSiftContext, warmSearch, type SiftContext } from '../common/sift-context.js';
import { DatasetError } from '../eval/beir-dataset.js';
import { evaluateRun } from '../eval/metrics.js';
import { runLoad, type LoadResult } from './http-load.js';
import { measureHealthDuringHeavyIngest, type HeavyIngestResult } from './heavy-ingest.js';
import { measureKeyCheckCost, type KeyCheckResult } from './key-check.js';
import { measureClassifyThroughput, type ClassifyThroughputResult } from './classify-throughput.js';
import { benchPdfIngest, type PdfIngestResult } from './pdf-ingest.js';
import { measureRerankLatency, type RerankLatencyResult } from './rerank-latency.js';
import type { StandardApisResult } from './standard-apis.js';
import type { PeerRequest, PeerResult } from './minisearch-peer.js';
import { measureQdrantHybrid, type QdrantHybridResult } from './qdrant-hybrid.js';
import { measureReplicas, type ReplicaHop, type ReplicasResult } from './replicas.js';
import { measureScale, parseScaleSizes, printScaleTable, scaleTargets, type ScaleRow } from './scale.js';
import { DENSE_MAX_CHUNKS, denseTargets, measureDenseScale, printDenseTable, type DenseScaleRow } from './scale-dense.js';
import { consoleLoadRows, measureConsoleLoad } from './console-load.js';
import { startSiftServer } from './sift-server.js';
import { measureTracingOverhead, type TracingOverheadResult } from './tracing-overhead.js';
import { loadWorkload, type Workload } from './workload.js';

const COLLECTION = 'bench';
const SEARCH_TOP_K = 10;

interface Profile {
  name: 'full' | 'quick';
  documentLimit?: number;
  queryLimit?: number;
  /** Passes over the query list for in-process latency. */
  passes: number;
  /** Wall time of each HTTP load phase. */
  loadSeconds: number;
  askSeconds: number;
  /** Queries timed with each rerank scheme. */
  rerankQueries: number;
  /** Pages of the generated PDF. */
  pdfPages: number;
  /** Texts classified in batches, and the (fewer) sent one at a time for the baseline. */
  classifyTexts: number;
  classifyOneByOneTexts: number;
}

const PROFILES: Record<Profile['name'], Profile> = {
  full: { name: 'full', passes: 3, loadSeconds: 10, askSeconds: 6, rerankQueries: 40, pdfPages: 300, classifyTexts: 5000, classifyOneByOneTexts: 40 },
  quick: { name: 'quick', documentLimit: 1000, queryLimit: 100, passes: 1, loadSeconds: 2, askSeconds: 1.5, rerankQueries: 8, pdfPages: 30, classifyTexts: 1000, classifyOneByOneTexts: 10 },
};

// The issues' acceptance figures for this 2-core machine.
const TARGETS = { sharedCacheAddedP50Ms: 0.5, ingestChunksPerSecond: 2000, searchC8P50Ms: 5, searchC8P99Ms: 20, rerankRoundTrips: 2, rerankAddedP50Ms: 350, pdfPeakRssBytes: 500 * 2 ** 20, healthDuringHeavyIngestP99Ms: 50, bm25RerankApiP50Ms: 5, chatCompletionsOverheadP50Ms: 10, keyCheckAddedP50Ms: 0.1 };
// The rerank measurement: a model that takes 120 ms per call, 100 candidates, window 20.
const RERANK = { modelLatencyMs: 120, candidates: 100, window: 20 };
// The Qdrant hybrid measurement: the fake Qdrant holds everything in memory and scores by brute force, so a slice of the corpus.
const QDRANT_HYBRID = { full: { documents: 1000, queries: 100 }, quick: { documents: 300, queries: 50 } };

function qdrantHybridRows(result: QdrantHybridResult): string[] {
  return [
    `hybrid search on Qdrant (fake Qdrant on loopback, fake Ollama embeddings; ${formatCount(result.documents)} documents, ${formatCount(result.chunks)} chunks, ${result.paths[0]?.queries ?? 0} queries, top 10):`,
    formatTable(
      ['fusion', 'Query API calls/search', 'HTTP requests/search', 'p50', 'p99'],
      result.paths.map((path) => [
        path.fusion === 'store' ? 'in Qdrant, one call (HYBRID_FUSION=store)' : 'in Sift, BM25 + dense calls (HYBRID_FUSION=sift)',
        String(path.queryCallsPerSearch),
        String(path.requestsPerSearch),
        formatMs(path.p50Ms),
        formatMs(path.p99Ms),
      ]),
    ),
    `top-10 agreement between the two: ${(result.top10Overlap * 100).toFixed(1)}%`,
  ];
}

async function runHeavyIngest(repoRoot: string, log: (line: string) => void): Promise<HeavyIngestResult> {
  log('heavy ingest: /healthz while a 10,000-page PDF, 50 MB of text and HTML nested 100,000 deep are ingested, then a DOCX of 190 MB XML ...');
  return measureHealthDuringHeavyIngest(repoRoot, { idleSeconds: 3 });
}

async function runKeyCheck(repoRoot: string, profile: Profile, log: (line: string) => void): Promise<KeyCheckResult> {
  const options = profile.name === 'quick' ? { rounds: 3, secondsPerPhase: 0.5 } : { rounds: 8, secondsPerPhase: 1.5 };
  log(`key check: GET /v1/collections/{c}/documents?limit=1 at c=1, no keys vs a scoped key vs a scoped key with a rate limit and budget, ${options.rounds} interleaved rounds of ${options.secondsPerPhase} s ...`);
  return measureKeyCheckCost(repoRoot, options);
}

function keyCheckRows(result: KeyCheckResult): string[] {
  const micros = (ms: number) => `${ms >= 0 ? '+' : ''}${(ms * 1000).toFixed(0)} µs`;
  const row = (label: string, figures: KeyCheckResult['noKeys'], added: { p50: number; mean: number } | null, guard: number | null) => [
    label,
    formatMs(figures.p50Ms),
    formatMs(figures.meanMs),
    formatMs(figures.p99Ms),
    formatCount(figures.requests),
    added === null ? '' : `${micros(added.p50)} / ${micros(added.mean)}`,
    guard === null ? '' : `${guard} µs`,
  ];
  return [
    `API key check, GET /v1/collections/{c}/documents?limit=1 at c=1 (${result.rounds} interleaved rounds of ${result.secondsPerPhase} s each; the guard's work alone timed in process over ${formatCount(result.inProcessMicros.calls)} calls):`,
    formatTable(
      ['server and key', 'p50', 'mean', 'p99', 'requests', 'added p50 / mean', 'guard in process'],
      [
        row('no keys (open server)', result.noKeys, null, null),
        row('scoped read key (hash, key lookup, role, scope)', result.scopedKey, { p50: result.addedP50Ms.scopedKey, mean: result.addedMeanMs.scopedKey }, result.inProcessMicros.scopedKey),
        row('… with a rate limit and a budget (+ bucket write)', result.limitedKey, { p50: result.addedP50Ms.limitedKey, mean: result.addedMeanMs.limitedKey }, result.inProcessMicros.limitedKey),
      ],
    ),
  ];
}

function heavyIngestRows(result: HeavyIngestResult): string[] {
  const latency = (figures: HeavyIngestResult['idle']) => [formatMs(figures.p50Ms), formatMs(figures.p99Ms), formatMs(figures.maxMs), formatCount(figures.requests)];
  const outcome = (file: HeavyIngestResult['files'][number]) => `${file.file} (${formatCount(file.bytes / 1024)} KB): ${file.status}${file.code ? ` ${file.code}` : ''} after ${file.seconds} s`;
  const bomb = result.docxBomb;
  return [
    'HTTP GET /healthz c=1 while hostile files are ingested (parsing runs in parser processes):',
    formatTable(['server', 'p50', 'p99', 'max', 'requests'], [['idle', ...latency(result.idle)], ['during the uploads', ...latency(result.duringIngest)]]),
    ...result.files.map((file) => `  ${outcome(file)}`),
    `  ${outcome(bomb)}; server peak RSS ${formatCount(bomb.serverPeakRssBytes === null ? 0 : bomb.serverPeakRssBytes / 2 ** 20)} MiB (DOCX_MAX_EXPANDED_BYTES ${formatCount(bomb.maxExpandedBytes / 2 ** 20)} MiB)`,
    `  server peak RSS during the uploads: ${formatCount((result.serverPeakRssBytes ?? 0) / 2 ** 20)} MiB`,
  ];
}

async function runQdrantHybrid(datasetDir: string, profile: Profile, log: (line: string) => void): Promise<QdrantHybridResult> {
  const size = QDRANT_HYBRID[profile.name];
  const workload = await loadWorkload(datasetDir, { documents: size.documents, queries: size.queries });
  log(`Qdrant hybrid: ${size.documents} documents into the fake Qdrant, ${size.queries} queries fused in Qdrant and in Sift ...`);
  return measureQdrantHybrid({ corpus: workload.corpus, queries: workload.queries.map(([, query]) => query) });
}
// The shared-cache measurement (issue 21): documents embedded with the fake Gemini, the first
// `crossQueries` questions asked across replicas, the rest as the /search load.
const REPLICAS = { full: { documents: 1000, queries: 300, crossQueries: 40 }, quick: { documents: 300, queries: 60, crossQueries: 8 } };

async function runReplicas(repoRoot: string, datasetDir: string, profile: Profile, log: (line: string) => void): Promise<ReplicasSummary> {
  const size = REPLICAS[profile.name];
  const workload = await loadWorkload(datasetDir, { documents: size.documents, queries: size.queries });
  const result = await measureReplicas(repoRoot, { workload, seconds: profile.loadSeconds, crossQueries: size.crossQueries, modelLatencyMs: RERANK.modelLatencyMs }, log);
  const withoutRedis = summarize(result.searchC8.withoutRedis);
  const withRedis = summarize(result.searchC8.withRedis);
  return { ...result, searchC8: { withoutRedis, withRedis, addedP50Ms: round(withRedis.p50Ms - withoutRedis.p50Ms, 3) } };
}

type ReplicasSummary = Omit<ReplicasResult, 'searchC8'> & { searchC8: { withoutRedis: LatencySummary; withRedis: LatencySummary; addedP50Ms: number } };

function replicasRows(result: ReplicasSummary): string[] {
  const { withoutRedis, withRedis } = result.searchC8;
  const hopRow = (label: string, hop: ReplicaHop) => [label, formatMs(hop.p50Ms), formatMs(hop.p99Ms), formatMs(hop.rerankP50Ms), Object.entries(hop.outcomes).map(([outcome, n]) => `${outcome} ${n}`).join(', ')];
  const across = result.acrossReplicas;
  return [
    `shared caches (REDIS_URL): /search c=8, hybrid + listwise rerank of 20, every question cached after the warm-up (${formatCount(result.documents)} documents embedded by the fake Gemini; two fresh servers on the same data):`,
    formatTable(
      ['server', 'p50', 'p99', 'req/s', 'added p50'],
      [
        ['without REDIS_URL (caches in process)', formatMs(withoutRedis.p50Ms), formatMs(withoutRedis.p99Ms), formatCount(withoutRedis.requestsPerSecond), ''],
        ['with REDIS_URL (LRU in front of Redis)', formatMs(withRedis.p50Ms), formatMs(withRedis.p99Ms), formatCount(withRedis.requestsPerSecond), `${result.searchC8.addedP50Ms >= 0 ? '+' : ''}${(result.searchC8.addedP50Ms * 1000).toFixed(0)} µs`],
      ],
    ),
    `rerank across replicas over one Redis, ${across.firstOnA.requests} new questions at c=1, fake model at ${result.modelLatencyMs} ms per call:`,
    formatTable(
      ['request', 'p50', 'p99', 'rerank stage p50', 'rerank outcomes'],
      [hopRow('first on replica A (the model ranks)', across.firstOnA), hopRow('the same on replica B (shared cache)', across.sameOnB), hopRow('again on replica B (its own LRU)', across.againOnB)],
    ),
  ];
}

// The classification measurement (issue 9): the same 120 ms per call, batches of 50, 4 calls in flight.
const CLASSIFY = { modelLatencyMs: 120, batchSize: 50, concurrency: 4 };

interface LatencySummary {
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
}

function summarize(result: LoadResult): LatencySummary {
  if (result.errors > 0) console.error(`warning: ${result.errors} failed requests, first: ${result.firstError}`);
  return {
    requests: result.requests,
    errors: result.errors,
    p50Ms: round(percentile(result.latenciesMs, 0.5), 3),
    p99Ms: round(percentile(result.latenciesMs, 0.99), 3),
    requestsPerSecond: round(result.requestsPerSecond, 1),
  };
}

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dir !== dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'sift') return dir;
    dir = dirname(dir);
  }
  throw new Error('Cannot find the Sift repository root (package.json named "sift") above the benchmark.');
}

async function measureSift(workload: Workload, profile: Profile, log: (line: string) => void) {
  const sift = await openSiftContext();
  try {
    return { dataDir: sift.dataDir, ...(await measureSiftIn(sift, workload, profile, log)) };
  } catch (error) {
    await sift.close();
    throw error;
  }
}

/** One pass over the queries through SearchService, each query timed. */
async function timeQueries(sift: SiftContext, workload: Workload, options: { filter?: Record<string, string[]> }): Promise<number[]> {
  const latencies: number[] = [];
  for (const [, query] of workload.queries) {
    const begin = performance.now();
    await sift.search.search(COLLECTION, { query, topK: SEARCH_TOP_K, ...options });
    latencies.push(performance.now() - begin);
  }
  return latencies;
}

async function measureSiftIn(sift: SiftContext, workload: Workload, profile: Profile, log: (line: string) => void) {
  log(`ingesting ${workload.corpus.length} documents through IngestionService ...`);
  const ingested = await ingestCorpus(sift.ingestion, COLLECTION, workload.corpus);
  const ingestPeakRssBytes = process.resourceUsage().maxRSS * 1024;
  log('building the in-memory search index ...');
  const indexBuildMs = await warmSearch(sift.store, COLLECTION);

  log('searching in process ...');
  for (const [, query] of workload.queries.slice(0, 30)) await sift.search.search(COLLECTION, { query, topK: SEARCH_TOP_K });
  const latencies: number[] = [];
  const searchStarted = performance.now();
  for (let pass = 0; pass < profile.passes; pass += 1) {
    for (const [, query] of workload.queries) {
      const begin = performance.now();
      await sift.search.search(COLLECTION, { query, topK: SEARCH_TOP_K });
      latencies.push(performance.now() - begin);
    }
  }
  const searchSeconds = (performance.now() - searchStarted) / 1000;

  // The same queries limited to every tenth document by a metadata filter (on `source`, the
  // one field every document has). The first query reads which chunks pass; the rest reuse it.
  const filter = { source: [...ingested.sourceToId.keys()].filter((_, i) => i % 10 === 0) };
  const filteredStarted = performance.now();
  await sift.search.search(COLLECTION, { query: workload.queries[0]![1], topK: SEARCH_TOP_K, filter });
  const filteredFirstMs = performance.now() - filteredStarted;
  const filteredLatencies = await timeQueries(sift, workload, { filter });

  // Both again through FTS5 alone (SQLITE_LEXICAL_INDEX=fts5), on the same file: what the
  // in-memory index saves.
  log('searching in process through FTS5 only ...');
  const ftsOnly = await openSiftContext({ SQLITE_LEXICAL_INDEX: 'fts5' }, sift.dataDir);
  let fts5: { p50Ms: number; p99Ms: number; filteredP50Ms: number; filteredP99Ms: number };
  try {
    const plain = await timeQueries(ftsOnly, workload, {});
    const filtered = await timeQueries(ftsOnly, workload, { filter });
    fts5 = {
      p50Ms: round(percentile(plain, 0.5), 3),
      p99Ms: round(percentile(plain, 0.99), 3),
      filteredP50Ms: round(percentile(filtered, 0.5), 3),
      filteredP99Ms: round(percentile(filtered, 0.99), 3),
    };
  } finally {
    await ftsOnly.close({ keepData: true });
  }

  // Quality on the same queries, documents ranked by their best chunk (as `npm run eval`).
  const topK = Math.ceil(100 * Math.max(1, ingested.chunks / Math.max(1, ingested.documents)));
  const run = new Map<string, string[]>();
  for (const [queryId, query] of workload.queries) {
    const { results } = await sift.search.search(COLLECTION, { query, topK });
    const ranked = [...new Set(results.map((hit) => ingested.sourceToId.get(hit.source) ?? hit.source))].slice(0, 100);
    run.set(queryId, ranked);
  }
  const quality = evaluateRun(new Map([...workload.qrels].filter(([queryId]) => run.has(queryId))), run);
  await sift.close({ keepData: true });

  const seconds = ingested.ms / 1000;
  return {
    ingest: {
      documents: ingested.documents,
      chunks: ingested.chunks,
      ms: round(ingested.ms, 1),
      docsPerSecond: round(ingested.documents / seconds, 1),
      chunksPerSecond: round(ingested.chunks / seconds, 1),
      processPeakRssBytes: ingestPeakRssBytes,
      searchIndexBuildMs: round(indexBuildMs, 1),
    },
    searchInProcess: {
      p50Ms: round(percentile(latencies, 0.5), 3),
      p99Ms: round(percentile(latencies, 0.99), 3),
      queriesPerSecond: round(latencies.length / searchSeconds, 1),
      ndcg10: round(quality.ndcg10, 4),
      recall100: round(quality.recall100, 4),
      filtered: {
        documents: filter.source.length,
        firstMs: round(filteredFirstMs, 3),
        p50Ms: round(percentile(filteredLatencies, 0.5), 3),
        p99Ms: round(percentile(filteredLatencies, 0.99), 3),
      },
      fts5,
    },
  };
}

function searchTarget(workload: Workload) {
  return { path: `/v1/collections/${COLLECTION}/search`, bodies: workload.queries.map(([, query]) => ({ query, topK: SEARCH_TOP_K })) };
}

interface TracingSummary {
  off: LatencySummary;
  on: LatencySummary;
  spansPerRequest: number;
}

function tracingSummary(result: TracingOverheadResult): TracingSummary {
  return { off: summarize(result.off), on: summarize(result.on), spansPerRequest: round(result.spansPerRequest, 2) };
}

function tracingRows(result: TracingSummary): string[] {
  const { off, on } = result;
  return [
    `OpenTelemetry: /search c=8, two fresh servers on the same data, tracing off and on (OTLP/HTTP to a local receiver, ${result.spansPerRequest} spans per request):`,
    formatTable(
      ['tracing', 'p50', 'p99', 'req/s', 'on / off (p50, p99)'],
      [
        ['off (default)', formatMs(off.p50Ms), formatMs(off.p99Ms), formatCount(off.requestsPerSecond), ''],
        ['on', formatMs(on.p50Ms), formatMs(on.p99Ms), formatCount(on.requestsPerSecond), `${ratio(on.p50Ms, off.p50Ms).toFixed(2)}x, ${ratio(on.p99Ms, off.p99Ms).toFixed(2)}x`],
      ],
    ),
  ];
}

/** The profile's share of the dataset, or null (with the reason printed) when it cannot be read. */
async function profileWorkload(datasetDir: string, profile: Profile): Promise<Workload | null> {
  try {
    return await loadWorkload(datasetDir, { documents: profile.documentLimit, queries: profile.queryLimit });
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    console.error(`Dataset problem: ${error.message}`);
    return null;
  }
}

/** `--only tracing`: ingest the corpus, then the tracing rows alone. */
async function runTracingOnly(repoRoot: string, datasetDir: string, profile: Profile, log: (line: string) => void): Promise<TracingSummary | null> {
  const workload = await profileWorkload(datasetDir, profile);
  if (!workload) return null;
  const sift = await openSiftContext();
  try {
    log(`ingesting ${workload.corpus.length} documents through IngestionService ...`);
    await ingestCorpus(sift.ingestion, COLLECTION, workload.corpus);
  } finally {
    await sift.close({ keepData: true });
  }
  try {
    return tracingSummary(await measureTracingOverhead(repoRoot, sift.dataDir, searchTarget(workload), profile.loadSeconds, log));
  } finally {
    rmSync(sift.dataDir, { recursive: true, force: true });
  }
}

async function measureHttp(repoRoot: string, dataDir: string, workload: Workload, profile: Profile, log: (line: string) => void) {
  log('starting node dist/src/main.js (one process) ...');
  const server = await startSiftServer(repoRoot, dataDir);
  const target = { host: server.host, port: server.port };
  const search = { ...target, ...searchTarget(workload) };
  const ask = { ...target, path: `/v1/collections/${COLLECTION}/ask`, bodies: workload.queries.map(([, question]) => ({ question })) };
  const maxRequests = 50_000;
  let single;
  try {
    // Warm-up: JIT, page cache, and the server's in-memory search index, which it builds in
    // the background after its first search (FTS5 answers until then).
    await runLoad(search, 2, { seconds: 4, maxRequests: 5_000 });
    log(`/search, concurrency 1, ${profile.loadSeconds} s ...`);
    const searchC1 = summarize(await runLoad(search, 1, { seconds: profile.loadSeconds, maxRequests }));
    log(`/search, concurrency 8, ${profile.loadSeconds} s ...`);
    const searchC8 = summarize(await runLoad(search, 8, { seconds: profile.loadSeconds, maxRequests }));
    log(`/ask, concurrency 1, ${profile.askSeconds} s ...`);
    const askC1 = summarize(await runLoad(ask, 1, { seconds: profile.askSeconds, maxRequests }));
    // The floor under every route: the same HTTP stack answering a request that does no work.
    // Mean latency at concurrency c is c / throughput, so this bounds what /search can reach.
    log(`/healthz, concurrency 8, ${profile.askSeconds} s ...`);
    const healthC8 = summarize(await runLoad({ ...target, path: '/healthz', method: 'GET', bodies: [] }, 8, { seconds: profile.askSeconds, maxRequests }));
    single = { searchC1, searchC8, askC1, healthC8, serverPeakRssBytes: server.peakRssBytes() };
  } finally {
    await server.stop();
  }

  // The same server as deployed on this machine: one worker process per core (SIFT_WORKERS=auto),
  // sharing the port. The load generator runs on the same cores.
  const workers = availableParallelism();
  log(`starting node dist/src/main.js with SIFT_WORKERS=${workers} ...`);
  const cluster = await startSiftServer(repoRoot, dataDir, { SIFT_WORKERS: String(workers) });
  try {
    const clusterSearch = { ...search, host: cluster.host, port: cluster.port };
    // Every worker builds its own index: warm with enough connections to reach them all.
    await runLoad(clusterSearch, 2 * workers, { seconds: 5, maxRequests: 10_000 });
    log(`/search, concurrency 8, ${workers} workers, ${profile.loadSeconds} s ...`);
    const searchC8 = summarize(await runLoad(clusterSearch, 8, { seconds: profile.loadSeconds, maxRequests }));
    return { ...single, cluster: { workers, searchC8, serverPeakRssBytes: cluster.peakRssBytes() } };
  } finally {
    await cluster.stop();
  }
}

function measurePeer(repoRoot: string, request: PeerRequest): Promise<PeerResult> {
  const version = (JSON.parse(readFileSync(join(repoRoot, 'node_modules/minisearch/package.json'), 'utf8')) as { version: string }).version;
  const script = join(dirname(fileURLToPath(import.meta.url)), 'minisearch-peer.js');
  return new Promise((resolvePeer, reject) => {
    const child = fork(script, [JSON.stringify(request), version], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: PeerResult | null = null;
    child.on('message', (message) => (result = message as PeerResult));
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolvePeer(result) : reject(new Error(`The MiniSearch measurement exited with code ${code} and no result.`))));
  });
}

/** The standard-API measurement in a process of its own (see standard-apis.ts). */
function measureStandardApisApart(datasetDir: string, requests: number, modelRequests: number): Promise<StandardApisResult> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'standard-apis.js');
  return new Promise((resolveResult, reject) => {
    const child = fork(script, [datasetDir, String(requests), String(modelRequests)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: StandardApisResult | null = null;
    child.on('message', (message) => (result = message as StandardApisResult));
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolveResult(result) : reject(new Error(`The standard-API measurement exited with code ${code} and no result.`))));
  });
}

function listwise(result: RerankLatencyResult) {
  return result.schemes.find((scheme) => scheme.mode === 'listwise')!;
}

function ratio(sift: number, peer: number): number {
  return round(sift / peer, 2);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { dataset: { type: 'string' }, quick: { type: 'boolean', default: false }, scale: { type: 'string' }, only: { type: 'string' }, save: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: npm run bench [-- --dataset <folder>] [--quick | --scale <sizes>]`);
    return 2;
  }
  if (values.help) {
    console.log(
      'Usage: npm run bench [-- --dataset <folder>] [--quick | --scale <sizes>] [--save] [--only qdrant-hybrid|heavy-ingest|key-check|tracing|console|replicas] [--scale <sizes> --only dense]\n  --dataset  BEIR folder (default ../shared/datasets/scifact from the repo root)\n  --quick    1,000 documents, 100 queries, 2 s load phases\n  --scale    the embedded store at these corpus sizes in chunks, e.g. 8k,80k,400k (perturbed copies of the dataset)\n  --save     write the results to bench/results/ (committed) instead of bench/results/local/ (ignored)\n  --only qdrant-hybrid  only the Qdrant hybrid rows (printed, not written to bench/results)\n  --only heavy-ingest   only /healthz while hostile files are ingested (printed, not written)\n  --only tracing        only /search c=8 with OpenTelemetry off and on (printed, not written)\n  --only key-check      only the added cost of checking API keys (printed, not written)\n  --only console        the web console\'s gzipped size and navigation-to-interactive time in Chromium (printed, not written)\n  --only replicas       only the shared caches: /search c=8 without and with REDIS_URL, a rerank cache hit across replicas (printed, not written)\n  --scale <sizes> --only dense  only the dense k-NN rows of --scale (exact and bit-quantized, recall@10)\n  BENCH_PORT=N pins the port of the servers the bench starts (one at a time)',
    );
    return 0;
  }
  let scaleSizes: number[] | null = null;
  try {
    scaleSizes = values.scale === undefined ? null : parseScaleSizes(values.scale);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const repoRoot = findRepoRoot();
  const base = process.env.INIT_CWD ?? process.cwd();
  const datasetDir = values.dataset
    ? isAbsolute(values.dataset)
      ? values.dataset
      : resolve(base, values.dataset)
    : resolve(repoRoot, '../shared/datasets/scifact');
  if (!existsSync(join(repoRoot, 'dist/src/main.js'))) {
    console.error('dist/src/main.js is missing: run `npm run build` (npm run bench does it first).');
    return 2;
  }
  const profile = PROFILES[values.quick ? 'quick' : 'full'];
  const log = (line: string) => console.error(line);
  if (values.only !== undefined && !['qdrant-hybrid', 'heavy-ingest', 'key-check', 'tracing', 'console', 'replicas', 'dense'].includes(values.only)) {
    console.error(`--only takes qdrant-hybrid, heavy-ingest, key-check, tracing, console, replicas or (with --scale) dense (got "${values.only}")`);
    return 2;
  }
  if (values.only === 'dense' && !scaleSizes) {
    console.error('--only dense goes with --scale <sizes>');
    return 2;
  }
  if (values.only === 'replicas') {
    const result = await runReplicas(repoRoot, datasetDir, profile, log);
    console.log([`machine: ${availableParallelism()} cores, node ${process.version}, load average at start ${loadavg().map((v) => round(v, 2)).join(' ')}`, ...replicasRows(result), '', JSON.stringify(result)].join('\n'));
    return 0;
  }
  if (values.only === 'key-check') {
    const result = await runKeyCheck(repoRoot, profile, log);
    console.log([`machine: ${availableParallelism()} cores, node ${process.version}, load average at start ${loadavg().map((v) => round(v, 2)).join(' ')}`, ...keyCheckRows(result), '', JSON.stringify(result)].join('\n'));
    return 0;
  }
  if (values.only === 'heavy-ingest') {
    const result = await runHeavyIngest(repoRoot, log);
    console.log([`machine: ${availableParallelism()} cores, node ${process.version}, load average at start ${loadavg().map((v) => round(v, 2)).join(' ')}`, ...heavyIngestRows(result), '', JSON.stringify(result)].join('\n'));
    return 0;
  }
  if (values.only === 'console') {
    const result = await measureConsoleLoad(repoRoot, log);
    console.log([`machine: ${availableParallelism()} cores, node ${process.version}, load average at start ${loadavg().map((v) => round(v, 2)).join(' ')}`, ...consoleLoadRows(result), '', JSON.stringify(result)].join('\n'));
    return 0;
  }
  if (values.only === 'qdrant-hybrid') {
    const result = await runQdrantHybrid(datasetDir, profile, log);
    console.log([`machine: ${availableParallelism()} cores, node ${process.version}, load average at start ${loadavg().map((v) => round(v, 2)).join(' ')}`, ...qdrantHybridRows(result), '', JSON.stringify(result)].join('\n'));
    return 0;
  }
  if (values.only === 'tracing') {
    const result = await runTracingOnly(repoRoot, datasetDir, profile, log);
    if (result === null) return 2;
    console.log([`machine: ${availableParallelism()} cores, node ${process.version}, load average at start ${loadavg().map((v) => round(v, 2)).join(' ')}`, ...tracingRows(result), '', JSON.stringify(result)].join('\n'));
    return 0;
  }
  const started = performance.now();
  // Other work on a shared 2-core machine shows up in every latency; the load average at the
  // start says how much to trust absolute figures (the Sift / peer ratios suffer less).
  const loadAtStart = loadavg().map((value) => round(value, 2));

  const workload = await profileWorkload(datasetDir, profile);
  if (!workload) return 2;

  if (scaleSizes) return runScale(repoRoot, datasetDir, workload, scaleSizes, loadAtStart, log, values.save, values.only === 'dense');

  const sift = await measureSift(workload, profile, log);
  let http;
  let rerank: RerankLatencyResult;
  let tracing: TracingSummary;
  try {
    http = await measureHttp(repoRoot, sift.dataDir, workload, profile, log);
    tracing = tracingSummary(await measureTracingOverhead(repoRoot, sift.dataDir, searchTarget(workload), profile.loadSeconds, log));
    log(`rerank: ${profile.rerankQueries} queries, listwise tournament vs sliding window, model latency ${RERANK.modelLatencyMs} ms ...`);
    rerank = await measureRerankLatency({
      dataDir: sift.dataDir,
      collection: COLLECTION,
      queries: workload.queries.slice(0, profile.rerankQueries).map(([, query]) => query),
      ...RERANK,
    });
  } finally {
    rmSync(sift.dataDir, { recursive: true, force: true });
  }
  log(`classify: ${profile.classifyTexts} texts in batches of ${CLASSIFY.batchSize} (${CLASSIFY.concurrency} in flight) vs ${profile.classifyOneByOneTexts} one at a time, model latency ${CLASSIFY.modelLatencyMs} ms ...`);
  const classify: ClassifyThroughputResult = await measureClassifyThroughput({ ...CLASSIFY, texts: profile.classifyTexts, oneByOneTexts: profile.classifyOneByOneTexts });
  log(`standard APIs: /v1/rerank of 100 documents (fake model at ${RERANK.modelLatencyMs} ms per call, and BM25), /v1/chat/completions overhead ...`);
  const standardApis = await measureStandardApisApart(datasetDir, profile.name === 'quick' ? 50 : 200, profile.rerankQueries);
  log(`PDF: ingesting a generated ${profile.pdfPages}-page PDF in its own process ...`);
  const pdf: PdfIngestResult = await benchPdfIngest({ pages: profile.pdfPages });
  log('measuring MiniSearch in its own process ...');
  const peer = await measurePeer(repoRoot, { datasetDir, documentLimit: profile.documentLimit, queryLimit: profile.queryLimit, passes: profile.passes });
  const qdrantHybrid = await runQdrantHybrid(datasetDir, profile, log);
  const heavyIngest = await runHeavyIngest(repoRoot, log);
  const keyCheck = await runKeyCheck(repoRoot, profile, log);
  const replicas = await runReplicas(repoRoot, datasetDir, profile, log);

  const results = {
    timestamp: new Date().toISOString(),
    profile: profile.name,
    machine: {
      nproc: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadAverageAtStart: loadAtStart,
    },
    dataset: { folder: datasetDir, documents: sift.ingest.documents, chunks: sift.ingest.chunks, queries: workload.queries.length },
    sift: {
      ingest: sift.ingest,
      searchInProcess: sift.searchInProcess,
      http: { searchC1: http.searchC1, searchC8: http.searchC8, askC1: http.askC1, healthC8: http.healthC8, topK: SEARCH_TOP_K },
      serverPeakRssBytes: http.serverPeakRssBytes,
      // The same server with one worker process per core (SIFT_WORKERS=auto).
      workers: { count: http.cluster.workers, searchC8: http.cluster.searchC8, serverPeakRssBytes: http.cluster.serverPeakRssBytes },
      rerank,
      classify,
      standardApis,
      pdf,
      qdrantHybrid,
      heavyIngest,
      keyCheck,
      tracing,
      replicas,
    },
    peer: {
      ...peer,
      indexMs: round(peer.indexMs, 1),
      docsPerSecond: round(peer.docsPerSecond, 1),
      queryP50Ms: round(peer.queryP50Ms, 3),
      queryP99Ms: round(peer.queryP99Ms, 3),
      queriesPerSecond: round(peer.queriesPerSecond, 1),
      ndcg10: round(peer.ndcg10, 4),
      recall100: round(peer.recall100, 4),
    },
    // Sift ÷ peer. Above 1 means Sift is faster for throughputs and slower for latencies.
    ratios: {
      ingestDocsPerSecond: ratio(sift.ingest.docsPerSecond, peer.docsPerSecond),
      searchInProcessP50: ratio(sift.searchInProcess.p50Ms, peer.queryP50Ms),
      searchInProcessP99: ratio(sift.searchInProcess.p99Ms, peer.queryP99Ms),
      httpSearchC1P50: ratio(http.searchC1.p50Ms, peer.queryP50Ms),
      httpSearchC1P99: ratio(http.searchC1.p99Ms, peer.queryP99Ms),
      httpSearchC8P50: ratio(http.searchC8.p50Ms, peer.queryP50Ms),
      httpSearchC8P99: ratio(http.searchC8.p99Ms, peer.queryP99Ms),
      httpSearchC8Throughput: ratio(http.searchC8.requestsPerSecond, peer.queriesPerSecond),
      httpSearchC8WorkersP50: ratio(http.cluster.searchC8.p50Ms, peer.queryP50Ms),
      httpSearchC8WorkersP99: ratio(http.cluster.searchC8.p99Ms, peer.queryP99Ms),
      httpSearchC8WorkersThroughput: ratio(http.cluster.searchC8.requestsPerSecond, peer.queriesPerSecond),
      httpAskC1P50: ratio(http.askC1.p50Ms, peer.queryP50Ms),
      peakRss: http.serverPeakRssBytes === null ? null : ratio(http.serverPeakRssBytes, peer.peakRssBytes),
      peakRssWorkers: http.cluster.serverPeakRssBytes === null ? null : ratio(http.cluster.serverPeakRssBytes, peer.peakRssBytes),
      ndcg10: ratio(sift.searchInProcess.ndcg10, peer.ndcg10),
    },
    targets: {
      ingestChunksPerSecond: { target: `>= ${TARGETS.ingestChunksPerSecond}`, value: sift.ingest.chunksPerSecond, met: sift.ingest.chunksPerSecond >= TARGETS.ingestChunksPerSecond },
      // The default setup, one process (SIFT_WORKERS=1): on this 2-core machine the load
      // generator takes a core, so more workers only compete with it (see the workers rows).
      searchC8P50Ms: { target: `<= ${TARGETS.searchC8P50Ms}`, value: http.searchC8.p50Ms, met: http.searchC8.p50Ms <= TARGETS.searchC8P50Ms },
      searchC8P99Ms: { target: `<= ${TARGETS.searchC8P99Ms}`, value: http.searchC8.p99Ms, met: http.searchC8.p99Ms <= TARGETS.searchC8P99Ms },
      rerankListwiseRoundTrips: { target: `<= ${TARGETS.rerankRoundTrips}`, value: listwise(rerank).roundTripsPerQuery, met: listwise(rerank).roundTripsPerQuery <= TARGETS.rerankRoundTrips },
      rerankListwiseAddedP50Ms: { target: `<= ${TARGETS.rerankAddedP50Ms}`, value: listwise(rerank).addedP50Ms, met: listwise(rerank).addedP50Ms <= TARGETS.rerankAddedP50Ms },
      pdfPeakRssMiB: { target: `<= ${TARGETS.pdfPeakRssBytes / 2 ** 20}`, value: round(pdf.peakRssBytes / 2 ** 20, 1), met: pdf.peakRssBytes <= TARGETS.pdfPeakRssBytes },
      healthDuringHeavyIngestP99Ms: { target: `<= ${TARGETS.healthDuringHeavyIngestP99Ms}`, value: heavyIngest.duringIngest.p99Ms, met: heavyIngest.duringIngest.p99Ms <= TARGETS.healthDuringHeavyIngestP99Ms },
      rerankApiRoundTrips: { target: `<= ${TARGETS.rerankRoundTrips}`, value: standardApis.rerankModel.roundTripsPerRequest, met: standardApis.rerankModel.roundTripsPerRequest <= TARGETS.rerankRoundTrips },
      rerankApiP50Ms: { target: `<= ${TARGETS.rerankAddedP50Ms}`, value: standardApis.rerankModel.p50Ms, met: standardApis.rerankModel.p50Ms <= TARGETS.rerankAddedP50Ms },
      // Checked on documents the server has not seen, as the rerank row is checked without its cache.
      rerankApiBm25P50Ms: { target: `<= ${TARGETS.bm25RerankApiP50Ms}`, value: standardApis.rerankBm25.cold.p50Ms, met: standardApis.rerankBm25.cold.p50Ms <= TARGETS.bm25RerankApiP50Ms },
      chatCompletionsOverheadP50Ms: { target: `<= ${TARGETS.chatCompletionsOverheadP50Ms}`, value: standardApis.chatCompletions.overheadP50Ms, met: standardApis.chatCompletions.overheadP50Ms <= TARGETS.chatCompletionsOverheadP50Ms },
      keyCheckAddedP50Ms: { target: `<= ${TARGETS.keyCheckAddedP50Ms}`, value: keyCheck.addedP50Ms.scopedKey, met: keyCheck.addedP50Ms.scopedKey <= TARGETS.keyCheckAddedP50Ms },
      sharedCacheAddedP50Ms: { target: `<= ${TARGETS.sharedCacheAddedP50Ms}`, value: replicas.searchC8.addedP50Ms, met: replicas.searchC8.addedP50Ms <= TARGETS.sharedCacheAddedP50Ms },
    },
    wallSeconds: 0,
  };
  results.wallSeconds = round((performance.now() - started) / 1000, 1);

  printTable(results);
  // A local run goes to an ignored folder; --save puts it with the committed results.
  const folder = values.save ? 'bench/results' : 'bench/results/local';
  const dir = join(repoRoot, folder);
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const file = join(dir, `${results.timestamp.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, json);
  writeFileSync(join(dir, 'latest.json'), json);
  console.log(`\nwritten: ${file} (and ${folder}/latest.json)${values.save ? '' : '; add --save to keep it with the committed results'}`);
  return 0;
}

async function runScale(repoRoot: string, datasetDir: string, workload: Workload, sizes: number[], loadAtStart: number[], log: (line: string) => void, save: boolean, denseOnly: boolean): Promise<number> {
  const started = performance.now();
  const rows: ScaleRow[] = [];
  const denseRows: DenseScaleRow[] = [];
  for (const size of sizes) {
    if (!denseOnly) rows.push(await measureScale(repoRoot, workload, size, log));
    if (denseOnly || size <= DENSE_MAX_CHUNKS) denseRows.push(await measureDenseScale(workload, size, log));
    else log(`[${size}] no dense rows above ${DENSE_MAX_CHUNKS} chunks (exact k-NN would read every vector per query)`);
  }
  const results = {
    timestamp: new Date().toISOString(),
    profile: denseOnly ? 'scale-dense' : 'scale',
    machine: { nproc: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version, loadAverageAtStart: loadAtStart },
    dataset: { folder: datasetDir, baseDocuments: workload.corpus.length, queries: workload.queries.length },
    rows,
    denseRows,
    targets: { ...(denseOnly ? { chunks: denseRows.at(-1)!.chunks } : scaleTargets(rows)), ...denseTargets(denseRows) },
    wallSeconds: round((performance.now() - started) / 1000, 1),
  };
  if (!denseOnly) printScaleTable(rows);
  printDenseTable(denseRows);
  console.log(`\ntargets at ${formatCount(results.targets.chunks)} chunks:`);
  for (const [name, check] of Object.entries(results.targets)) {
    if (typeof check === 'object') console.log(`  ${name}: ${check.value ?? '-'} (target ${check.target}) ${check.met ? 'met' : 'MISSED'}`);
  }
  console.log(`load average at start: ${loadAtStart.join(' ')}; wall ${results.wallSeconds} s`);
  const folder = save ? 'bench/results' : 'bench/results/local';
  const dir = join(repoRoot, folder);
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const name = denseOnly ? 'scale-dense' : 'scale';
  const file = join(dir, `${name}-${results.timestamp.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, json);
  writeFileSync(join(dir, `${name}-latest.json`), json);
  console.log(`\nwritten: ${file} (and ${folder}/${name}-latest.json)${save ? '' : '; add --save to keep it with the committed results'}`);
  return 0;
}

type Results = {
  profile: string;
  machine: { nproc: number; cpuModel: string; node: string; loadAverageAtStart: number[] };
  dataset: { documents: number; chunks: number; queries: number };
  sift: {
    ingest: { docsPerSecond: number; chunksPerSecond: number; ms: number; processPeakRssBytes: number; searchIndexBuildMs: number };
    searchInProcess: { p50Ms: number; p99Ms: number; queriesPerSecond: number; ndcg10: number; recall100: number; filtered: { documents: number; firstMs: number; p50Ms: number; p99Ms: number }; fts5: { p50Ms: number; p99Ms: number; filteredP50Ms: number; filteredP99Ms: number } };
    http: Record<'searchC1' | 'searchC8' | 'askC1' | 'healthC8', LatencySummary>;
    serverPeakRssBytes: number | null;
    workers: { count: number; searchC8: LatencySummary; serverPeakRssBytes: number | null };
    rerank: RerankLatencyResult;
    classify: ClassifyThroughputResult;
    standardApis: StandardApisResult;
    pdf: PdfIngestResult;
    qdrantHybrid: QdrantHybridResult;
    heavyIngest: HeavyIngestResult;
    keyCheck: KeyCheckResult;
    tracing: TracingSummary;
    replicas: ReplicasSummary;
  };
  peer: PeerResult;
  ratios: Record<string, number | null>;
  targets: Record<string, { target: string; value: number; met: boolean }>;
  wallSeconds: number;
};

function printTable(results: Results): void {
  const { sift, peer, ratios: r } = results;
  const x = (value: number | null | undefined) => (value === null || value === undefined ? '-' : `${value.toFixed(2)}x`);
  const mib = (bytes: number | null) => (bytes === null ? '-' : `${formatCount(bytes / 2 ** 20)} MiB`);
  const h = sift.http;
  const w = sift.workers;
  const rows: string[][] = [
    ['ingest, docs/s', formatCount(sift.ingest.docsPerSecond), formatCount(peer.docsPerSecond), x(r.ingestDocsPerSecond)],
    ['ingest, chunks/s', formatCount(sift.ingest.chunksPerSecond), '-', ''],
    ['in-memory search index build', formatMs(sift.ingest.searchIndexBuildMs), '-', ''],
    ['search in process, p50', formatMs(sift.searchInProcess.p50Ms), formatMs(peer.queryP50Ms), x(r.searchInProcessP50)],
    ['search in process, p99', formatMs(sift.searchInProcess.p99Ms), formatMs(peer.queryP99Ms), x(r.searchInProcessP99)],
    [`… filtered to ${formatCount(sift.searchInProcess.filtered.documents)} documents, p50 / p99`, `${formatMs(sift.searchInProcess.filtered.p50Ms)} / ${formatMs(sift.searchInProcess.filtered.p99Ms)}`, '-', ''],
    ['… that filter\'s first query', formatMs(sift.searchInProcess.filtered.firstMs), '-', ''],
    ['… through FTS5 only, p50 / p99', `${formatMs(sift.searchInProcess.fts5.p50Ms)} / ${formatMs(sift.searchInProcess.fts5.p99Ms)}`, '-', ''],
    ['… through FTS5 only, filtered, p50 / p99', `${formatMs(sift.searchInProcess.fts5.filteredP50Ms)} / ${formatMs(sift.searchInProcess.fts5.filteredP99Ms)}`, '-', ''],
    ['HTTP /search c=1, p50', formatMs(h.searchC1.p50Ms), formatMs(peer.queryP50Ms), x(r.httpSearchC1P50)],
    ['HTTP /search c=1, p99', formatMs(h.searchC1.p99Ms), formatMs(peer.queryP99Ms), x(r.httpSearchC1P99)],
    ['HTTP /search c=1, req/s', formatCount(h.searchC1.requestsPerSecond), '', ''],
    ['HTTP /search c=8, p50', formatMs(h.searchC8.p50Ms), formatMs(peer.queryP50Ms), x(r.httpSearchC8P50)],
    ['HTTP /search c=8, p99', formatMs(h.searchC8.p99Ms), formatMs(peer.queryP99Ms), x(r.httpSearchC8P99)],
    ['HTTP /search c=8, req/s', formatCount(h.searchC8.requestsPerSecond), formatCount(peer.queriesPerSecond), x(r.httpSearchC8Throughput)],
    [`HTTP /search c=8, ${w.count} workers, p50`, formatMs(w.searchC8.p50Ms), formatMs(peer.queryP50Ms), x(r.httpSearchC8WorkersP50)],
    [`HTTP /search c=8, ${w.count} workers, p99`, formatMs(w.searchC8.p99Ms), formatMs(peer.queryP99Ms), x(r.httpSearchC8WorkersP99)],
    [`HTTP /search c=8, ${w.count} workers, req/s`, formatCount(w.searchC8.requestsPerSecond), formatCount(peer.queriesPerSecond), x(r.httpSearchC8WorkersThroughput)],
    ['HTTP /ask c=1, p50', formatMs(h.askC1.p50Ms), formatMs(peer.queryP50Ms), x(r.httpAskC1P50)],
    ['HTTP /ask c=1, p99', formatMs(h.askC1.p99Ms), '', ''],
    ['HTTP GET /healthz c=8, p50 (floor)', formatMs(h.healthC8.p50Ms), '', ''],
    ['HTTP GET /healthz c=8, req/s (ceiling)', formatCount(h.healthC8.requestsPerSecond), '', ''],
    ['peak RSS (Sift server / peer process)', mib(sift.serverPeakRssBytes), mib(peer.peakRssBytes), x(r.peakRss)],
    [`peak RSS (Sift, ${w.count} workers + primary)`, mib(w.serverPeakRssBytes), mib(peer.peakRssBytes), x(r.peakRssWorkers)],
    ['peak RSS (Sift ingest process)', mib(sift.ingest.processPeakRssBytes), '', ''],
    ['nDCG@10', sift.searchInProcess.ndcg10.toFixed(4), peer.ndcg10.toFixed(4), x(r.ndcg10)],
    ['Recall@100', sift.searchInProcess.recall100.toFixed(4), peer.recall100.toFixed(4), ''],
  ];
  console.log(
    [
      `Sift benchmark (${results.profile}): ${formatCount(results.dataset.documents)} documents, ${formatCount(results.dataset.chunks)} chunks, ${results.dataset.queries} queries`,
      `machine: ${results.machine.nproc} cores (${results.machine.cpuModel}), node ${results.machine.node}, load average at start ${results.machine.loadAverageAtStart.join(' ')}; wall ${results.wallSeconds} s`,
      `peer: MiniSearch ${peer.version} in process (defaults); HTTP rows compare Sift over HTTP with the peer's in-process call`,
      '',
      formatTable(['measure', 'Sift', 'MiniSearch', 'Sift / peer'], rows),
      '',
      `rerank of ${sift.rerank.candidates} candidates (window ${sift.rerank.window}), fake model at ${sift.rerank.modelLatencyMs} ms per call, ${sift.rerank.schemes[0]?.queries ?? 0} queries:`,
      formatTable(
        ['scheme', 'added p50', 'added p99', 'calls/query', 'round trips/query', 'outcomes'],
        sift.rerank.schemes.map((scheme) => [
          scheme.mode === 'listwise' ? 'parallel tournament (listwise)' : 'sliding window (RankGPT)',
          formatMs(scheme.addedP50Ms),
          formatMs(scheme.addedP99Ms),
          String(scheme.callsPerQuery),
          String(scheme.roundTripsPerQuery),
          Object.entries(scheme.statuses).map(([status, n]) => `${status} ${n}`).join(', '),
        ]),
      ),
      '',
      `classification, fake model at ${sift.classify.modelLatencyMs} ms per call:`,
      formatTable(
        ['how', 'texts', 'model calls', 'texts/s'],
        [
          [`batches of ${sift.classify.batchSize}, ${sift.classify.concurrency} in flight`, formatCount(sift.classify.batched.texts), formatCount(sift.classify.batched.calls), formatCount(sift.classify.batched.textsPerSecond)],
          ['one text per call, one at a time', formatCount(sift.classify.oneByOne.texts), formatCount(sift.classify.oneByOne.calls), formatCount(sift.classify.oneByOne.textsPerSecond)],
        ],
      ),
      `batched / one at a time: ${sift.classify.speedup}x`,
      '',
      ...qdrantHybridRows(sift.qdrantHybrid),
      '',
      ...heavyIngestRows(sift.heavyIngest),
      '',
      `standard APIs over HTTP, ${sift.standardApis.documents} documents (${formatCount(sift.standardApis.documentChars ?? 0)} characters) per rerank request:`,
      formatTable(
        ['measure', 'p50', 'p99', 'detail'],
        [
          [`POST /v1/rerank, fake model at ${sift.standardApis.modelLatencyMs} ms per call`, formatMs(sift.standardApis.rerankModel.p50Ms), formatMs(sift.standardApis.rerankModel.p99Ms), `${sift.standardApis.rerankModel.roundTripsPerRequest} round trips, ${sift.standardApis.rerankModel.callsPerRequest} calls per request`],
          [`POST /v1/rerank, no model (BM25), documents not seen before`, formatMs(sift.standardApis.rerankBm25.cold.p50Ms), formatMs(sift.standardApis.rerankBm25.cold.p99Ms), `${sift.standardApis.rerankBm25.cold.requests} requests; ranking itself ${formatMs(sift.standardApis.rerankBm25.cold.serverP50Ms)} p50 in the server`],
          [`POST /v1/rerank, no model (BM25), the same documents again`, formatMs(sift.standardApis.rerankBm25.warm.p50Ms), formatMs(sift.standardApis.rerankBm25.warm.p99Ms), `${sift.standardApis.rerankBm25.warm.requests} requests; ranking itself ${formatMs(sift.standardApis.rerankBm25.warm.serverP50Ms)} p50 in the server`],
          ['POST /v1/chat/completions above the model\'s own time', formatMs(sift.standardApis.chatCompletions.overheadP50Ms), '', `${formatMs(sift.standardApis.chatCompletions.httpP50Ms)} through Sift, ${formatMs(sift.standardApis.chatCompletions.directP50Ms)} calling the model directly`],
        ],
      ),
      '',
      ...keyCheckRows(sift.keyCheck),
      '',
      ...tracingRows(sift.tracing),
      '',
      ...replicasRows(sift.replicas),
      '',
      `PDF ingest (${sift.pdf.pages} pages, ${sift.pdf.chunks} chunks): ${formatCount(sift.pdf.ingestPagesPerSecond)} pages/s ingest, ${formatCount(sift.pdf.parsePagesPerSecond)} pages/s text extraction, peak RSS ${mib(sift.pdf.peakRssBytes)}`,
      '',
      'targets (issues 4, 6, 7, 13, 14, 18, 21; this 2-core machine):',
      ...Object.entries(results.targets).map(([name, t]) => `  ${t.met ? 'met    ' : 'NOT met'}  ${name} ${t.target}: ${t.value}`),
      `requests failed: ${h.searchC1.errors + h.searchC8.errors + h.askC1.errors + h.healthC8.errors + w.searchC8.errors + sift.replicas.searchC8.withoutRedis.errors + sift.replicas.searchC8.withRedis.errors}`,
    ].join('\n'),
  );
}

process.exitCode = await main();
