// The whole HTTP service on the Qdrant store (SIFT_STORE=qdrant) against the wire-compatible
// fake Qdrant, with Ollama-compatible embeddings so that hybrid retrieval runs: the same
// client-visible behaviour as on the embedded store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama } from '../fakes/fake-ollama.js';
import type { FakeServer } from '../fakes/fake-behaviour.js';
import { startFakeQdrant, type FakeQdrant } from '../fakes/fake-qdrant.js';
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
