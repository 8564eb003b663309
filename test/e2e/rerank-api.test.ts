// The Cohere/Jina-compatible rerank API, driven by clients nobody here wrote: the cohere-ai
// SDK (v1 and v2 clients), LangChain's CohereRerank with a client pointed at Sift, and the
// exact request Open WebUI's external reranker makes. BM25 without a model, the fake Gemini
// as the rerank model, and bad input in Cohere's error body with nothing recorded as usage.
import { CohereRerank } from '@langchain/cohere';
import { Document } from '@langchain/core/documents';
import { CohereClient, CohereClientV2, CohereError } from 'cohere-ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-behaviour.js';
import { startFakeGemini } from '../fakes/fake-gemini.js';
import { usageLines } from '../helpers/usage-lines.js';
import { postJson, startSift, type RunningSift } from '../helpers/sift-server.js';

const QUERY = 'What is the capital of the United States?';
const DOCUMENTS = [
  'Carson City is the capital city of the American state of Nevada.',
  'The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean. Its capital is Saipan.',
  'Washington, D.C. is the capital of the United States. It is a federal district.',
  'Capital punishment has existed in the United States since before it was a country, and courts still debate it today.',
  'Bananas are yellow.',
];
const KEY = 'sift-test-key';

function expectDescending(results: Array<{ relevanceScore?: number; relevance_score?: number }>) {
  const scores = results.map((r) => r.relevanceScore ?? r.relevance_score!);
  for (const score of scores) expect(score).toBeGreaterThanOrEqual(0), expect(score).toBeLessThanOrEqual(1);
  expect([...scores].sort((a, b) => b - a)).toEqual(scores);
}


describe('rerank API without a model: BM25 over the given documents', () => {
  let sift: RunningSift;
  beforeAll(async () => {
    sift = await startSift({ SIFT_API_KEYS: KEY, RERANK_API_MAX_DOCUMENT_CHARS: '500' });
  });
  afterAll(() => sift.stop());
  const raw = (path: string, body: unknown, key = KEY) => postJson(`${sift.url}${path}`, body, { authorization: `Bearer ${key}` });

  it('answers the cohere-ai v1 client, documents returned, with a warning that says BM25', async () => {
    const cohere = new CohereClient({ token: KEY, environment: sift.url });
    const response = await cohere.rerank({ model: 'rerank/bm25', query: QUERY, documents: DOCUMENTS, topN: 3 });
    expect(response.results.map((r) => r.index)[0]).toBe(2);
    expect(response.results).toHaveLength(3);
    expectDescending(response.results);
    expect(response.results[0]!.document?.text).toBe(DOCUMENTS[2]);
    expect(response.meta?.warnings?.[0]).toContain('BM25');
    expect(response.meta?.billedUnits?.searchUnits).toBe(1);
  });

  it('answers the cohere-ai v2 client on /v2/rerank, without documents unless asked', async () => {
    const cohere = new CohereClientV2({ token: KEY, environment: sift.url });
    const response = await cohere.rerank({ model: 'rerank/bm25', query: QUERY, documents: DOCUMENTS });
    expect(response.results).toHaveLength(DOCUMENTS.length);
    expect(response.results[0]!.index).toBe(2);
    expect(response.results.at(-1)!.index).toBe(4);
    expect(response.results.at(-1)!.relevanceScore).toBe(0);
    expect((response.results[0] as { document?: unknown }).document).toBeUndefined();
    expectDescending(response.results);
  });

  it('serves LangChain\'s CohereRerank with a client pointed at Sift', async () => {
    // @langchain/cohere pins its own cohere-ai; the current client has the same rerank call (the cast only bridges the two copies' types).
    const client = new CohereClient({ token: KEY, environment: sift.url }) as unknown as NonNullable<ConstructorParameters<typeof CohereRerank>[0]>['client'];
    const reranker = new CohereRerank({ client, model: 'rerank/bm25', topN: 2 });
    const documents = DOCUMENTS.map((text, i) => new Document({ pageContent: text, metadata: { i } }));
    const compressed = await reranker.compressDocuments(documents, QUERY);
    expect(compressed.map((d) => d.metadata.i)).toEqual([2, 3]);
    expect(compressed[0]!.metadata.relevanceScore).toBeGreaterThan(compressed[1]!.metadata.relevanceScore);
  });

  it('answers the request Open WebUI\'s external reranker makes', async () => {
    // open-webui/retrieval/models/external.py: POST {model, query, documents, top_n}, Bearer key, reads results[].index / relevance_score.
    const response = await raw('/v1/rerank', { model: 'rerank/bm25', query: QUERY, documents: DOCUMENTS, top_n: 5 });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.results[0]).toMatchObject({ index: 2, relevance_score: expect.any(Number) });
    expect(body.usage).toEqual({ total_tokens: 0 });
    expect(body.sift).toMatchObject({ model: 'rerank/bm25', method: 'bm25' });
  });

  it('takes {text} documents, clips them to max_tokens_per_doc, and ranks for real', async () => {
    const body = await (await raw('/v1/rerank', { query: 'bananas', documents: [{ text: 'Nothing here.' }, { text: 'Yellow bananas, ripe bananas.' }], max_tokens_per_doc: 3 })).json();
    expect(body.results.map((r: { index: number }) => r.index)).toEqual([1, 0]);
    expect(body.results[0].document.text).toBe('Yellow bananas, ripe bananas.');
  });

  it('refuses bad input with a 4xx in Cohere\'s body, before any usage', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ documents: DOCUMENTS }, 400, 'query'],
      [{ query: '  ', documents: DOCUMENTS }, 400, 'query'],
      [{ query: QUERY, documents: 'one string' }, 400, 'documents'],
      [{ query: QUERY, documents: [] }, 400, 'at least one document'],
      [{ query: QUERY, documents: [42] }, 400, 'documents'],
      [{ query: QUERY, documents: Array.from({ length: 1001 }, (_, i) => `d${i}`) }, 400, 'at most 1000'],
      [{ query: QUERY, documents: ['x'.repeat(501)] }, 400, 'RERANK_API_MAX_DOCUMENT_CHARS'],
      [{ query: QUERY, documents: DOCUMENTS, model: 'rerank-v3.5' }, 400, 'rerank/bm25'],
      [{ query: QUERY, documents: DOCUMENTS, top_n: 0 }, 400, 'top_n'],
      [{ query: 'q'.repeat(2001), documents: DOCUMENTS }, 400, 'MAX_QUERY_CHARS'],
      ['{"query": "broken', 400, 'not valid JSON'],
    ];
    for (const [body, status, text] of cases) {
      for (const path of ['/v1/rerank', '/v2/rerank']) {
        const response = await raw(path, body);
        expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(status);
        const error = await response.json();
        expect(Object.keys(error).sort()).toEqual(['id', 'message']);
        expect(error.message).toContain(text);
      }
    }
    const unauthorized = await raw('/v1/rerank', { query: QUERY, documents: DOCUMENTS }, 'wrong');
    expect(unauthorized.status).toBe(401);
    expect(Object.keys(await unauthorized.json()).sort()).toEqual(['id', 'message']);
    // The SDK surfaces the status and Sift's message.
    const cohere = new CohereClient({ token: KEY, environment: sift.url });
    const failure = await cohere.rerank({ model: 'nope', query: QUERY, documents: DOCUMENTS }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CohereError);
    expect((failure as CohereError).statusCode).toBe(400);
    expect(JSON.stringify((failure as CohereError).body)).toContain('rerank/bm25');
    expect(usageLines(sift)).toEqual([]);
  });
});

