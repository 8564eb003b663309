// Two Sift instances on one Qdrant (the fake), one Redis and one fake Gemini (embeddings and
// rerank): a question reranked on A is a shared-cache hit on B, for the rerank and the query
// vector alike; and Redis killed and restarted on its port during a load of searches and
// uploads: every search answers (the trace says the shared cache is unavailable), uploads
// answer 200 or a clean 503 naming Redis, no refused version is ever visible and every visible
// version is whole, and afterwards everything is shared again without a restart.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGemini } from '../fakes/fake-gemini.js';
import { startFakeQdrant, type FakeQdrant } from '../fakes/fake-qdrant.js';
import { startRedis, type RunningRedis } from '../helpers/redis-server.js';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

interface TraceStage {
  stage: string;
  detail?: Record<string, unknown>;
}
interface SearchBody {
  results: Array<{ source: string }>;
  trace: { stages: TraceStage[]; notes: string[] };
}

const RIVERS = ['Danube', 'Rhine', 'Loire', 'Elbe', 'Oder', 'Tagus', 'Po', 'Rhone'];
const NOTES = RIVERS.map((river, i) => ({ name: `${river.toLowerCase()}.md`, content: `# ${river}\n\nThe ${river} river floods in spring; its delta holds ${i + 3} islands and old mills.` }));

/** One upload attempt's version of a file: its marker in every paragraph, and as many paragraphs as `parts`. */
function version(file: string, marker: string, parts: number): string {
  const paragraphs = Array.from({ length: parts }, (_, p) => `Paragraph ${p} of ${marker}: the lock keeper of ${file} logged ${p} barges at dawn.`);
  return `# Lock log\n\n${paragraphs.join('\n\n')}`;
}

const stageDetail = (body: SearchBody, stage: string) => body.trace.stages.find((s) => s.stage === stage)?.detail;

