// Multi-turn `ask` over HTTP: a follow-up that only makes sense with the turn before it is
// rewritten into a standalone query (by the fast model, or by the rule without one), the
// trace shows what was searched, generation sees the earlier turns, and the bounds hold.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-behaviour.js';
import { startFakeGemini } from '../fakes/fake-gemini.js';
import { FIRST_TURN, FOLLOW_UP, HANDBOOK } from '../fixtures/handbook-conversation.js';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

const history = [FIRST_TURN, { role: 'assistant', content: 'Parental leave is paid for every parent after a birth or an adoption. [1]' }];

const stage = (body: any, name: string) => body.trace.stages.find((s: { stage: string }) => s.stage === name);

async function upload(sift: RunningSift) {
  expect((await fetch(`${sift.url}/v1/collections/handbook/documents`, { method: 'POST', body: uploadForm(HANDBOOK) })).status).toBe(200);
}

describe('multi-turn ask without a model (rule-based carry-over)', () => {
  let sift: RunningSift;
  const ask = (body: Record<string, unknown>) => postJson(`${sift.url}/v1/collections/handbook/ask`, body);
  beforeAll(async () => {
    sift = await startSift({ CONVERSATION_MAX_TURNS: '4', CONVERSATION_MAX_CHARS: '600' });
    await upload(sift);
  });
  afterAll(() => sift.stop());

  it('answers the follow-up from the document of the first turn', async () => {
    const alone = await (await ask({ question: FOLLOW_UP })).json();
    expect(alone.citations[0].source).toBe('passport.md');
    expect(alone).toMatchObject({ query: FOLLOW_UP, rewrite: 'none' });

    const response = await ask({ question: FOLLOW_UP, history });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.citations[0].source).toBe('leave.md');
    expect(body).toMatchObject({ question: FOLLOW_UP, query: 'and how long does it last? parental leave policy', rewrite: 'rule' });
    expect(stage(body, 'rewrite').detail).toMatchObject({ method: 'rule', query: body.query, carried: ['parental', 'leave', 'policy'] });
    expect(body.usage.stages).toEqual([]);
  });

  it('streams a follow-up too, with the searched query in the final event', async () => {
    const response = await postJson(`${sift.url}/v1/collections/handbook/ask`, { question: FOLLOW_UP, history, stream: true });
    const text = await response.text();
    expect(text).toContain('event: done');
    expect(text).toContain('"query":"and how long does it last? parental leave policy"');
  });

  it('refuses too many turns, too many characters and malformed turns with a 400', async () => {
    const turns = Array.from({ length: 5 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i}` }));
    const tooMany = await ask({ question: FOLLOW_UP, history: turns });
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error).toMatchObject({ code: 'CONVERSATION_TOO_LONG', message: expect.stringContaining('CONVERSATION_MAX_TURNS') });
    const tooLong = await ask({ question: FOLLOW_UP, history: [{ role: 'user', content: 'x'.repeat(601) }] });
    expect((await tooLong.json()).error).toMatchObject({ code: 'CONVERSATION_TOO_LONG', message: expect.stringContaining('601 characters') });
    const streamed = await ask({ question: FOLLOW_UP, history: turns, stream: true });
    expect(streamed.status).toBe(400);
    const badRole = await ask({ question: FOLLOW_UP, history: [{ role: 'system', content: 'x' }] });
    expect((await badRole.json()).error.code).toBe('VALIDATION_FAILED');
  });
});

describe('multi-turn ask with the fast model rewriting the query', () => {
  let fake: FakeServer<string>;
  let sift: RunningSift;
  const ask = (body: Record<string, unknown>) => postJson(`${sift.url}/v1/collections/handbook/ask`, body);
  /** A model that resolves "it" from the conversation in the rewrite prompt. */
  const rewriteModel = () =>
    fake.setResponder((request) => {
      if (!request.system.includes('standalone search query')) return undefined;
      return /parental leave/i.test(request.prompt) && /how long/i.test(request.prompt) ? '"How long does parental leave last?"' : undefined;
    });
  beforeAll(async () => {
    fake = await startFakeGemini({ apiKey: 'k' });
    // The rerank model is the fast one; rerank itself is off per request, so the rewrite is its only call.
    sift = await startSift({ RERANK_PROVIDER: 'gemini', GOOGLE_API_KEY: 'k', GEMINI_BASE_URL: fake.url, REWRITE_DEADLINE_MS: '300' });
    await upload(sift);
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

  it('searches the model\'s standalone query, reports its usage as stage rewrite, and caches it', async () => {
    rewriteModel();
    const body = await (await ask({ question: FOLLOW_UP, history, rerank: false })).json();
    expect(body).toMatchObject({ query: 'How long does parental leave last?', rewrite: 'model' });
    expect(body.citations[0].source).toBe('leave.md');
    expect(stage(body, 'rewrite').detail).toMatchObject({ method: 'model', query: 'How long does parental leave last?', cached: false });
    const usage = body.usage.stages.find((s: { stage: string }) => s.stage === 'rewrite');
    expect(usage).toMatchObject({ provider: 'gemini', calls: 1 });
    expect(usage.inputTokens).toBeGreaterThan(0);
    // The prompt carries the earlier turns and the question, briefly.
    const sent = fake.requests.at(-1)!.body as any;
    expect(JSON.stringify(sent)).toContain('What is the parental leave policy?');

    const again = await (await ask({ question: FOLLOW_UP, history, rerank: false })).json();
    expect(stage(again, 'rewrite').detail).toMatchObject({ method: 'model', cached: true });
    expect(again.usage.stages).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it('falls back to the rule when the model passes the deadline, and says so', async () => {
    fake.setMode('hang');
    const started = performance.now();
    const body = await (await ask({ question: 'and does it cover adoption?', history, rerank: false })).json();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(body.rewrite).toBe('rule');
    expect(body.query).toContain('parental leave');
    expect(stage(body, 'rewrite').detail.reason).toContain('deadline');
    expect(body.trace.notes.join(' ')).toContain('REWRITE_DEADLINE_MS');
    expect(body.citations[0].source).toBe('leave.md');
  });

  it('falls back to the rule when the model answers nothing usable', async () => {
    fake.setResponder((request) => (request.system.includes('standalone search query') ? '   ' : undefined));
    const body = await (await ask({ question: 'and is it paid?', history, rerank: false })).json();
    expect(body.rewrite).toBe('rule');
    expect(stage(body, 'rewrite').detail.reason).toContain('no usable query');
  });
});

describe('generation sees the history', () => {
  let fake: FakeServer<string>;
  let sift: RunningSift;
  beforeAll(async () => {
    fake = await startFakeGemini({ apiKey: 'k' });
    sift = await startSift({ GENERATION_PROVIDER: 'gemini', GOOGLE_API_KEY: 'k', GEMINI_BASE_URL: fake.url });
    await upload(sift);
  });
  afterAll(async () => {
    await sift.stop();
    await fake.close();
  });

  it('sends the earlier turns before the passages, without their old [n] markers', async () => {
    fake.setResponder((request) => (request.system.includes('standalone search query') ? 'How long does parental leave last?' : undefined));
    const body = await (await postJson(`${sift.url}/v1/collections/handbook/ask`, { question: FOLLOW_UP, history })).json();
    expect(body.mode).toBe('generated');
    expect(body.query).toBe('How long does parental leave last?');
    const generation = fake.requests.find((r) => JSON.stringify(r.body).includes('Passages:'))!.body as any;
    const turns = generation.contents.map((c: any) => ({ role: c.role, text: c.parts.map((p: any) => p.text).join('') }));
    expect(turns.slice(0, 2)).toEqual([
      { role: 'user', text: 'What is the parental leave policy?' },
      { role: 'model', text: 'Parental leave is paid for every parent after a birth or an adoption.' },
    ]);
    expect(turns[2].text).toContain(`Question: ${FOLLOW_UP}`);
  });
});
