// The standard APIs over real HTTP, against `node dist/src/main.js` in a child process:
//   - POST /v1/rerank of 100 documents with the fake Gemini as rerank model at a fixed time
//     per call: the request's p50 (all of it is what reranking adds) and round trips;
//   - the same with no model configured: BM25 over the given documents, each request with
//     100 documents the server has not seen (cold), then the same 100 again and again with
//     other queries (warm: their analysis is cached). These rows are a few milliseconds, so
//     the client is the load generator's (http-load.ts): bodies serialized before the clock
//     starts, node:http with keep-alive, so that the client's own JSON and fetch machinery do
//     not land in the server's latency;
//   - POST /v1/chat/completions (plain chat, fake Gemini without delay) against the same
//     LangChain client calling the fake directly in this process: what Sift adds above the
//     model's own time.
// Runs inside `npm run bench`, or alone: `npm run build && node dist/bench/bench/standard-apis.js`.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { geminiChatClient } from '../../src/providers/langchain-chat.js';
import { startFakeGemini } from '../../test/fakes/fake-gemini.js';
import { percentile, round } from '../common/report.js';
import { post } from './http-load.js';
import { startSiftServer } from './sift-server.js';
import { loadWorkload } from './workload.js';

export interface StandardApisOptions {
  repoRoot: string;
  /** Texts to rerank: the first `documents` for the model, warm and chat rows; later slices of `documents` each for the cold BM25 rows. */
  texts: string[];
  queries: string[];
  documents: number;
  modelLatencyMs: number;
  /** Requests per measured row (the model row makes fewer: each costs real model time). */
  requests: number;
  modelRequests: number;
}

export interface StandardApisResult {
  documents: number;
  /** Characters of the documents of one rerank request, together. */
  documentChars?: number;
  modelLatencyMs: number;
  rerankModel: { requests: number; p50Ms: number; p99Ms: number; roundTripsPerRequest: number; callsPerRequest: number; statuses: Record<string, number> };
  /** `serverP50Ms`: the ranking's own time inside the server (the response's `sift.ms`), the rest is HTTP and JSON. */
  rerankBm25: { cold: Bm25Row; warm: Bm25Row };
  chatCompletions: { requests: number; httpP50Ms: number; directP50Ms: number; overheadP50Ms: number };
}

