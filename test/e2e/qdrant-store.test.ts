// The whole HTTP service on the Qdrant store (SIFT_STORE=qdrant) against the wire-compatible
// fake Qdrant, with Ollama-compatible embeddings so that hybrid retrieval runs: the same
// client-visible behaviour as on the embedded store.
import { QdrantClient } from '@qdrant/js-client-rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama } from '../fakes/fake-ollama.js';
import type { FakeServer } from '../fakes/fake-behaviour.js';
import { startFakeQdrant, type FakeQdrant, type RecordedRequest } from '../fakes/fake-qdrant.js';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

const DOCS = [
  { name: 'volcanoes.md', content: '# Volcanoes\n\n## Eruptions\n\nMount Etna erupts several times a year. Lava from Etna reaches the villages of Sicily.' },
  { name: 'glaciers.md', content: '# Glaciers\n\nAlpine glaciers lose about one metre of ice thickness every summer. Meltwater feeds the Rhone river.' },
];

describe('Sift over HTTP with SIFT_STORE=qdrant', () => {
  let qdrant: FakeQdrant;
  let ollama: FakeServer<string>;
  let sift: RunningSift;
  const docs = () => `${sift.url}/v1/collections/earth/documents`;

  beforeAll(async () => {
    qdrant = await startFakeQdrant();
    ollama = await startFakeOllama();
    sift = await startSift({ SIFT_STORE: 'qdrant', QDRANT_URL: qdrant.url, QDRANT_COLLECTION_PREFIX: 'e2e_', EMBEDDINGS_PROVIDER: 'ollama', OLLAMA_BASE_URL: ollama.url });
  });
  afterAll(async () => {
    await sift.stop();
    await ollama.close();
    await qdrant.close();
  });

  it('is ready when Qdrant answers', async () => {
    expect((await fetch(`${sift.url}/readyz`)).status).toBe(200);
  });

  it('ingests, re-ingests and lists documents with their chunks', async () => {
    const first = await fetch(docs(), { method: 'POST', body: uploadForm(DOCS, { team: 'geo' }) });
    expect(first.status).toBe(200);
    expect(((await first.json()) as { summary: unknown }).summary).toMatchObject({ created: 2 });

    const again = await fetch(docs(), { method: 'POST', body: uploadForm(DOCS, { team: 'geo' }) });
    expect(((await again.json()) as { summary: unknown }).summary).toMatchObject({ unchanged: 2 });

    const listed = (await (await fetch(docs())).json()) as { documents: Array<{ id: string; source: string }> };
    expect(listed.documents.map((d) => d.source)).toEqual(['glaciers.md', 'volcanoes.md']);
    const one = (await (await fetch(`${docs()}/${listed.documents[1]!.id}`)).json()) as { chunks: Array<{ text: string }> };
    expect(one.chunks[0]!.text).toContain('Etna');
    expect(qdrant.collections.has('e2e_registry')).toBe(true);
  });

  it('searches with filters and answers from the Qdrant store', async () => {
    const search = await postJson(`${sift.url}/v1/collections/earth/search`, { query: 'Etna lava eruptions', topK: 3, filter: { team: 'geo' } });
    expect(search.status).toBe(200);
    const body = (await search.json()) as { results: Array<{ source: string }> };
    expect(body.results[0]!.source).toBe('volcanoes.md');
    const none = (await (await postJson(`${sift.url}/v1/collections/earth/search`, { query: 'Etna', filter: { team: 'ops' } })).json()) as { results: unknown[] };
    expect(none.results).toEqual([]);

    const ask = await postJson(`${sift.url}/v1/collections/earth/ask`, { question: 'Which river does glacier meltwater feed?' });
    expect(ask.status).toBe(200);
    expect(JSON.stringify(await ask.json())).toContain('Rhone');
  });

  it('replaces a changed document so that only the new text is found', async () => {
    await fetch(docs(), { method: 'POST', body: uploadForm([{ name: 'glaciers.md', content: '# Glaciers\n\nThe Aletsch glacier is the largest in the Alps.' }], { team: 'geo' }) });
    const hits = (await (await postJson(`${sift.url}/v1/collections/earth/search`, { query: 'glacier Rhone Aletsch', topK: 5 })).json()) as {
      results: Array<{ text: string }>;
    };
    const texts = hits.results.map((hit) => hit.text).join(' ');
    expect(texts).toContain('Aletsch');
    expect(texts).not.toContain('Rhone');
  });

  it('reports the store as unavailable when Qdrant fails, and recovers', async () => {
    qdrant.failNext(503, 'overloaded');
    const down = await fetch(`${sift.url}/readyz`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe('STORE_UNAVAILABLE');
    expect((await fetch(`${sift.url}/readyz`)).status).toBe(200);
  });

  it('deletes a collection', async () => {
    expect((await fetch(`${sift.url}/v1/collections/earth`, { method: 'DELETE' })).status).toBeLessThan(300);
    expect((await postJson(`${sift.url}/v1/collections/earth/search`, { query: 'Etna' })).status).toBe(404);
  });
});

// Each way Qdrant can fail Sift, against the fake: the documented error (503 STORE_UNAVAILABLE
// or 504 STORE_TIMEOUT, naming Qdrant), no half-written document, and recovery without a restart.
describe('Sift over HTTP when Qdrant fails', () => {
  type ErrorBody = { error: { code: string; message: string } };
  const FILE = { name: 'tides.md', content: '# Tides\n\nSpring tides follow the new and the full moon. Neap tides follow the quarter moons.' };
  let ollama: FakeServer<string>;
  beforeAll(async () => {
    ollama = await startFakeOllama();
  });
  afterAll(async () => {
    await ollama.close();
  });
  const siftOn = (qdrantUrl: string, extra: Record<string, string> = {}) =>
    startSift({ SIFT_STORE: 'qdrant', QDRANT_URL: qdrantUrl, QDRANT_COLLECTION_PREFIX: 'fail_', EMBEDDINGS_PROVIDER: 'ollama', OLLAMA_BASE_URL: ollama.url, ...extra });
  const upload = (sift: RunningSift) => fetch(`${sift.url}/v1/collections/sea/documents`, { method: 'POST', body: uploadForm([FILE]) });
  const search = (sift: RunningSift, query = 'spring tides moon') => postJson(`${sift.url}/v1/collections/sea/search`, { query, topK: 3 });
  const errorOf = async (response: Response) => ((await response.json()) as ErrorBody).error;
  const listed = async (sift: RunningSift) => {
    const response = await fetch(`${sift.url}/v1/collections/sea/documents`);
    return response.status === 404 ? [] : ((await response.json()) as { documents: Array<{ source: string }> }).documents.map((d) => d.source);
  };

  it('starts while Qdrant is down, answers 503 naming Qdrant, and works once Qdrant is up', async () => {
    const probe = await startFakeQdrant();
    const port = probe.port;
    await probe.close();
    const sift = await siftOn(`http://127.0.0.1:${port}`);
    let qdrant: FakeQdrant | null = null;
    try {
      const ready = await fetch(`${sift.url}/readyz`);
      expect(ready.status).toBe(503);
      const failed = await upload(sift);
      expect(failed.status).toBe(503);
      expect(await errorOf(failed)).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/Qdrant at http:\/\/127\.0\.0\.1:\d+ is not reachable/) });

      qdrant = await startFakeQdrant({ port });
      expect((await fetch(`${sift.url}/readyz`)).status).toBe(200);
      expect((await upload(sift)).status).toBe(200);
      expect(((await (await search(sift)).json()) as { results: Array<{ source: string }> }).results[0]?.source).toBe('tides.md');
    } finally {
      await sift.stop();
      await qdrant?.close();
    }
  });

  describe('once running', () => {
    let qdrant: FakeQdrant;
    let sift: RunningSift;
    beforeAll(async () => {
      qdrant = await startFakeQdrant();
      sift = await siftOn(qdrant.url, { QDRANT_TIMEOUT_MS: '400' });
    });
    afterAll(async () => {
      await sift.stop();
      await qdrant.close();
    });
    const chunkWrite = (request: RecordedRequest) => request.operationId === 'upsert_points' && request.path.includes('chunks_dense');

    it('answers 503 when Qdrant goes away in the middle of writing a document, keeps nothing of it, and writes it on the next try', async () => {
      qdrant.interruptNext('drop', { when: chunkWrite });
      const failed = await upload(sift);
      expect(failed.status).toBe(503);
      expect(await errorOf(failed)).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/Qdrant/) });
      expect(await listed(sift)).toEqual([]);

      expect((await upload(sift)).status).toBe(200);
      expect(await listed(sift)).toEqual(['tides.md']);
    });

    it('answers 503 for a Qdrant 5xx, on a search and on the version flip of a write, leaving the old version current', async () => {
      qdrant.failNext(500, 'Service internal error: shard failure', { when: (request) => request.operationId === 'query_points' });
      const failed = await search(sift);
      expect(failed.status).toBe(503);
      expect(await errorOf(failed)).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/Qdrant at .* \(500\): Service internal error/) });
      expect((await search(sift)).status).toBe(200);

      const changed = { name: 'tides.md', content: '# Tides\n\nKing tides are the highest tides of the year.' };
      qdrant.failNext(503, 'Service Unavailable', { when: (request) => request.operationId === 'upsert_points' && request.path.includes('registry') });
      const flip = await fetch(`${sift.url}/v1/collections/sea/documents`, { method: 'POST', body: uploadForm([changed]) });
      expect(flip.status).toBe(503);
      const texts = ((await (await search(sift, 'king spring tides')).json()) as { results: Array<{ text: string }> }).results.map((r) => r.text).join(' ');
      expect(texts).toContain('Spring tides');
      expect(texts).not.toContain('King tides');
    });

    it('answers 504 STORE_TIMEOUT when Qdrant does not answer in time, then serves the next request', async () => {
      qdrant.interruptNext('hang', { when: (request) => request.operationId === 'query_points' });
      const slow = await search(sift);
      expect(slow.status).toBe(504);
      expect(await errorOf(slow)).toMatchObject({ code: 'STORE_TIMEOUT', message: expect.stringMatching(/Qdrant at .* did not answer within 400 ms/) });
      expect((await search(sift)).status).toBe(200);
    });

    it('answers 503 naming the Qdrant collection deleted behind its back, then creates it again without a restart', async () => {
      const client = new QdrantClient({ url: qdrant.url, checkCompatibility: false });
      const chunks = (await client.getCollections()).collections.map((c) => c.name).find((name) => name.startsWith('fail_chunks_dense'))!;
      await client.deleteCollection(chunks);
      const failed = await search(sift);
      expect(failed.status).toBe(503);
      expect(await errorOf(failed)).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining(`has no collection "${chunks}"`) });

      // The chunks are gone with it; the next write brings the collection back.
      expect((await fetch(`${sift.url}/v1/collections/sea/documents`, { method: 'POST', body: uploadForm([{ ...FILE, content: `${FILE.content} Again.` }]) })).status).toBe(200);
      expect(((await (await search(sift)).json()) as { results: unknown[] }).results.length).toBeGreaterThan(0);

      await client.deleteCollection('fail_registry');
      expect((await search(sift)).status).toBe(503);
      // The registry is made again, empty: the collection is gone, and a new upload starts it afresh.
      expect((await search(sift)).status).toBe(404);
      expect((await upload(sift)).status).toBe(200);
      expect(await listed(sift)).toEqual(['tides.md']);
    });
  });
});
