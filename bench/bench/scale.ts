// `npm run bench -- --scale 8k,80k,400k`: the embedded store at growing sizes. For each size
// N it builds a corpus of about N chunks from the dataset (the documents, then perturbed
// copies of them: seeded, so every run sees the same text), and measures, in this process:
// ingest rate, the in-memory index build, search latency, a write of 100 documents and how
// soon they are found; then over HTTP against `node dist/src/main.js`: restart to the first
// query the index answers (its saved file present), /search at c=8, /search at c=8 while 100
// documents are uploaded, and the index build from the text while c=8 load runs (file removed).
// The c=8 load comes from a process of its own (runLoadInChild): this one has just held the
// in-process store, and its garbage collections would otherwise count as the server's latency.
// Dense k-NN, exact and quantized, has its rows in scale-dense.ts (main.ts runs both per size).

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatCount, formatMs, formatTable, percentile, round } from '../common/report.js';
import { ingestCorpus, openSiftContext, warmSearch, type SiftContext } from '../common/sift-context.js';
import type { CorpusDocument } from '../eval/beir-dataset.js';
import { runLoadInChild, type LoadResult } from './http-load.js';
import { startSiftServer, type SiftServer } from './sift-server.js';
import type { Workload } from './workload.js';

const COLLECTION = 'bench';
const TOP_K = 10;
const WRITE_DOCUMENTS = 100;
/** Documents per ingest call while growing the corpus (ingestCorpus batches them further). */
const GROW_BATCH = 4096;
const LOAD_SECONDS = 10;

// Issue 22's acceptance figures for this machine, checked at the largest size run.
export const SCALE_TARGETS = {
  /** The size the targets are judged at (the run's row nearest to it; larger rows are reported beside). */
  atChunks: 400_000,
  indexBuildMs: 10_000,
  buildPerChunkGrowth: 1.5,
  afterWriteP50Ratio: 2,
  newDocumentsVisibleMs: 1000,
  restartToFastQueryMs: 5000,
  inProcessP50Ms: 1,
  httpC8P99Ms: 20,
  rssBytes: 2 ** 30,
};

/** "8k", "80000", "1M" -> chunk counts. */
export function parseScaleSizes(text: string): number[] {
  const sizes = text.split(',').map((part) => {
    const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(part.trim());
    if (!match) throw new Error(`--scale takes chunk counts like 8k,80k,400k; "${part}" is not one`);
    const value = Number(match[1]) * (match[2]!.toLowerCase() === 'k' ? 1e3 : match[2]!.toLowerCase() === 'm' ? 1e6 : 1);
    if (value < 100) throw new Error(`--scale sizes start at 100 chunks; got ${part}`);
    return Math.round(value);
  });
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** A seeded generator (mulberry32): the same copies on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Copy `copy` of a document: about 8 % of its words swapped for words drawn from the whole
 * corpus (so by their frequency there) and 4 % dropped. Copy 0 is the document itself.
 */
function perturbed(document: CorpusDocument, copy: number, words: readonly string[]): CorpusDocument {
  if (copy === 0) return document;
  const random = seeded(copy * 7919 + document.id.length * 104_729 + document.id.charCodeAt(0));
  const vary = (text: string) =>
    text
      .split(/\s+/)
      .flatMap((word) => {
        const roll = random();
        if (roll < 0.08) return [words[Math.floor(random() * words.length)]!];
        return roll < 0.12 ? [] : [word];
      })
      .join(' ');
  return { id: `${document.id}~${copy}`, title: vary(document.title), text: vary(document.text) };
}

/** Document `index` of the endless corpus: the dataset's documents, then copy 1 of each, and so on. */
export function scaledDocument(base: readonly CorpusDocument[], index: number, words: readonly string[]): CorpusDocument {
  return perturbed(base[index % base.length]!, Math.floor(index / base.length), words);
}

/** The 100 documents of the write: copies no size reaches, each with a word found nowhere else. */
function writeBatch(base: readonly CorpusDocument[], words: readonly string[]): CorpusDocument[] {
  return Array.from({ length: WRITE_DOCUMENTS }, (_, i) => {
    const document = perturbed(base[i % base.length]!, 1_000_000 + i, words);
    return { ...document, id: `written-${i}`, text: `${document.text} scalemarker${i}` };
  });
}

function latency(samples: readonly number[]) {
  return { p50Ms: round(percentile(samples, 0.5), 3), p99Ms: round(percentile(samples, 0.99), 3), requests: samples.length };
}

async function timeQueries(sift: SiftContext, queries: readonly string[], passes: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let pass = 0; pass < passes; pass++) {
    for (const query of queries) {
      const begin = performance.now();
      await sift.search.search(COLLECTION, { query, topK: TOP_K });
      latencies.push(performance.now() - begin);
    }
  }
  return latencies;
}

