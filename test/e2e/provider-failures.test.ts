// Each provider failure mode, at each stage, ends in a correct response within its time
// budget: a retry that succeeds, a fallback the trace explains, or a clear 5xx — and an
// ingest that fails leaves nothing half-stored.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-behaviour.js';
import { startFakeGemini } from '../fakes/fake-gemini.js';
import { startFakeOllama } from '../fakes/fake-ollama.js';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';
import { readEvents } from '../helpers/sse.js';

const BUDGET_MS = 1000;
const ORIGINAL = 'Ferries to the island leave every hour from pier four. The last ferry departs at midnight.';

const CASES = [
  { name: 'gemini', start: () => startFakeGemini(), env: (url: string) => ({ EMBEDDINGS_PROVIDER: 'gemini', GENERATION_PROVIDER: 'gemini', GOOGLE_API_KEY: 'k', GEMINI_BASE_URL: url }) },
  { name: 'ollama', start: () => startFakeOllama(), env: (url: string) => ({ EMBEDDINGS_PROVIDER: 'ollama', GENERATION_PROVIDER: 'ollama', OLLAMA_BASE_URL: url }) },
] as const;

describe.each(CASES)('$name failures', (provider) => {
  let fake: FakeServer<string>;
  let sift: RunningSift;
  const docs = () => `${sift.url}/v1/collections/ferries/documents`;
  const upload = (name: string, content: string) => fetch(docs(), { method: 'POST', body: uploadForm([{ name, content }]) });
  const search = (query: string) => postJson(`${sift.url}/v1/collections/ferries/search`, { query });
  const ask = (body: Record<string, unknown>) => postJson(`${sift.url}/v1/collections/ferries/ask`, body);
  const timed = async <T>(work: () => Promise<T>) => {
    const started = performance.now();
    const result = await work();
    return { result, ms: performance.now() - started };
  };

  beforeAll(async () => {
    fake = await provider.start();
    sift = await startSift({ ...provider.env(fake.url), MODEL_TIMEOUT_MS: String(BUDGET_MS), GENERATION_TIMEOUT_MS: String(BUDGET_MS), MODEL_MAX_RETRIES: '2', LOG_LEVEL: 'error' });
    expect((await upload('ferries.txt', ORIGINAL)).status).toBe(200);
  });
  afterAll(async () => {
    await sift.stop();
    await fake.close();
  });
  beforeEach(() => {
    fake.setMode('normal');
    fake.clearRequests();
  });

  async function expectNothingStoredFor(source: string) {
    const listed = await (await fetch(docs())).json();
    expect(listed.documents.map((d: { source: string }) => d.source)).not.toContain(source);
  }

  describe('embedding at ingest', () => {
    it('retries a 429 after the wait the provider asked for, then stores the document', async () => {
      fake.setMode('rate-limit', { endpoint: 'embed', times: 1, retryAfterSeconds: 1 });
      const response = await upload('retry.txt', 'Bicycles ride free on the morning ferry.');
      expect(response.status).toBe(200);
      expect((await response.json()).documents[0].status).toBe('created');
      expect(fake.requests.filter((r) => r.mode === 'rate-limit')).toHaveLength(1);
    });

    it.each([
      ['server-error', 502, 'PROVIDER_FAILED'],
      ['malformed-json', 502, 'PROVIDER_BAD_OUTPUT'],
      ['garbage', 502, 'PROVIDER_BAD_OUTPUT'],
      ['hang', 504, 'PROVIDER_TIMEOUT'],
    ] as const)('answers %s with %i %s and stores nothing', async (mode, status, code) => {
      fake.setMode(mode, { endpoint: 'embed' });
      const { result: response, ms } = await timed(() => upload(`${mode}.txt`, 'Cars need a reservation on weekends.'));
      expect(response.status).toBe(status);
      const body = await response.json();
      expect(body.error.code).toBe(code);
      expect(body.error.message).toContain(provider.name);
      // Budget per attempt, three attempts at most, plus backoff between them.
      expect(ms).toBeLessThan(3 * BUDGET_MS + 5000);
      await expectNothingStoredFor(`${mode}.txt`);
    });

    it('keeps the previous version whole when re-embedding an edited file fails', async () => {
      fake.setMode('server-error', { endpoint: 'embed' });
      const response = await upload('ferries.txt', ORIGINAL.replace('pier four', 'pier nine'));
      expect(response.status).toBe(502);
      fake.setMode('normal');
      const found = await (await search('which pier do ferries leave from')).json();
      expect(found.results[0].text).toContain('pier four');
      expect(found.results.map((r: { text: string }) => r.text).join(' ')).not.toContain('pier nine');
    });
  });

  describe('embedding the query', () => {
    it.each(['server-error', 'hang', 'garbage'] as const)('falls back to BM25 on %s and says so in the trace', async (mode) => {
      fake.setMode(mode, { endpoint: 'embed' });
      const { result: response, ms } = await timed(() => search(`last ferry departs ${mode}`));
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body.retrieval).toBe('lexical');
      expect(body.results[0].source).toBe('ferries.txt');
      expect(body.trace.notes.join(' ')).toMatch(/Dense retrieval skipped/);
      expect(ms).toBeLessThan(3 * BUDGET_MS + 5000);
    });
  });

  describe('generation', () => {
    it('retries a 429 and answers with the model', async () => {
      // The wait asked for must fit in the answer's time budget (GENERATION_TIMEOUT_MS).
      fake.setMode('rate-limit', { endpoint: 'chat', times: 1, retryAfterSeconds: 0.3 });
      const answer = await (await ask({ question: 'When does the last ferry depart?' })).json();
      expect(answer).toMatchObject({ mode: 'generated', found: true });
      expect(answer.answer).toMatch(/midnight/);
    });

    it.each(['server-error', 'hang', 'malformed-json', 'garbage', 'cut-stream'] as const)('falls back to the extractive answer on %s, within the budget', async (mode) => {
      fake.setMode(mode, { endpoint: 'chat' });
      const { result: response, ms } = await timed(() => ask({ question: 'When does the last ferry depart?' }));
      expect(response.status).toBe(200);
      const answer = await response.json();
      expect(answer).toMatchObject({ mode: 'extractive', found: true });
      expect(answer.answer).toContain('midnight');
      expect(answer.citations[0].source).toBe('ferries.txt');
      expect(answer.trace.notes.join(' ')).toMatch(/extractive answer given instead/);
      expect(ms).toBeLessThan(3 * BUDGET_MS + 5000);
    });

    it('resets a stream cut off midway and ends with the extractive answer', async () => {
      fake.setMode('cut-stream', { endpoint: 'chat' });
      const events = await readEvents(await ask({ question: 'When does the last ferry depart?', stream: true }));
      const names = events.map((e) => e.event);
      expect(names[0]).toBe('sources');
      expect(names.at(-1)).toBe('done');
      const done = events.at(-1)!.data;
      expect(done.mode).toBe('extractive');
      expect(done.answer).toContain('midnight');
      if (names.includes('reset')) expect(names.indexOf('reset')).toBeLessThan(names.lastIndexOf('token'));
    });

    it('cancels the model call when the streaming client disconnects', async () => {
      fake.setMode('stall', { endpoint: 'chat', afterEvents: 1 });
      const controller = new AbortController();
      const response = await ask({ question: 'When does the last ferry depart?', stream: true });
      const reading = readEvents(response, (event) => {
        if (event.event === 'sources') controller.abort();
      });
      // Abort the body read from our side by cancelling the stream.
      controller.signal.addEventListener('abort', () => void response.body?.cancel().catch(() => undefined));
      await reading.catch(() => undefined);
      for (let i = 0; i < 50 && !fake.requests.some((r) => r.closedByClient); i++) await sleep(50);
      expect(fake.requests.find((r) => r.endpoint === 'chat' || r.endpoint === 'streamGenerateContent')?.closedByClient).toBe(true);
      expect((await fetch(`${sift.url}/healthz`)).status).toBe(200);
    });
  });
});