interface Bm25Row {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  serverP50Ms: number;
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

function bm25Row(row: { ms: number[]; server: number[] }): Bm25Row {
  return { requests: row.ms.length, p50Ms: round(percentile(row.ms, 0.5), 3), p99Ms: round(percentile(row.ms, 0.99), 3), serverP50Ms: round(percentile(row.server, 0.5), 3) };
}

async function postJson(url: string, body: unknown): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const parsed = await response.json();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(parsed).slice(0, 300)}`);
  return parsed;
}

export async function measureStandardApis(options: StandardApisOptions): Promise<StandardApisResult> {
  const documents = options.texts.slice(0, options.documents);
  const queryAt = (i: number) => options.queries[i % options.queries.length]!;
  const fake = await startFakeGemini({ apiKey: 'bench' });
  const dataDir = mkdtempSync(join(tmpdir(), 'sift-bench-apis-'));
  const gemini = { GOOGLE_API_KEY: 'bench', GEMINI_BASE_URL: fake.url };
  try {
    // Rerank with the model: every call takes modelLatencyMs; no cache, so each request pays.
    fake.setMode('slow', { endpoint: 'chat', delayMs: options.modelLatencyMs });
    const withModel = await startSiftServer(options.repoRoot, join(dataDir, 'model'), { ...gemini, RERANK_PROVIDER: 'gemini', RERANK_CACHE_SIZE: '0', RERANK_DEADLINE_MS: '60000' });
    const modelMs: number[] = [];
    let roundTrips = 0;
    let calls = 0;
    const statuses: Record<string, number> = {};
    try {
      const url = `http://${withModel.host}:${withModel.port}/v1/rerank`;
      await postJson(url, { query: queryAt(0), documents });
      for (let i = 0; i < options.modelRequests; i++) {
        const { ms, value } = await timed(() => postJson(url, { query: queryAt(i), documents, top_n: 10 }));
        modelMs.push(ms);
        roundTrips += value.sift.rerank.roundTrips;
        calls += value.sift.rerank.calls;
        statuses[value.sift.rerank.status] = (statuses[value.sift.rerank.status] ?? 0) + 1;
      }
    } finally {
      await withModel.stop();
    }
    fake.setMode('normal');

    // No model: BM25 over the given documents; and plain chat completions through the gateway.
    const plain = await startSiftServer(options.repoRoot, join(dataDir, 'plain'), { ...gemini, CHAT_PROVIDER: 'gemini' });
    const bm25 = { cold: { ms: [] as number[], server: [] as number[] }, warm: { ms: [] as number[], server: [] as number[] } };
    const coldSets = Math.floor(options.texts.length / options.documents) - 1;
    const httpChatMs: number[] = [];
    const directChatMs: number[] = [];
    try {
      const base = `http://${plain.host}:${plain.port}`;
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const target = { host: plain.host, port: plain.port, path: '/v1/rerank', bodies: [] };
      const payload = (i: number, texts: string[]) => Buffer.from(JSON.stringify({ query: queryAt(i), documents: texts, top_n: 10 }));
      const rank = async (row: { ms: number[]; server: number[] }, body: Buffer) => {
        const { ms, value } = await timed(() => post(agent, target, body));
        if (value.status !== 200) throw new Error(`/v1/rerank answered ${value.status}: ${value.body.slice(0, 300)}`);
        row.ms.push(ms);
        row.server.push((JSON.parse(value.body) as { sift: { ms: number } }).sift.ms);
      };
      // Warm-up of the server's code paths on the first set, which the cold rows never use.
      for (let i = 0; i < 20; i++) await rank({ ms: [], server: [] }, payload(i, documents));
      for (let set = 1; set <= Math.min(coldSets, options.requests); set++) await rank(bm25.cold, payload(set, options.texts.slice(set * options.documents, (set + 1) * options.documents)));
      for (let i = 0; i < options.requests; i++) await rank(bm25.warm, payload(i, documents));
      agent.destroy();

      const direct = geminiChatClient({ model: 'gemini-3.1-flash-lite', apiKey: 'bench', baseUrl: fake.url, temperature: 0.7 });
      const message = (i: number) => `Tell me about ${queryAt(i)}`;
      for (let i = 0; i < 20; i++) {
        await postJson(`${base}/v1/chat/completions`, { model: 'gemini-3.1-flash-lite', messages: [{ role: 'user', content: message(i) }] });
        await direct.invoke([{ role: 'user', content: message(i) }], {});
      }
      // Interleaved, so both see the same machine load.
      for (let i = 0; i < options.requests; i++) {
        httpChatMs.push((await timed(() => postJson(`${base}/v1/chat/completions`, { model: 'gemini-3.1-flash-lite', messages: [{ role: 'user', content: message(i) }] }))).ms);
        directChatMs.push((await timed(() => direct.invoke([{ role: 'user', content: message(i) }], {}))).ms);
      }
    } finally {
      await plain.stop();
    }

    const n = Math.max(1, options.modelRequests);
    const httpP50 = percentile(httpChatMs, 0.5);
    const directP50 = percentile(directChatMs, 0.5);
    return {
      documents: documents.length,
      modelLatencyMs: options.modelLatencyMs,
      rerankModel: { requests: modelMs.length, p50Ms: round(percentile(modelMs, 0.5), 1), p99Ms: round(percentile(modelMs, 0.99), 1), roundTripsPerRequest: round(roundTrips / n, 2), callsPerRequest: round(calls / n, 2), statuses },
      rerankBm25: { cold: bm25Row(bm25.cold), warm: bm25Row(bm25.warm) },
      chatCompletions: { requests: httpChatMs.length, httpP50Ms: round(httpP50, 3), directP50Ms: round(directP50, 3), overheadP50Ms: round(httpP50 - directP50, 3) },
    };
  } finally {
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// Alone: `node dist/bench/bench/standard-apis.js [dataset folder] [requests] [model requests]`:
// the dataset's first 100 documents (as the full bench sends), or short synthetic notes
// without one. `npm run bench` forks it so that the load generator's process holds nothing
// else (the bench's own process carries a whole loaded store, whose garbage collection would
// land in these latencies), and takes the result over IPC.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
  const topics = ['coffee roasting', 'river floods', 'parental leave', 'hotel costs', 'protein folding', 'solar panels', 'bread baking', 'tax forms', 'train delays', 'bird migration'];
  const [datasetDir, requests = '200', modelRequests = '20'] = process.argv.slice(2);
  // 100 documents for the warm rows and 50 more sets of 100 for the cold ones.
  const workload = datasetDir ? await loadWorkload(datasetDir, { documents: 5100 }) : null;
  const texts = workload
    ? workload.corpus.map((doc) => `${doc.title} ${doc.text}`.trim().slice(0, 8000))
    : Array.from({ length: 100 }, (_, i) => `Note ${i} on ${topics[i % topics.length]}: ${topics[(i * 7) % topics.length]} and ${topics[(i * 3) % topics.length]} in year ${2000 + i}, with details that run on for a sentence or two about the matter at hand.`);
  const queries = workload ? workload.queries.map(([, query]) => query) : topics;
  const result = await measureStandardApis({ repoRoot, texts, queries, documents: 100, modelLatencyMs: 120, requests: Number(requests), modelRequests: Number(modelRequests) });
  const report = { documentChars: texts.slice(0, 100).reduce((sum, text) => sum + text.length, 0), ...result };
  if (process.send) process.send(report);
  else console.log(JSON.stringify(report, null, 2));
}