function rssOf(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

interface SearchAnswer {
  results: Array<{ source: string }>;
  trace: { stages: Array<{ stage: string; detail?: { path?: string } }> };
}

/** One /search; a connection reset on the way is retried once (the load phases count theirs). */
async function searchOnce(server: SiftServer, query: string, retry = true): Promise<SearchAnswer> {
  const response = await fetch(`http://${server.host}:${server.port}/v1/collections/${COLLECTION}/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, topK: TOP_K }),
  }).catch((error: Error) => {
    if (!retry) throw error;
    return null;
  });
  if (!response) return searchOnce(server, query, false);
  if (!response.ok) throw new Error(`search answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as SearchAnswer;
}

const answeredByIndex = (answer: SearchAnswer) => answer.trace.stages.find((stage) => stage.stage === 'lexical')?.detail?.path === 'index';

/** Polls until the server's index answers; ms from `since`, or null at the deadline. */
async function untilIndexAnswers(server: SiftServer, query: string, since: number, deadline: number): Promise<number | null> {
  while (performance.now() < deadline) {
    if (answeredByIndex(await searchOnce(server, query))) return performance.now() - since;
    await sleep(50);
  }
  return null;
}

/** Polls until a search for `query` returns `source`; ms from `since`, or null after 30 s. */
async function untilFound(find: () => Promise<string[]>, source: string, since: number): Promise<number | null> {
  while (performance.now() - since < 30_000) {
    if ((await find()).includes(source)) return performance.now() - since;
    await sleep(10);
  }
  return null;
}

async function uploadDocuments(server: SiftServer, documents: readonly CorpusDocument[]): Promise<void> {
  const form = new FormData();
  for (const document of documents) form.append('files', new Blob([`${document.title}\n\n${document.text}`], { type: 'text/plain' }), `${document.id}.txt`);
  const response = await fetch(`http://${server.host}:${server.port}/v1/collections/${COLLECTION}/documents`, { method: 'POST', body: form });
  if (response.status !== 200) throw new Error(`the upload answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
}

/** Failed requests of a load phase, said on stderr (a reset connection, a 5xx) and counted in the row. */
function failures(result: LoadResult, phase: string, log: (line: string) => void): number {
  if (result.errors > 0) log(`warning: ${result.errors} failed requests during ${phase}, first: ${result.firstError}`);
  return result.errors;
}

function split(result: LoadResult, from: number, to: number) {
  const during: number[] = [];
  const after: number[] = [];
  result.sentAtMs.forEach((sentAt, i) => {
    if (sentAt >= from && sentAt <= to) during.push(result.latenciesMs[i]!);
    else if (sentAt > to) after.push(result.latenciesMs[i]!);
  });
  return { during: latency(during), after: latency(after) };
}

/** The documents copies are made of (those with any text) and the words perturbations draw from. */
export function scaleSource(workload: Workload): { base: CorpusDocument[]; words: string[] } {
  const base = workload.corpus.filter((document) => (document.text.trim() || document.title).trim() !== '');
  return { base, words: base.flatMap((document) => document.text.split(/\s+/)).filter((word) => word !== '') };
}

export async function measureScale(repoRoot: string, workload: Workload, chunks: number, log: (line: string) => void) {
  const { base, words } = scaleSource(workload);
  const queries = workload.queries.map(([, query]) => query);
  // The upload of the write phase goes in one request and is answered when it is done.
  const serverEnv = { JOB_THRESHOLD_FILES: String(WRITE_DOCUMENTS * 2), MAX_UPLOAD_FILES: String(WRITE_DOCUMENTS * 2) };

  log(`[${formatCount(chunks)}] ingesting through IngestionService ...`);
  const sift = await openSiftContext();
  const dataDir = sift.dataDir;
  try {
    let ingested = { documents: 0, chunks: 0, ms: 0 };
    while (ingested.chunks < chunks) {
      // Sized from the chunks per document so far, so the corpus ends close to the size asked for.
      const perDocument = ingested.documents === 0 ? 1.5 : ingested.chunks / ingested.documents;
      const documents = Math.max(1, Math.min(GROW_BATCH, Math.ceil((chunks - ingested.chunks) / perDocument)));
      const batch = Array.from({ length: documents }, (_, i) => scaledDocument(base, ingested.documents + i, words));
      const result = await ingestCorpus(sift.ingestion, COLLECTION, batch);
      ingested = { documents: ingested.documents + result.documents, chunks: ingested.chunks + result.chunks, ms: ingested.ms + result.ms };
    }
    log(`[${formatCount(chunks)}] ${formatCount(ingested.chunks)} chunks; building the in-memory index ...`);
    const buildMs = await warmSearch(sift.store, COLLECTION);
    const memory = process.memoryUsage();
    await timeQueries(sift, queries.slice(0, 30), 1);
    const before = latency(await timeQueries(sift, queries, 2));

    log(`[${formatCount(chunks)}] writing ${WRITE_DOCUMENTS} documents in process ...`);
    const written = writeBatch(base, words);
    const writeStarted = performance.now();
    await ingestCorpus(sift.ingestion, COLLECTION, written);
    const writeMs = performance.now() - writeStarted;
    const findInProcess = async () => (await sift.search.search(COLLECTION, { query: 'scalemarker0', topK: TOP_K })).results.map((hit) => hit.source);
    const visibleInProcessMs = await untilFound(findInProcess, written[0]!.id, writeStarted + writeMs);
    const afterWrite = latency(await timeQueries(sift, queries, 2));
    const closeStarted = performance.now();
    await sift.close({ keepData: true });
    const closeMs = performance.now() - closeStarted;

    log(`[${formatCount(chunks)}] restarting the server over the saved index ...`);
    const restartStarted = performance.now();
    let server = await startSiftServer(repoRoot, dataDir, serverEnv);
    let http;
    try {
      const restartMs = await untilIndexAnswers(server, queries[0]!, restartStarted, performance.now() + 120_000);
      const serverRssBytes = rssOf(server.pid);
      await runLoadInChild(searchTarget(server, queries), 8, { seconds: 2, maxRequests: 10_000 });
      log(`[${formatCount(chunks)}] /search c=8, ${LOAD_SECONDS} s ...`);
      const c8 = await runLoadInChild(searchTarget(server, queries), 8, { seconds: LOAD_SECONDS, maxRequests: 200_000 });
      // Again after the load: the index's search tables fill in after the restart.
      const serverRssAfterLoadBytes = rssOf(server.pid);

      log(`[${formatCount(chunks)}] /search c=8 while ${WRITE_DOCUMENTS} documents are uploaded ...`);
      const uploads = writeBatch(base, words).map((document) => ({ ...document, id: `uploaded-${document.id}`, text: document.text.replace(/scalemarker(\d+)/, 'uploadmarker$1') }));
      // Long enough that requests after the upload are measured too, however long it takes.
      const load = runLoadInChild(searchTarget(server, queries), 8, { seconds: 2 * LOAD_SECONDS, maxRequests: 400_000 });
      await sleep(2000);
      const uploadStarted = performance.now();
      await uploadDocuments(server, uploads);
      const uploadEnded = performance.now();
      const findOverHttp = async () => (await searchOnce(server, 'uploadmarker0')).results.map((hit) => hit.source);
      const visibleOverHttpMs = await untilFound(findOverHttp, `${uploads[0]!.id}.txt`, uploadEnded);
      const loaded = await load;
      const during = split(loaded, uploadStarted, uploadEnded);
      http = { restartMs: restartMs === null ? null : round(restartMs, 1), serverRssBytes, serverRssAfterLoadBytes, errors: failures(c8, 'c=8', log) + failures(loaded, 'the upload', log), c8: { ...latency(c8.latenciesMs), requestsPerSecond: round(c8.requestsPerSecond, 1) }, upload: { ms: round(uploadEnded - uploadStarted, 1), visibleMs: visibleOverHttpMs === null ? null : round(visibleOverHttpMs, 1), ...during } };
    } finally {
      await server.stop();
    }

    log(`[${formatCount(chunks)}] the index built from the text while /search runs at c=8 ...`);
    rmSync(join(dataDir, 'lexical-index'), { recursive: true, force: true });
    const rebuildStarted = performance.now();
    server = await startSiftServer(repoRoot, dataDir, serverEnv);
    let rebuild;
    try {
      // Long enough to see a build under load end (it takes several times the quiet build).
      const bound = Math.min(180, Math.max(60, (4 * buildMs) / 1000));
      const load = runLoadInChild(searchTarget(server, queries), 8, { seconds: bound, maxRequests: 1_000_000 });
      const builtMs = await untilIndexAnswers(server, queries[0]!, rebuildStarted, rebuildStarted + bound * 1000);
      const result = await load;
      rebuild = { underC8Ms: builtMs === null ? null : round(builtMs, 1), requestsPerSecond: round(result.requestsPerSecond, 1), errors: failures(result, 'the rebuild', log) };
    } finally {
      await server.stop();
    }

    return {
      chunks: ingested.chunks,
      documents: ingested.documents,
      ingestChunksPerSecond: round(ingested.chunks / (ingested.ms / 1000), 1),
      indexBuildMs: round(buildMs, 1),
      indexBuildUsPerChunk: round((buildMs * 1000) / ingested.chunks, 2),
      processRssBytes: memory.rss,
      processHeapUsedBytes: memory.heapUsed,
      searchInProcess: before,
      write: { ms: round(writeMs, 1), visibleInProcessMs: visibleInProcessMs === null ? null : round(visibleInProcessMs, 2), searchAfter: afterWrite },
      closeAndSaveMs: round(closeMs, 1),
      http,
      rebuild,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function searchTarget(server: SiftServer, queries: readonly string[]) {
  return { host: server.host, port: server.port, path: `/v1/collections/${COLLECTION}/search`, bodies: queries.map((query) => ({ query, topK: TOP_K })) };
}

export type ScaleRow = Awaited<ReturnType<typeof measureScale>>;

/** The targets, judged at the size nearest SCALE_TARGETS.atChunks (and the build growth against the smallest). */
export function scaleTargets(rows: readonly ScaleRow[]) {
  const largest = rowNearest(rows, SCALE_TARGETS.atChunks);
  const smallest = rows[0]!;
  const growth = round(largest.indexBuildUsPerChunk / smallest.indexBuildUsPerChunk, 2);
  const t = SCALE_TARGETS;
  const check = (target: string, value: number | null, met: boolean) => ({ target, value, met });
  const afterRatio = round(largest.write.searchAfter.p50Ms / largest.searchInProcess.p50Ms, 2);
  return {
    chunks: largest.chunks,
    indexBuildMs: check(`<= ${t.indexBuildMs}`, largest.indexBuildMs, largest.indexBuildMs <= t.indexBuildMs),
    buildPerChunkGrowth: check(`<= ${t.buildPerChunkGrowth}x`, growth, growth <= t.buildPerChunkGrowth),
    afterWriteP50Ratio: check(`<= ${t.afterWriteP50Ratio}x`, afterRatio, afterRatio <= t.afterWriteP50Ratio),
    newDocumentsVisibleMs: check(`<= ${t.newDocumentsVisibleMs}`, largest.http.upload.visibleMs, largest.http.upload.visibleMs !== null && largest.http.upload.visibleMs <= t.newDocumentsVisibleMs),
    restartToFastQueryMs: check(`<= ${t.restartToFastQueryMs}`, largest.http.restartMs, largest.http.restartMs !== null && largest.http.restartMs <= t.restartToFastQueryMs),
    inProcessP50Ms: check(`<= ${t.inProcessP50Ms}`, largest.searchInProcess.p50Ms, largest.searchInProcess.p50Ms <= t.inProcessP50Ms),
    httpC8P99Ms: check(`<= ${t.httpC8P99Ms}`, largest.http.c8.p99Ms, largest.http.c8.p99Ms <= t.httpC8P99Ms),
    serverRssMiB: check(`<= ${t.rssBytes / 2 ** 20}`, serverRss(largest) === null ? null : round(serverRss(largest)! / 2 ** 20, 1), (serverRss(largest) ?? Infinity) <= t.rssBytes),
  };
}

/** The row whose corpus is nearest `chunks` (by ratio). */
export function rowNearest<Row extends { chunks: number }>(rows: readonly Row[], chunks: number): Row {
  const distance = (row: Row) => Math.abs(Math.log(row.chunks / chunks));
  return rows.reduce((best, row) => (distance(row) < distance(best) ? row : best));
}

/** The server's larger RSS of the two samples: right after the restart, and after the c=8 load. */
function serverRss(row: ScaleRow): number | null {
  const samples = [row.http.serverRssBytes, row.http.serverRssAfterLoadBytes].filter((bytes): bytes is number => bytes !== null);
  return samples.length === 0 ? null : Math.max(...samples);
}

export function printScaleTable(rows: readonly ScaleRow[]): void {
  const mib = (bytes: number | null) => (bytes === null ? '-' : `${formatCount(bytes / 2 ** 20)} MiB`);
  const ms = (value: number | null) => (value === null ? 'not reached' : formatMs(value));
  const pair = (a: { p50Ms: number; p99Ms: number }) => `${formatMs(a.p50Ms)} / ${formatMs(a.p99Ms)}`;
  const table: Array<[string, (row: ScaleRow) => string]> = [
    ['documents', (row) => formatCount(row.documents)],
    ['ingest, chunks/s', (row) => formatCount(row.ingestChunksPerSecond)],
    ['in-memory index build', (row) => formatMs(row.indexBuildMs)],
    ['… per chunk', (row) => `${row.indexBuildUsPerChunk.toFixed(2)} µs`],
    ['search in process, p50 / p99', (row) => pair(row.searchInProcess)],
    [`write of ${WRITE_DOCUMENTS} documents in process`, (row) => formatMs(row.write.ms)],
    ['… found by search after', (row) => ms(row.write.visibleInProcessMs)],
    ['… search in process after, p50 / p99', (row) => pair(row.write.searchAfter)],
    ['close (saves the index)', (row) => formatMs(row.closeAndSaveMs)],
    ['restart to first index-served query', (row) => ms(row.http.restartMs)],
    ['server RSS after restart / after c=8', (row) => `${mib(row.http.serverRssBytes)} / ${mib(row.http.serverRssAfterLoadBytes)}`],
    ['HTTP /search c=8, p50 / p99', (row) => pair(row.http.c8)],
    ['HTTP /search c=8, req/s', (row) => formatCount(row.http.c8.requestsPerSecond)],
    [`HTTP upload of ${WRITE_DOCUMENTS} documents under c=8`, (row) => formatMs(row.http.upload.ms)],
    ['… c=8 during the upload, p50 / p99', (row) => pair(row.http.upload.during)],
    ['… c=8 after the upload, p50 / p99', (row) => pair(row.http.upload.after)],
    ['… uploaded documents found after', (row) => ms(row.http.upload.visibleMs)],
    ['index build from text under c=8', (row) => ms(row.rebuild.underC8Ms)],
    ['… c=8 req/s meanwhile', (row) => formatCount(row.rebuild.requestsPerSecond)],
    ['bench process RSS / heap after build', (row) => `${mib(row.processRssBytes)} / ${mib(row.processHeapUsedBytes)}`],
  ];
  console.log(formatTable(['chunks', ...rows.map((row) => formatCount(row.chunks))], table.map(([label, cell]) => [label, ...rows.map(cell)])));
}
