// The rerank layer over HTTP, with the real LangChain clients against the fake providers:
// it reorders, it keeps every candidate, it answers within its deadline, and it never
// makes the ranking worse than retrieval when the model misbehaves.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-behaviour.js';
import { startFakeGemini } from '../fakes/fake-gemini.js';
import { readPrompt } from '../fakes/fake-model.js';
import { startFakeOllama } from '../fakes/fake-ollama.js';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

// Twelve notes that all mention "coffee", so BM25 returns all of them for the query.
const NOTES = Array.from({ length: 12 }, (_, i) => ({
  name: `note-${String(i).padStart(2, '0')}.txt`,
  content: `Coffee note ${i}: ${'coffee '.repeat(12 - i)}beans from farm ${i} roasted on day ${i}.`,
}));

const CASES = [
  { name: 'gemini', start: () => startFakeGemini(), env: (url: string) => ({ RERANK_PROVIDER: 'gemini', GOOGLE_API_KEY: 'k', GEMINI_BASE_URL: url }) },
  { name: 'ollama', start: () => startFakeOllama(), env: (url: string) => ({ RERANK_PROVIDER: 'ollama', OLLAMA_BASE_URL: url }) },
] as const;

describe.each(CASES)('rerank with $name', (provider) => {
  let fake: FakeServer<string>;
  let sift: RunningSift;
  const search = (body: Record<string, unknown>) => postJson(`${sift.url}/v1/collections/cafe/search`, { query: 'coffee', topK: 12, ...body });
  const sources = (body: any) => body.results.map((r: { source: string }) => r.source);
  const rerankTrace = (body: any) => body.trace.stages.find((s: { stage: string }) => s.stage === 'rerank')?.detail;
  let retrievalOrder: string[];

  beforeAll(async () => {
    fake = await provider.start();
    // No cache here, so each test sees the model; the cache has its own test below.
    sift = await startSift({ ...provider.env(fake.url), RERANK_DEADLINE_MS: '400', RERANK_WINDOW: '5', RERANK_CACHE_SIZE: '0' });
    expect((await fetch(`${sift.url}/v1/collections/cafe/documents`, { method: 'POST', body: uploadForm(NOTES) })).status).toBe(200);
    retrievalOrder = sources(await (await search({ rerank: false })).json());
    expect(retrievalOrder).toHaveLength(12);
  });
  afterAll(async () => {
    await sift.stop();
    await fake.close();
  });
  beforeEach(() => {
    fake.setMode('normal');
    fake.setResponder(null);
    fake.clearRequests();
  });

  /** A model that ranks passages by the farm number in their text, highest first. */
  function rankByFarmDescending() {
    fake.setResponder((request) => {
      const { passages } = readPrompt(request.prompt);
      const farm = (text: string) => Number(/farm (\d+)/.exec(text)?.[1] ?? -1);
      const ids = [...passages].sort((a, b) => farm(b.text) - farm(a.text)).map((p) => p.id);
      return JSON.stringify({ ranking: ids });
    });
  }

  it('reorders the candidates with the listwise tournament and reports ranks, usage and trace', async () => {
    rankByFarmDescending();
    const body = await (await search({ rerank: { mode: 'listwise', candidates: 12 } })).json();
    // Window 5 over 12 candidates: the winners of three windows meet in the final, so the
    // head of the list is exact and every candidate is still there.
    expect(sources(body).slice(0, 3)).toEqual(['note-11.txt', 'note-10.txt', 'note-09.txt']);
    expect([...sources(body)].sort()).toEqual([...retrievalOrder].sort());
    for (const result of body.results) {
      expect(result.rerankRank).toBe(result.rank);
      expect(result.retrievalRank).toBe(retrievalOrder.indexOf(result.source) + 1);
    }
    // 12 candidates, window 5: three windows in parallel, then one final window.
    expect(rerankTrace(body)).toMatchObject({ mode: 'listwise', status: 'complete', calls: 4, roundTrips: 2, failedCalls: 0 });
    expect(body.usage.stages).toEqual([expect.objectContaining({ stage: 'rerank', provider: provider.name, calls: 4 })]);
    expect(rerankTrace(body).inputTokens).toBeGreaterThan(0);
  });

  it('asks for JSON through the provider structured-output option', async () => {
    await search({ query: 'coffee beans', rerank: true });
    const body = fake.requests.find((r) => r.endpoint === 'generateContent' || r.endpoint === 'chat')!.body as any;
    if (provider.name === 'gemini') expect(body.generationConfig.responseMimeType).toBe('application/json');
    else expect(body.format).toMatchObject({ type: 'object', properties: { ranking: { type: 'array' } } });
  });

  it('answers a repeated question from the cache without a model call', async () => {
    rankByFarmDescending();
    const cached = await startSift({ ...provider.env(fake.url), DATA_DIR: sift.dataDir });
    try {
      const searchCached = (query: string) => postJson(`${cached.url}/v1/collections/cafe/search`, { query, rerank: true });
      await searchCached('coffee farm');
      fake.clearRequests();
      const body = await (await searchCached('coffee farm')).json();
      expect(rerankTrace(body)).toMatchObject({ status: 'cached', calls: 0 });
      expect(fake.requests).toHaveLength(0);
      expect(sources(body)[0]).toBe('note-11.txt');
      await searchCached('coffee beans');
      expect(fake.requests.length).toBeGreaterThan(0);
    } finally {
      await cached.app.close();
    }
  });

  it('grades passages pointwise in parallel batches', async () => {
    fake.setResponder((request) => {
      const { passages } = readPrompt(request.prompt);
      return JSON.stringify({ grades: passages.map((p) => ({ id: p.id, grade: /farm (7|3)\b/.test(p.text) ? 3 : 0 })) });
    });
    const body = await (await search({ query: 'coffee roasted', rerank: { mode: 'pointwise', candidates: 12 } })).json();
    expect(sources(body).slice(0, 2).sort()).toEqual(['note-03.txt', 'note-07.txt']);
    expect(rerankTrace(body)).toMatchObject({ mode: 'pointwise', status: 'complete', calls: 2 });
    expect(body.results[0].scores.rerank).toBe(3);
  });

  it('keeps exactly the retrieval order when the model answers nonsense', async () => {
    fake.setMode('garbage', { endpoint: 'chat' });
    const body = await (await search({ rerank: true })).json();
    expect(sources(body)).toEqual(retrievalOrder);
    expect(rerankTrace(body)).toMatchObject({ status: 'fallback' });
    expect(body.trace.notes.join(' ')).toMatch(/Rerank fallback.*no usable ranking/);
  });

  it('keeps ids the model left out, and drops unknown and duplicate ids, after the ranked ones', async () => {
    fake.setResponder((request) => {
      const count = readPrompt(request.prompt).passages.length;
      return `Sure! Ranking: [${count}] > [${count}] > [99] > [1]`;
    });
    const body = await (await search({ rerank: { candidates: 5 } })).json();
    const head = retrievalOrder.slice(0, 5);
    expect(sources(body).slice(0, 5)).toEqual([head[4], head[0], head[1], head[2], head[3]]);
    expect(sources(body).slice(5)).toEqual(retrievalOrder.slice(5));
  });

  it('answers within the deadline in retrieval order when the model hangs', async () => {
    fake.setMode('hang', { endpoint: 'chat' });
    const started = performance.now();
    const response = await search({ rerank: { deadlineMs: 300 } });
    const elapsed = performance.now() - started;
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(sources(body)).toEqual(retrievalOrder);
    expect(rerankTrace(body)).toMatchObject({ status: 'fallback', reason: expect.stringMatching(/deadline/) });
    // The deadline plus the 100 ms the issue allows, plus HTTP on a loaded 2-core machine.
    expect(elapsed).toBeLessThan(300 + 100 + 400);
  });

  it.each(['server-error', 'rate-limit'] as const)('falls back to retrieval order on %s and says why', async (mode) => {
    fake.setMode(mode, { endpoint: 'chat' });
    const body = await (await search({ rerank: true })).json();
    expect(sources(body)).toEqual(retrievalOrder);
    expect(rerankTrace(body).reason).toMatch(mode === 'rate-limit' ? /rate-limit/ : /server/);
  });

  it('marks a rerank partial when one window fails, keeping that window in retrieval order', async () => {
    rankByFarmDescending();
    fake.setMode('server-error', { endpoint: 'chat', times: 1 });
    const body = await (await search({ rerank: { candidates: 12 } })).json();
    expect(rerankTrace(body)).toMatchObject({ status: 'partial', failedCalls: 1 });
    expect(new Set(sources(body))).toEqual(new Set(retrievalOrder));
  });

  it('reranks the passages ask answers from', async () => {
    rankByFarmDescending();
    const body = await (await postJson(`${sift.url}/v1/collections/cafe/ask`, { question: 'coffee beans roasted', rerank: { candidates: 12 }, topK: 3 })).json();
    expect(body.citations[0].source).toBe('note-11.txt');
    expect(body.usage.stages.map((s: { stage: string }) => s.stage)).toContain('rerank');
  });
});

describe('rerank without a model', () => {
  it('keeps retrieval order and says a rerank model would order the candidates', async () => {
    const sift = await startSift();
    try {
      await fetch(`${sift.url}/v1/collections/cafe/documents`, { method: 'POST', body: uploadForm(NOTES.slice(0, 3)) });
      const body = await (await postJson(`${sift.url}/v1/collections/cafe/search`, { query: 'coffee', rerank: true })).json();
      expect(body.results.every((r: { rerankRank: number | null }) => r.rerankRank === null)).toBe(true);
      expect(body.trace.notes.join(' ')).toMatch(/RERANK_PROVIDER=none/);
    } finally {
      await sift.stop();
    }
  });
});