describe('rerank and query-embedding caches shared by two replicas', () => {
  let redis: RunningRedis;
  let qdrant: FakeQdrant;
  let gemini: FakeGemini;
  const replicas: RunningSift[] = [];
  const search = (replica: RunningSift, query: string) => postJson(`${replica.url}/v1/collections/rivers/search`, { query, topK: 5, rerank: { candidates: 8 } });
  const chatCalls = () => gemini.requests.filter((request) => request.endpoint === 'generateContent').length;
  const embedCalls = () => gemini.requests.filter((request) => request.endpoint === 'embedContent' || request.endpoint === 'batchEmbedContents').length;

  beforeAll(async () => {
    redis = await startRedis();
    qdrant = await startFakeQdrant();
    gemini = await startFakeGemini();
    const env = {
      SIFT_STORE: 'qdrant',
      QDRANT_URL: qdrant.url,
      QDRANT_COLLECTION_PREFIX: 'caches_',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: 'caches-test:',
      EMBEDDINGS_PROVIDER: 'gemini',
      RERANK_PROVIDER: 'gemini',
      GOOGLE_API_KEY: 'test-key',
      GEMINI_BASE_URL: gemini.url,
      RERANK_DEADLINE_MS: '5000',
      CHUNK_TOKENS: '32',
      CHUNK_OVERLAP_TOKENS: '0',
    };
    for (let i = 0; i < 2; i++) replicas.push(await startSift(env));
    const uploaded = await fetch(`${replicas[0]!.url}/v1/collections/rivers/documents`, { method: 'POST', body: uploadForm(NOTES) });
    expect(uploaded.status, await uploaded.clone().text()).toBe(200);
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await gemini?.close();
    await qdrant?.close();
    await redis?.stop();
  });

  it('makes a question reranked on A a cache hit on B: no model call, same order, the trace says shared', async () => {
    const [a, b] = replicas as [RunningSift, RunningSift];
    const onA = (await (await search(a, 'which river delta has islands')).json()) as SearchBody;
    expect(stageDetail(onA, 'rerank')).toMatchObject({ status: 'complete' });
    expect(stageDetail(onA, 'embed-query')).toMatchObject({ cached: false });
    const [chats, embeds] = [chatCalls(), embedCalls()];
    expect(chats).toBeGreaterThan(0);
    expect(embeds).toBeGreaterThan(0);

    const onB = (await (await search(b, 'which river delta has islands')).json()) as SearchBody;
    expect(stageDetail(onB, 'rerank')).toMatchObject({ status: 'cached', cache: 'shared', calls: 0 });
    expect(stageDetail(onB, 'embed-query')).toMatchObject({ cached: true, cache: 'shared' });
    expect(onB.results.map((r) => r.source)).toEqual(onA.results.map((r) => r.source));
    expect([chatCalls(), embedCalls()]).toEqual([chats, embeds]);

    const again = (await (await search(b, 'which river delta has islands')).json()) as SearchBody;
    expect(stageDetail(again, 'rerank')).toMatchObject({ status: 'cached', cache: 'local' });
    expect(stageDetail(again, 'embed-query')).toMatchObject({ cache: 'local' });
  });

  it('keeps searches answering and uploads whole or refused with 503 while Redis is killed and restarted, then shares again', async () => {
    const FILES = ['north-lock.md', 'south-lock.md', 'east-lock.md'];
    const accepted = new Map<string, Set<string>>(FILES.map((file) => [file, new Set()]));
    const expectedParts = new Map<string, number>();
    const searches: Array<{ status: number; body: SearchBody | string; during: boolean }> = [];
    const uploads: Array<{ status: number; code?: string; message?: string }> = [];
    let phase: 'before' | 'down' | 'after' = 'before';
    let stop = false;
    let attempt = 0;

    const searchLoop = async (worker: number) => {
      for (let i = 0; !stop; i++) {
        // Half the questions repeat (local hits on each replica), half are new (shared misses).
        const query = i % 2 === 0 ? `${RIVERS[i % RIVERS.length]} river islands` : `${RIVERS[(i + worker) % RIVERS.length]} mills question ${worker}-${i}`;
        const during = phase === 'down';
        const response = await search(replicas[(i + worker) % 2]!, query);
        const text = await response.text();
        searches.push({ status: response.status, body: response.status === 200 ? (JSON.parse(text) as SearchBody) : text, during });
      }
    };
    const uploadLoop = async (worker: number) => {
      while (!stop) {
        const n = attempt++;
        const file = FILES[n % FILES.length]!;
        const marker = `attempt${n}x`;
        const parts = 2 + (n % 3);
        expectedParts.set(marker, parts);
        const response = await fetch(`${replicas[(n + worker) % 2]!.url}/v1/collections/locks/documents`, { method: 'POST', body: uploadForm([{ name: file, content: version(file, marker, parts) }]) });
        const body = (await response.json()) as { error?: { code: string; message: string } };
        uploads.push({ status: response.status, code: body.error?.code, message: body.error?.message });
        if (response.status === 200) accepted.get(file)!.add(marker);
      }
    };

    const load = [...[0, 1, 2].map(searchLoop), ...[0, 1].map(uploadLoop)];
    await sleep(1000);
    await redis.kill();
    phase = 'down';
    // Long enough for every replica to notice and for the load to run through the outage.
    await sleep(2000);
    await redis.start();
    for (const replica of replicas) {
      const deadline = Date.now() + 10_000;
      while ((await fetch(`${replica.url}/readyz`)).status !== 200 && Date.now() < deadline) await sleep(100);
    }
    phase = 'after';
    await sleep(1500);
    stop = true;
    await Promise.all(load);

    // Every search answered, during the outage too, and said when the shared cache was missed.
    const failedSearches = searches.filter((s) => s.status !== 200);
    expect(failedSearches.map((s) => s.body), 'searches that failed').toEqual([]);
    const duringOutage = searches.filter((s) => s.during).map((s) => s.body as SearchBody);
    expect(duringOutage.length).toBeGreaterThan(5);
    expect(duringOutage.some((body) => body.trace.notes.some((note) => /shared cache \(Redis, REDIS_URL\) cannot be reached/.test(note)))).toBe(true);
    expect(duringOutage.some((body) => stageDetail(body, 'rerank')?.sharedCache === 'unavailable')).toBe(true);

    // Uploads: accepted, or refused cleanly with 503 naming Redis; some of each.
    for (const upload of uploads) {
      if (upload.status !== 200) {
        expect(upload.status, upload.message).toBe(503);
        expect(upload.code).toBe('REDIS_UNAVAILABLE');
        expect(upload.message).toContain('REDIS_URL');
      }
    }
    expect(uploads.some((u) => u.status === 503)).toBe(true);
    expect(uploads.filter((u) => u.status === 200).length).toBeGreaterThan(2);

    // Nothing half-written: each file shows one accepted version, with all of its chunks.
    const listed = (await (await fetch(`${replicas[1]!.url}/v1/collections/locks/documents`)).json()) as { documents: Array<{ id: string; source: string }> };
    expect(listed.documents.map((d) => d.source).sort()).toEqual([...FILES].sort());
    for (const { id, source } of listed.documents) {
      const document = (await (await fetch(`${replicas[0]!.url}/v1/collections/locks/documents/${id}`)).json()) as { chunkCount: number; chunks: Array<{ text: string }> };
      const markers = new Set(document.chunks.map((chunk) => /of (attempt\d+x)/.exec(chunk.text)?.[1]));
      expect(markers.size, `${source}: chunks of ${[...markers].join(', ')}`).toBe(1);
      const marker = [...markers][0]!;
      expect(accepted.get(source)!.has(marker), `${source} shows ${marker}, which was not accepted`).toBe(true);
      expect(document.chunks).toHaveLength(document.chunkCount);
      expect(document.chunks).toHaveLength(expectedParts.get(marker)!);
    }

    // Recovered without a restart: a question reranked on B is again a shared hit on A.
    const [a, b] = replicas as [RunningSift, RunningSift];
    expect(stageDetail((await (await search(b, 'after the outage, which river floods')).json()) as SearchBody, 'rerank')).toMatchObject({ status: 'complete' });
    const onA = (await (await search(a, 'after the outage, which river floods')).json()) as SearchBody;
    expect(stageDetail(onA, 'rerank')).toMatchObject({ status: 'cached', cache: 'shared' });
    expect(onA.trace.notes.join(' ')).not.toMatch(/shared cache/);
    const upload = await fetch(`${a.url}/v1/collections/locks/documents`, { method: 'POST', body: uploadForm([{ name: 'north-lock.md', content: version('north-lock.md', 'finalx', 2) }]) });
    expect(upload.status).toBe(200);
  }, 60_000);
});
