// The OpenAI-compatible surface, driven by clients nobody here wrote: the official `openai`
// SDK (models.list, chat.completions.create whole and streamed, multi-turn, errors),
// LangChain's ChatOpenAI with a base URL, and the requests Open WebUI's OpenAI connection
// makes. Without a model (extractive answers, rule-based rewrites) and with the fake Gemini
// as generation, rewrite and plain chat model.
import { ChatOpenAI } from '@langchain/openai';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-behaviour.js';
import { startFakeGemini } from '../fakes/fake-gemini.js';
import { waitUntil } from '../fakes/test-support.js';
import { makePng } from '../fixtures/make-image.js';
import { usageLines } from '../helpers/usage-lines.js';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';
import { FIRST_TURN, FOLLOW_UP, HANDBOOK } from '../fixtures/handbook-conversation.js';

const KEY = 'sift-openai-key';

async function upload(sift: RunningSift, headers: Record<string, string> = {}) {
  const response = await fetch(`${sift.url}/v1/collections/handbook/documents`, { method: 'POST', body: uploadForm(HANDBOOK), headers });
  expect(response.status).toBe(200);
}


describe('OpenAI-compatible API without a model', () => {
  let sift: RunningSift;
  let openai: OpenAI;
  beforeAll(async () => {
    sift = await startSift({ SIFT_API_KEYS: KEY, CONVERSATION_MAX_TURNS: '4', CONVERSATION_MAX_CHARS: '2000', CHAT_MAX_OUTPUT_TOKENS: '500' });
    await upload(sift, { authorization: `Bearer ${KEY}` });
    openai = new OpenAI({ apiKey: KEY, baseURL: `${sift.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => sift.stop());

  it('lists a model per collection and the rerank models', async () => {
    const models = [];
    for await (const model of openai.models.list()) models.push(model);
    expect(models).toContainEqual({ id: 'sift/handbook', object: 'model', created: expect.any(Number), owned_by: 'sift' });
    expect(models.map((m) => m.id)).toContain('rerank/bm25');
  });

  it('answers sift/<collection> with [n] markers, citations and the sift extension', async () => {
    const completion = await openai.chat.completions.create({ model: 'sift/handbook', messages: [{ role: 'user', content: 'How much is reimbursed for a hotel night?' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content).toMatch(/180 euros per night\. \[1\]/);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const extended = completion as typeof completion & { citations: string[]; sift: any };
    expect(extended.citations[0]).toBe('[1] hotel.md › Hotels');
    expect(extended.citations).toHaveLength(extended.sift.citations.length);
    expect(extended.sift).toMatchObject({ collection: 'handbook', mode: 'extractive', found: true, query: 'How much is reimbursed for a hotel night?' });
    expect(extended.sift.citations[0]).toMatchObject({ n: 1, source: 'hotel.md', headingPath: ['Hotels'], page: null });
    expect(completion.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it('answers a two-turn conversation from the document of the first turn (rule-based carry-over)', async () => {
    const first = await openai.chat.completions.create({ model: 'sift/handbook', messages: [FIRST_TURN] });
    const second = await openai.chat.completions.create({
      model: 'sift/handbook',
      messages: [{ role: 'system', content: 'Be brief.' }, FIRST_TURN, { role: 'assistant', content: first.choices[0]!.message.content! }, { role: 'user', content: FOLLOW_UP }],
    });
    const sift = (second as unknown as { sift: any }).sift;
    expect(sift.citations[0].source).toBe('leave.md');
    expect(sift.rewrite).toBe('rule');
    expect(sift.query).toContain('parental leave');
    expect(sift.trace.stages.find((s: { stage: string }) => s.stage === 'rewrite').detail.query).toBe(sift.query);
  });

  it('streams chat.completion.chunk events: role, content, finish_reason, usage, [DONE]', async () => {
    const whole = await openai.chat.completions.create({ model: 'sift/handbook', messages: [{ role: 'user', content: 'How much is reimbursed for a hotel night?' }] });
    const stream = await openai.chat.completions.create({ model: 'sift/handbook', messages: [{ role: 'user', content: 'How much is reimbursed for a hotel night?' }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(whole.choices[0]!.message.content);
    const finish = chunks.find((c) => c.choices[0]?.finish_reason === 'stop')!;
    expect((finish as unknown as { citations: string[] }).citations[0]).toBe('[1] hotel.md › Hotels');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 0 } });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);

    // On the wire: data-only events, ending with [DONE].
    const raw = await (await postJson(`${sift.url}/v1/chat/completions`, { model: 'sift/handbook', messages: [{ role: 'user', content: 'hotel night' }], stream: true }, { authorization: `Bearer ${KEY}` })).text();
    expect(raw.startsWith('data: {')).toBe(true);
    expect(raw.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(raw).not.toContain('"choices":[]');
  });

  it('serves LangChain\'s ChatOpenAI with a base URL, multi-turn', async () => {
    const chat = new ChatOpenAI({ model: 'sift/handbook', apiKey: KEY, configuration: { baseURL: `${sift.url}/v1` }, maxRetries: 0 });
    const reply = await chat.invoke([new HumanMessage(FIRST_TURN.content), new AIMessage('Parental leave is paid.'), new HumanMessage(FOLLOW_UP)]);
    expect(String(reply.content)).toContain('[1]');
    const streamed: string[] = [];
    for await (const chunk of await chat.stream('How much is reimbursed for a hotel night?')) streamed.push(String(chunk.content));
    expect(streamed.join('')).toContain('180 euros');
  });

  it('answers the requests Open WebUI\'s OpenAI connection makes', async () => {
    const headers = { authorization: `Bearer ${KEY}` };
    const models = await (await fetch(`${sift.url}/v1/models`, { headers })).json();
    expect(models.object).toBe('list');
    const model = models.data.find((m: { id: string }) => m.id.startsWith('sift/')).id;
    const response = await postJson(`${sift.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: [{ type: 'text', text: 'hotel night reimbursed?' }] }], stream: true, stream_options: { include_usage: true } }, headers);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(await response.text()).toContain('180 euros');
  });

  it('refuses bad input with a 4xx in OpenAI\'s error body, before any usage', async () => {
    const user = (content: string) => ({ role: 'user', content });
    const cases: Array<[unknown, number, string | null, string]> = [
      [{ messages: [user('hi')] }, 400, 'model', 'validation_failed'],
      [{ model: 'sift/handbook' }, 400, 'messages', 'validation_failed'],
      [{ model: 'sift/handbook', messages: 'hi' }, 400, 'messages', 'validation_failed'],
      [{ model: 'sift/handbook', messages: [{ role: 'user', content: 42 }] }, 400, 'messages', 'validation_failed'],
      [{ model: 'sift/handbook', messages: [user('hi')], n: 2 }, 400, 'n', 'unsupported_parameter'],
      [{ model: 'sift/handbook', messages: [user('hi')], tools: [{ type: 'function', function: { name: 'f' } }] }, 400, 'tools', 'unsupported_parameter'],
      [{ model: 'sift/handbook', messages: [user('hi')], max_tokens: 501 }, 400, 'max_tokens', 'max_tokens_too_large'],
      [{ model: 'sift/handbook', messages: [user('hi'), { role: 'assistant', content: 'ok' }] }, 400, 'messages', 'validation_failed'],
      [{ model: 'sift/handbook', messages: [user('  ')] }, 400, 'messages', 'validation_failed'],
      [{ model: 'sift/handbook', messages: [user('x'.repeat(2001))] }, 400, null, 'query_too_long'],
      [{ model: 'sift/handbook', messages: [user('x'.repeat(2100)), { role: 'assistant', content: 'ok' }, user('and?')] }, 400, null, 'conversation_too_long'],
      [{ model: 'sift/handbook', messages: Array.from({ length: 7 }, (_, i) => user(`turn ${i}`)) }, 400, null, 'conversation_too_long'],
      [{ model: 'sift/nope', messages: [user('hi')] }, 404, null, 'model_not_found'],
      [{ model: 'sift/Bad Name!', messages: [user('hi')] }, 400, null, 'invalid_collection_name'],
      [{ model: 'gpt-4o', messages: [user('hi')] }, 400, null, 'model_not_found'],
      ['{"model": "sift/handbook", "messages": [', 400, null, 'malformed_json'],
    ];
    for (const [body, status, param, code] of cases) {
      for (const stream of [false, true]) {
        const sent = typeof body === 'string' ? body : { ...(body as object), ...(stream ? { stream } : {}) };
        const response = await postJson(`${sift.url}/v1/chat/completions`, sent, { authorization: `Bearer ${KEY}` });
        expect(response.status, JSON.stringify(body).slice(0, 100)).toBe(status);
        const error = (await response.json()).error;
        expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
        expect(error).toMatchObject({ code, param, type: 'invalid_request_error' });
      }
    }
    // The SDK reads the status, type and code.
    const failure = await openai.chat.completions.create({ model: 'sift/handbook', messages: [{ role: 'user', content: 'hi' }], n: 2 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect(failure).toMatchObject({ status: 400, code: 'unsupported_parameter', param: 'n', type: 'invalid_request_error' });
    const unauthorized = await new OpenAI({ apiKey: 'wrong', baseURL: `${sift.url}/v1`, maxRetries: 0 }).models.list().catch((error: unknown) => error);
    expect(unauthorized).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(unauthorized).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'authentication_error' });
    expect(usageLines(sift)).toEqual([]);
  });
});

