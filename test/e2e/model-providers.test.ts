// Sift with real LangChain clients against the wire-compatible Gemini and Ollama fakes:
// embeddings at ingest, hybrid search, generated and streamed answers with checked
// citations, and the usage ledger.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGemini } from '../fakes/fake-gemini.js';
import { startFakeOllama } from '../fakes/fake-ollama.js';
import { countTokens } from '../fakes/fake-model.js';
import type { FakeServer } from '../fakes/fake-behaviour.js';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';
import { readEvents } from '../helpers/sse.js';

const DOCS = [
  { name: 'volcanoes.md', content: '# Volcanoes\n\n## Eruptions\n\nMount Etna erupts several times a year. Lava from Etna reaches the villages of Sicily.\n\n## Monitoring\n\nSeismometers around the crater record tremors before an eruption.' },
  { name: 'glaciers.md', content: '# Glaciers\n\nAlpine glaciers lose about one metre of ice thickness every summer. Meltwater feeds the Rhone river.' },
  { name: 'deserts.txt', content: 'The Atacama desert in Chile receives almost no rain. Astronomers build telescopes there because the air is dry and clear.' },
];

interface ProviderCase {
  name: 'gemini' | 'ollama';
  start: () => Promise<FakeServer<string>>;
  env: (url: string) => Record<string, string>;
}

const CASES: ProviderCase[] = [
  {
    name: 'gemini',
    start: () => startFakeGemini(),
    env: (url) => ({ EMBEDDINGS_PROVIDER: 'gemini', GENERATION_PROVIDER: 'gemini', GOOGLE_API_KEY: 'test-key', GEMINI_BASE_URL: url }),
  },
  {
    name: 'ollama',
    start: () => startFakeOllama(),
    env: (url) => ({ EMBEDDINGS_PROVIDER: 'ollama', GENERATION_PROVIDER: 'ollama', OLLAMA_BASE_URL: url }),
  },
];