describe('rerank API with the rerank model', () => {
  let fake: FakeServer<string>;
  let sift: RunningSift;
  const rerank = (body: Record<string, unknown>) => postJson(`${sift.url}/v1/rerank`, { query: QUERY, documents: DOCUMENTS, ...body });
  beforeAll(async () => {
    fake = await startFakeGemini({ apiKey: 'k' });
    sift = await startSift({ RERANK_PROVIDER: 'gemini', GOOGLE_API_KEY: 'k', GEMINI_BASE_URL: fake.url, RERANK_CACHE_SIZE: '0', RERANK_DEADLINE_MS: '400', RERANK_WINDOW: '4' });
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

  it('ranks with the model by default, counts its tokens, and records stage rerank marked as the rerank API', async () => {
    // The model's own order: the last document first, then the rest in reverse.
    fake.setResponder(() => JSON.stringify({ ranking: [4, 3, 2, 1] }));
    const cohere = new CohereClient({ token: 'unused', environment: sift.url });
    const response = await cohere.rerank({ model: 'rerank/gemini-3.1-flash-lite', query: QUERY, documents: DOCUMENTS, returnDocuments: false });
    expect(response.results).toHaveLength(5);
    expectDescending(response.results);
    expect(fake.requests.length).toBeGreaterThanOrEqual(2);
    const body = await (await rerank({})).json();
    expect(body.sift).toMatchObject({ model: 'rerank/gemini-3.1-flash-lite', method: 'model', rerank: { status: 'complete', roundTrips: 2 } });
    expect(body.usage.total_tokens).toBeGreaterThan(0);
    expect(body.meta.warnings).toBeUndefined();
    const records = usageLines(sift);
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.stage === 'rerank' && r.api === 'rerank-api')).toBe(true);
  });

  it('falls back to the input order with descending scores and a warning that says why', async () => {
    fake.setMode('server-error');
    const body = await (await rerank({})).json();
    expect(body.results.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expectDescending(body.results);
    expect(body.results[0].relevance_score).toBeGreaterThan(body.results[4].relevance_score);
    expect(body.meta.warnings[0]).toContain('input order');
  });

  it('still offers BM25 by name', async () => {
    const body = await (await rerank({ model: 'rerank/bm25' })).json();
    expect(body.results[0].index).toBe(2);
    expect(fake.requests).toHaveLength(0);
  });
});