describe('OpenAI-compatible API with models', () => {
  let fake: FakeServer<string>;
  let sift: RunningSift;
  let openai: OpenAI;
  beforeAll(async () => {
    fake = await startFakeGemini({ apiKey: 'k', chunkDelayMs: 0 });
    sift = await startSift({ GENERATION_PROVIDER: 'gemini', GOOGLE_API_KEY: 'k', GEMINI_BASE_URL: fake.url, GATEWAY_MODELS: 'gemini:gemini-2.5-flash' });
    await upload(sift);
    openai = new OpenAI({ apiKey: 'unused', baseURL: `${sift.url}/v1`, maxRetries: 0 });
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

  it('lists the gateway\'s chat models beside the collections', async () => {
    const ids = (await openai.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['sift/handbook', 'gemini-3.1-flash-lite', 'gemini-2.5-flash', 'rerank/bm25']));
  });

  it('is plain multi-turn chat for a configured model, whole and streamed, with the model\'s usage', async () => {
    const messages = [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'Hello there?' }, { role: 'assistant' as const, content: 'Hi.' }, { role: 'user' as const, content: 'How are you?' }];
    const completion = await openai.chat.completions.create({ model: 'gemini-2.5-flash', messages, max_tokens: 50, temperature: 0.3 });
    expect(completion.choices[0]!.message.content).toBe('You said: How are you?');
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toContain('gemini-2.5-flash');
    const body = sent.body as any;
    expect(body.contents.map((c: any) => c.role)).toEqual(['user', 'model', 'user']);
    expect(body.systemInstruction.parts[0].text).toBe('Be brief.');
    expect(body.generationConfig).toMatchObject({ maxOutputTokens: 50, temperature: 0.3 });

    const stream = await openai.chat.completions.create({ model: 'gemini-3.1-flash-lite', messages, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('You said: How are you?');
    expect(usage!.completion_tokens).toBeGreaterThan(0);
  });

  it('sends image parts to a vision model', async () => {
    const png = `data:image/png;base64,${Buffer.from(makePng(4, 3)).toString('base64')}`;
    const completion = await openai.chat.completions.create({
      model: 'gemini-3.1-flash-lite',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: png } }] }],
    });
    expect(completion.choices[0]!.message.content).toBe('You said: What is this? (with 1 image)');
    const refused = await openai.chat.completions
      .create({ model: 'sift/handbook', messages: [{ role: 'user', content: [{ type: 'text', text: 'What?' }, { type: 'image_url', image_url: { url: png } }] }] })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, code: 'unsupported_parameter' });
  });

  it('answers sift/<collection> with the generation model, rewriting a follow-up with it, and streams it', async () => {
    fake.setResponder((request) => (request.system.includes('standalone search query') ? 'How long does parental leave last?' : undefined));
    const messages = [FIRST_TURN, { role: 'assistant' as const, content: 'Parental leave is paid for every parent. [1]' }, { role: 'user' as const, content: FOLLOW_UP }];
    const completion = await openai.chat.completions.create({ model: 'sift/handbook', messages, stream: false });
    const sift = (completion as unknown as { sift: any }).sift;
    expect(sift).toMatchObject({ mode: 'generated', rewrite: 'model', query: 'How long does parental leave last?' });
    expect(sift.usage.stages.map((s: { stage: string }) => s.stage).sort()).toEqual(['generate', 'rewrite']);
    const total = sift.usage.stages.reduce((sum: number, s: { totalTokens: number }) => sum + s.totalTokens, 0);
    expect(completion.usage!.total_tokens).toBe(total);

    const stream = await openai.chat.completions.create({ model: 'sift/handbook', messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(completion.choices[0]!.message.content);
  });

  it('cancels the model call when a streaming client disconnects', async () => {
    fake.setMode('slow', { endpoint: 'chat', delayMs: 3000 });
    const controller = new AbortController();
    const stream = await openai.chat.completions.create({ model: 'gemini-3.1-flash-lite', messages: [{ role: 'user', content: 'Hello?' }], stream: true }, { signal: controller.signal });
    const reading = (async () => {
      for await (const chunk of stream) void chunk;
    })().catch(() => undefined);
    await waitUntil(() => fake.requests.length > 0);
    controller.abort();
    await reading;
    await waitUntil(() => fake.requests[0]!.closedByClient === true, 2000);
  });
});