describe.each(CASES)('with the $name provider', (provider) => {
  let fake: FakeServer<string>;
  let sift: RunningSift;
  const docs = () => `${sift.url}/v1/collections/earth/documents`;
  const ask = (body: Record<string, unknown>) => postJson(`${sift.url}/v1/collections/earth/ask`, body);

  beforeAll(async () => {
    fake = await provider.start();
    sift = await startSift({ ...provider.env(fake.url), MODEL_TIMEOUT_MS: '1500', GENERATION_TIMEOUT_MS: '1500', MODEL_MAX_RETRIES: '2' });
    const upload = await fetch(docs(), { method: 'POST', body: uploadForm(DOCS) });
    expect(upload.status).toBe(200);
  });
  afterAll(async () => {
    await sift.stop();
    await fake.close();
  });
  beforeEach(() => {
    fake.setMode('normal');
    fake.clearRequests();
  });

  it('embeds chunks at ingest and records the model on the collection', async () => {
    const collections = await (await fetch(`${sift.url}/v1/collections`)).json();
    expect(collections.collections[0]).toMatchObject({ name: 'earth', documentCount: 3, embeddingModel: expect.stringContaining(`${provider.name}/`) });
    expect(collections.collections[0].embeddingDimension).toBeGreaterThan(8);
  });

  it('searches hybrid: BM25 and dense k-NN fused, each result with both scores', async () => {
    const response = await (await postJson(`${sift.url}/v1/collections/earth/search`, { query: 'Etna lava eruptions', topK: 3 })).json();
    expect(response.retrieval).toBe('hybrid');
    expect(response.results[0]).toMatchObject({ source: 'volcanoes.md', retrievalRank: 1 });
    expect(response.results[0].scores).toEqual({ lexical: expect.any(Number), dense: expect.any(Number), fused: expect.any(Number) });
    expect(response.trace.stages.map((s: { stage: string }) => s.stage)).toEqual(expect.arrayContaining(['lexical', 'embed-query', 'dense']));
    expect(response.usage.stages).toEqual([expect.objectContaining({ stage: 'embed', provider: provider.name, calls: 1 })]);
  });

  it('finds by meaning what shares no term with the query, through the dense side', async () => {
    // "seismometers tremors" has no BM25 match in other docs; the dense side still ranks the volcano passage.
    const response = await (await postJson(`${sift.url}/v1/collections/earth/search`, { query: 'tremors recorded by seismometers', topK: 2 })).json();
    expect(response.results[0].source).toBe('volcanoes.md');
    // Its two small sections share one passage.
    expect(response.results[0]).toMatchObject({ headingPath: ['Volcanoes'], text: expect.stringContaining('Monitoring\n\nSeismometers') });
  });

  it('answers with a generated, cited answer whose citations were all in its context', async () => {
    const response = await ask({ question: 'How much ice do alpine glaciers lose every summer?' });
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer).toMatchObject({ mode: 'generated', found: true, note: null, retrieval: 'hybrid' });
    expect(answer.answer).toMatch(/one metre of ice/);
    expect(answer.answer).toMatch(/\[\d+\]/);
    const chatCall = fake.requests.find((r) => r.endpoint === 'generateContent' || r.endpoint === 'chat')!;
    const prompt = JSON.stringify(chatCall.body).replace(/\\n/g, " ");
    for (const citation of answer.citations) {
      expect(prompt).toContain(citation.snippet.slice(0, 40));
      expect(answer.answer).toContain(`[${citation.n}]`);
    }
    expect(answer.citations[0]).toMatchObject({ source: 'glaciers.md' });
    expect(answer.usage.stages.map((s: { stage: string }) => s.stage).sort()).toEqual(['embed', 'generate']);
  });

  it('says "not found" with no citations when the model finds no support', async () => {
    const answer = await (await ask({ question: 'Which telescopes use dry air in the Atacama?', filter: { source: 'glaciers.md' } })).json();
    expect(answer).toMatchObject({ found: false, citations: [], mode: 'generated' });
    expect(answer.answer).toMatch(/not found in the documents/i);
  });

  it('streams sources, then tokens, then a final event with the answer, citations, usage and trace', async () => {
    const response = await ask({ question: 'Why do astronomers build telescopes in the Atacama desert?', stream: true });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = await readEvents(response);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('sources');
    expect(names.at(-1)).toBe('done');
    expect(names.filter((n) => n === 'token').length).toBeGreaterThan(1);
    const done = events.at(-1)!.data;
    expect(done.mode).toBe('generated');
    expect(events.filter((e) => e.event === 'token').map((e) => e.data.text).join('')).toContain('dry and clear');
    expect(done.citations[0].source).toBe('deserts.txt');
    const sourceIds = events[0]!.data.sources.map((s: { chunkId: string }) => s.chunkId);
    for (const citation of done.citations) expect(sourceIds).toContain(citation.chunkId);
    expect(done.usage.stages.find((s: { stage: string }) => s.stage === 'generate').outputTokens).toBeGreaterThan(0);
  });

  it('also streams when the client sends Accept: text/event-stream', async () => {
    const response = await fetch(`${sift.url}/v1/collections/earth/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ question: 'Where does meltwater go?' }),
    });
    const events = await readEvents(response);
    expect(events.at(-1)!.event).toBe('done');
  });

  it('keeps the usage ledger equal to what the provider reported, and /v1/usage sums it', async () => {
    const before = await (await fetch(`${sift.url}/v1/usage`)).json();
    const modelAnswer = 'Lava from Etna reaches the villages of Sicily [1].';
    fake.setResponder(() => modelAnswer);
    const answer = await (await ask({ question: 'What does lava from Etna reach?' })).json();
    fake.setResponder(null);
    const generate = answer.usage.stages.find((s: { stage: string }) => s.stage === 'generate');

    // What the fake counted and reported: its token count of the prompt it received and of its answer.
    const chatCall = fake.requests.find((r) => r.endpoint === 'generateContent' || r.endpoint === 'chat')!;
    const body = chatCall.body as any;
    const promptText =
      provider.name === 'gemini'
        ? [body.systemInstruction.parts[0].text, ...body.contents.flatMap((c: any) => c.parts.map((p: any) => p.text))].join('\n')
        : [body.messages.find((m: any) => m.role === 'system').content, ...body.messages.filter((m: any) => m.role !== 'system').map((m: any) => m.content)].join('\n');
    expect(generate).toMatchObject({ inputTokens: countTokens(promptText), outputTokens: countTokens(modelAnswer), calls: 1 });

    const after = await (await fetch(`${sift.url}/v1/usage`)).json();
    const ledger = readFileSync(join(sift.dataDir, 'usage.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(ledger.filter((r) => r.stage === 'generate').at(-1)).toMatchObject({ provider: provider.name, inputTokens: generate.inputTokens, outputTokens: generate.outputTokens, estimated: false });
    const sum = (rows: Array<{ totalTokens: number }>) => rows.reduce((total, row) => total + row.totalTokens, 0);
    expect(after.totals.totalTokens).toBe(sum(ledger));
    expect(sum(after.rows)).toBe(after.totals.totalTokens);
    expect(after.totals.totalTokens - before.totals.totalTokens).toBe(answer.usage.totalTokens);
    expect(after.rows[0]).toMatchObject({ day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), stage: expect.any(String), provider: provider.name });
    if (provider.name === 'ollama') expect(ledger.every((r) => r.costUsd === 0)).toBe(true);
    else expect(generate.costUsd).toBeCloseTo((generate.inputTokens * 0.25 + generate.outputTokens * 1.5) / 1e6, 12);
  });
});
