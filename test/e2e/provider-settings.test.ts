// How Sift behaves around its model configuration: readiness, a collection embedded with
// another model, the query-embedding cache and the model metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/app-config.js';
import { startFakeOllama, type FakeOllama } from '../fakes/fake-ollama.js';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

describe('provider settings', () => {
  let fake: FakeOllama;
  beforeAll(async () => {
    fake = await startFakeOllama();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('refuses to start gemini without GOOGLE_API_KEY, naming the variable', () => {
    expect(() => loadConfig({ GENERATION_PROVIDER: 'gemini' })).toThrow(ConfigError);
    expect(() => loadConfig({ GENERATION_PROVIDER: 'gemini' })).toThrow(/GOOGLE_API_KEY/);
    expect(() => loadConfig({ EMBEDDINGS_PROVIDER: 'openai' })).toThrow(/EMBEDDINGS_PROVIDER.*"none"\|"gemini"\|"ollama"/);
  });

  it('reports a configured provider that cannot be reached on /readyz', async () => {
    const sift = await startSift({ GENERATION_PROVIDER: 'ollama', OLLAMA_BASE_URL: 'http://127.0.0.1:9' });
    try {
      const response = await fetch(`${sift.url}/readyz`);
      expect(response.status).toBe(503);
      const body = await response.json();
      expect(body.error.code).toBe('PROVIDER_UNAVAILABLE');
      expect(body.error.message).toMatch(/generation provider unreachable/);
      expect((await fetch(`${sift.url}/healthz`)).status).toBe(200);
    } finally {
      await sift.stop();
    }
  });

  describe('with ollama embeddings', () => {
    let sift: RunningSift;
    beforeAll(async () => {
      sift = await startSift({ EMBEDDINGS_PROVIDER: 'ollama', OLLAMA_BASE_URL: fake.url });
      await fetch(`${sift.url}/v1/collections/notes/documents`, { method: 'POST', body: uploadForm([{ name: 'a.txt', content: 'Kettles boil water for tea.' }]) });
    });
    afterAll(async () => {
      await sift.stop();
    });

    it('is ready and lists the provider it checked', async () => {
      const body = await (await fetch(`${sift.url}/readyz`)).json();
      expect(body.checks.providers).toEqual([{ stage: 'embeddings', provider: 'ollama', model: 'embeddinggemma', status: 'ok' }]);
    });

    it('embeds a repeated query once and says so in the trace', async () => {
      fake.clearRequests();
      const first = await (await postJson(`${sift.url}/v1/collections/notes/search`, { query: 'boiling water' })).json();
      const second = await (await postJson(`${sift.url}/v1/collections/notes/search`, { query: 'boiling water' })).json();
      const cachedFlag = (body: any) => body.trace.stages.find((s: { stage: string }) => s.stage === 'embed-query').detail.cached;
      expect([cachedFlag(first), cachedFlag(second)]).toEqual([false, true]);
      expect(fake.requests.filter((r) => r.endpoint === 'embed')).toHaveLength(1);
      expect(second.usage.stages).toEqual([]);
    });

    it('counts model calls and tokens in Prometheus', async () => {
      const text = await (await fetch(`${sift.url}/metrics`)).text();
      expect(text).toMatch(/sift_model_calls_total\{stage="embed",provider="ollama",model="embeddinggemma",outcome="ok"\} [1-9]/);
      expect(text).toMatch(/sift_model_tokens_total\{stage="embed",provider="ollama",model="embeddinggemma",direction="input"\} [1-9]/);
    });

    it('refuses to query or extend a collection with another embedding model, and says how to re-index', async () => {
      const other = await startSift({ EMBEDDINGS_PROVIDER: 'ollama', EMBEDDINGS_MODEL: 'nomic-embed-text', OLLAMA_BASE_URL: fake.url, DATA_DIR: sift.dataDir });
      try {
        const search = await postJson(`${other.url}/v1/collections/notes/search`, { query: 'tea' });
        expect(search.status).toBe(409);
        const body = await search.json();
        expect(body.error.code).toBe('EMBEDDING_MISMATCH');
        expect(body.error.message).toMatch(/ollama\/embeddinggemma.*ollama\/nomic-embed-text.*re-index/);
        fake.clearRequests();
        const upload = await fetch(`${other.url}/v1/collections/notes/documents`, { method: 'POST', body: uploadForm([{ name: 'b.txt', content: 'Teapots keep tea warm.' }]) });
        expect(upload.status).toBe(409);
        expect((await upload.json()).error.message).toMatch(/re-ingest/);
        expect(fake.requests.filter((r) => r.endpoint === 'embed')).toEqual([]);
      } finally {
        await other.app.close();
      }
    });
  });
});
