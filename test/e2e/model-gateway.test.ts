// The model gateway over HTTP, with the real LangChain clients against the Gemini and
// Ollama fakes: chat (whole and streamed), vision (uploaded and by URL, and the address
// policy), batch classification (order, parallel batches, retries, failed batches, a
// background job), cost estimates, and the usage ledger and metrics.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makePng, truncatedPng, gifBytes } from '../fixtures/make-image.js';
import { FakeFailure, type ChatRequestView, type FakeServer } from '../fakes/fake-behaviour.js';
import { startFakeGemini } from '../fakes/fake-gemini.js';
import { classifyText, countTokens, readClassification } from '../fakes/fake-model.js';
import { startFakeOllama } from '../fakes/fake-ollama.js';
import { waitUntil } from '../fakes/test-support.js';
import { postJson, startSift, type RunningSift } from '../helpers/sift-server.js';
import { readEvents } from '../helpers/sse.js';

interface ProviderCase {
  name: 'gemini' | 'ollama';
  model: string;
  /** Another model of the provider that GATEWAY_MODELS offers. */
  extraModel: string;
  start: () => Promise<FakeServer<string>>;
  env: (url: string) => Record<string, string>;
  /** Where the real client put the image and the call settings in the provider's request. */
  sent: (body: any) => { images: Array<{ mimeType?: string; data: string }>; maxTokens?: number; temperature?: number; model?: string };
}

const CASES: ProviderCase[] = [
  {
    name: 'gemini',
    model: 'gemini-3.1-flash-lite',
    extraModel: 'gemini-2.5-flash',
    start: () => startFakeGemini({ apiKey: 'test-key' }),
    // Chat follows the generation stage when CHAT_PROVIDER is unset.
    env: (url) => ({ GENERATION_PROVIDER: 'gemini', GOOGLE_API_KEY: 'test-key', GEMINI_BASE_URL: url, GATEWAY_MODELS: 'gemini:gemini-2.5-flash' }),
    sent: (body) => ({
      images: body.contents.flatMap((content: any) => content.parts.flatMap((part: any) => (part.inlineData ? [part.inlineData] : []))),
      maxTokens: body.generationConfig?.maxOutputTokens,
      temperature: body.generationConfig?.temperature,
    }),
  },
  {
    name: 'ollama',
    model: 'gemma3:4b',
    extraModel: 'gemma3:12b',
    start: () => startFakeOllama(),
    env: (url) => ({ CHAT_PROVIDER: 'ollama', OLLAMA_BASE_URL: url, GATEWAY_MODELS: 'ollama:gemma3:12b' }),
    sent: (body) => ({
      images: body.messages.flatMap((message: any) => (message.images ?? []).map((data: string) => ({ data }))),
      maxTokens: body.options?.num_predict,
      temperature: body.options?.temperature,
      model: body.model,
    }),
  },
];

const GATEWAY_LIMITS = {
  MODEL_MAX_RETRIES: '1',
  CHAT_MAX_MESSAGE_CHARS: '500',
  CHAT_MAX_OUTPUT_TOKENS: '1000',
  CLASSIFY_SYNC_MAX_TEXTS: '600',
  CLASSIFY_MAX_TEXTS: '2000',
};

// Serves the test image on 127.0.0.1: reachable only when private addresses are allowed.
const png = makePng(6, 4);
let images: Server;
let imageUrl: string;
beforeAll(async () => {
  images = createServer((request, response) => {
    if (request.url === '/cat.png') response.writeHead(200, { 'content-type': 'image/png' }).end(png);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/cat.png`;
});
afterAll(async () => {
  await new Promise((resolve) => images.close(resolve));
});

/** Review texts whose label the fake model gives deterministically, by position. */
function reviews(count: number): { texts: string[]; expected: string[] } {
  const kinds = [
    ['POSITIVE', (i: number) => `Review ${i}: I love this kettle, it is great`],
    ['NEGATIVE', (i: number) => `Review ${i}: the lid arrived broken, terrible`],
    ['NEUTRAL', (i: number) => `Review ${i}: it is a kettle with a lid`],
  ] as const;
  const texts = Array.from({ length: count }, (_, i) => kinds[(i * 7) % 3]![1](i));
  return { texts, expected: Array.from({ length: count }, (_, i) => kinds[(i * 7) % 3]![0]) };
}

function uploadImage(fields: Record<string, string>, image?: { bytes: Uint8Array; name: string; type: string }): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (image) form.append('image', new Blob([image.bytes], { type: image.type }), image.name);
  return form;
}

describe.each(CASES)('the model gateway with $name', (provider) => {
  let fake: FakeServer<string>;
  let sift: RunningSift;
  const chatRequests = () => fake.requests.filter((request) => ['generateContent', 'streamGenerateContent', 'chat'].includes(request.endpoint ?? ''));

  beforeAll(async () => {
    fake = await provider.start();
    sift = await startSift({ ...provider.env(fake.url), ...GATEWAY_LIMITS, VISION_ALLOW_PRIVATE_URLS: 'true' });
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

  describe('POST /v1/chat', () => {
    it('answers a message with the model, its usage and the settings passed through', async () => {
      const response = await postJson(`${sift.url}/v1/chat`, { message: 'What is Sift?', system_prompt: 'Be brief.', max_tokens: 64, temperature: 0.3 });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({ response: 'You said: What is Sift?', model: { provider: provider.name, model: provider.model } });
      expect(body.usage.stages).toEqual([
        expect.objectContaining({ stage: 'chat', provider: provider.name, model: provider.model, calls: 1, outputTokens: countTokens('You said: What is Sift?') }),
      ]);
      expect(body.usage.stages[0].inputTokens).toBeGreaterThan(0);
      expect(provider.sent(chatRequests()[0]!.body)).toMatchObject({ maxTokens: 64, temperature: 0.3 });
    });

    it('streams tokens as server-sent events, then the whole response', async () => {
      const response = await postJson(`${sift.url}/v1/chat`, { message: 'Tell me about the rerank layer and its deadline?', stream: true });
      expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
      const events = await readEvents(response);
      const tokens = events.filter((event) => event.event === 'token').map((event) => event.data.text);
      expect(tokens.length).toBeGreaterThan(1);
      const done = events.at(-1)!;
      expect(done.event).toBe('done');
      expect(tokens.join('')).toBe(done.data.response);
      expect(done.data.response).toBe('You said: Tell me about the rerank layer and its deadline?');
      expect(done.data.usage.stages[0]).toMatchObject({ stage: 'chat', calls: 1, outputTokens: countTokens(done.data.response) });
    });

    it('streams a provider failure as an error event', async () => {
      fake.setMode('server-error', { endpoint: 'chat' });
      const events = await readEvents(await postJson(`${sift.url}/v1/chat`, { message: 'Hello?', stream: true }));
      expect(events.at(-1)).toMatchObject({ event: 'error', data: { error: { code: 'PROVIDER_FAILED' } } });
    });

    it('lets a request pick another offered model, and refuses one that is not offered', async () => {
      const picked = await (await postJson(`${sift.url}/v1/chat`, { message: 'Hi?', model: provider.extraModel })).json();
      expect(picked.model).toEqual({ provider: provider.name, model: provider.extraModel });
      const recorded = chatRequests()[0]!;
      expect(provider.sent(recorded.body).model ?? recorded.path).toContain(provider.extraModel);

      const refused = await postJson(`${sift.url}/v1/chat`, { message: 'Hi?', model: 'gemini-3-pro' });
      expect(refused.status).toBe(400);
      const error = (await refused.json()).error;
      expect(error.code).toBe('MODEL_NOT_ALLOWED');
      expect(error.message).toContain(`${provider.name}:${provider.model}`);
      const otherProvider = await postJson(`${sift.url}/v1/chat`, { message: 'Hi?', provider: provider.name === 'gemini' ? 'ollama' : 'gemini' });
      expect((await otherProvider.json()).error.code).toBe('MODEL_NOT_ALLOWED');
      expect(chatRequests()).toHaveLength(1);
    });

    it('answers 400 over the limits on message size and max_tokens, before any model call', async () => {
      const long = await postJson(`${sift.url}/v1/chat`, { message: 'x'.repeat(501) });
      expect(long.status).toBe(400);
      expect((await long.json()).error).toMatchObject({ code: 'MESSAGE_TOO_LONG', message: expect.stringContaining('CHAT_MAX_MESSAGE_CHARS') });
      const tokens = await postJson(`${sift.url}/v1/chat`, { message: 'Hi', max_tokens: 1001, stream: true });
      expect(tokens.status).toBe(400);
      expect((await tokens.json()).error).toMatchObject({ code: 'MAX_TOKENS_TOO_LARGE', message: expect.stringContaining('1000') });
      const empty = await postJson(`${sift.url}/v1/chat`, { message: '  ', temperature: 3 });
      expect((await empty.json()).error.message).toMatch(/message: must not be empty.*temperature/);
      expect(chatRequests()).toHaveLength(0);
    });
  });

  describe('POST /v1/vision', () => {
    const expectImageSent = (recorded: { body: unknown }) => {
      const sent = provider.sent(recorded.body);
      expect(sent.images).toHaveLength(1);
      expect(sent.images[0]!.data).toBe(Buffer.from(png).toString('base64'));
      if (provider.name === 'gemini') expect(sent.images[0]!.mimeType).toBe('image/png');
    };

    it('answers about an uploaded image, sent to the model as an image part', async () => {
      const response = await fetch(`${sift.url}/v1/vision`, { method: 'POST', body: uploadImage({ prompt: 'What colour is this?', max_tokens: '50' }, { bytes: png, name: 'cat.png', type: 'image/png' }) });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({
        response: 'You said: What colour is this? (with 1 image)',
        model: { provider: provider.name, model: provider.model },
        image: { mimeType: 'image/png', width: 6, height: 4, source: 'upload', bytes: png.length },
      });
      expect(body.usage.stages).toEqual([expect.objectContaining({ stage: 'vision', calls: 1 })]);
      expectImageSent(chatRequests()[0]!);
      expect(provider.sent(chatRequests()[0]!.body).maxTokens).toBe(50);
    });

    it('fetches an image by URL (private addresses allowed here) and answers about it', async () => {
      const response = await postJson(`${sift.url}/v1/vision`, { prompt: 'Describe the picture?', image_url: imageUrl });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({ response: 'You said: Describe the picture? (with 1 image)', image: { source: 'url', url: imageUrl, mimeType: 'image/png' } });
      expectImageSent(chatRequests()[0]!);
    });

    it('refuses unsupported and corrupt images, a missing image, and two images, without a model call', async () => {
      const gif = await fetch(`${sift.url}/v1/vision`, { method: 'POST', body: uploadImage({ prompt: 'What is it?' }, { bytes: gifBytes(), name: 'a.gif', type: 'image/gif' }) });
      expect(gif.status).toBe(415);
      expect((await gif.json()).error.code).toBe('UNSUPPORTED_TYPE');
      const cut = await fetch(`${sift.url}/v1/vision`, { method: 'POST', body: uploadImage({ prompt: 'What is it?' }, { bytes: truncatedPng(), name: 'a.png', type: 'image/png' }) });
      expect(cut.status).toBe(422);
      expect((await cut.json()).error.code).toBe('CORRUPT_FILE');
      const none = await postJson(`${sift.url}/v1/vision`, { prompt: 'What is it?' });
      expect(none.status).toBe(400);
      expect((await none.json()).error.message).toMatch(/No image/);
      const both = await fetch(`${sift.url}/v1/vision`, { method: 'POST', body: uploadImage({ prompt: 'What is it?', image_url: imageUrl }, { bytes: png, name: 'a.png', type: 'image/png' }) });
      expect(both.status).toBe(400);
      const wrongField = new FormData();
      wrongField.append('prompt', 'What is it?');
      wrongField.append('files', new Blob([png], { type: 'image/png' }), 'a.png');
      const wrong = await fetch(`${sift.url}/v1/vision`, { method: 'POST', body: wrongField });
      expect(wrong.status).toBe(400);
      expect((await wrong.json()).error.message).toMatch(/field "image"/);
      expect(chatRequests()).toHaveLength(0);
    });

    it('refuses a private-address URL with the default policy', async () => {
      const strict = await startSift({ ...provider.env(fake.url) });
      try {
        for (const url of [imageUrl, 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/cat.png', 'http://[::1]/cat.png', 'http://localhost/cat.png']) {
          const response = await postJson(`${strict.url}/v1/vision`, { prompt: 'What is it?', image_url: url });
          expect(response.status, url).toBe(400);
          const error = (await response.json()).error;
          expect(error.code).toBe('IMAGE_URL_REFUSED');
          expect(error.message).toMatch(/public addresses.*VISION_ALLOW_PRIVATE_URLS/);
        }
        expect(chatRequests()).toHaveLength(0);
      } finally {
        await strict.stop();
      }
    });
  });

  describe('POST /v1/classify', () => {
    it('labels 500 texts in batches of 50, in parallel under the limit, each label in input order', async () => {
      const { texts, expected } = reviews(500);
      // The first four calls wait until all four are in flight: only parallel batches get past.
      let inFlight = 0;
      let maxInFlight = 0;
      let seen = 0;
      let allFourArrived = false;
      fake.setResponder(async () => {
        seen++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (inFlight >= 4) allFourArrived = true;
        if (seen <= 4) await waitUntil(() => allFourArrived).catch(() => undefined);
        inFlight--;
        return undefined;
      });
      const response = await postJson(`${sift.url}/v1/classify`, { texts, batch_size: 50 });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body.results.map((result: { label: string }) => result.label)).toEqual(expected);
      expect(body.results.map((result: { index: number }) => result.index)).toEqual(texts.map((_, i) => i));
      expect(body.labels).toEqual(['POSITIVE', 'NEGATIVE', 'NEUTRAL']);
      expect(body.summary).toEqual({ texts: 500, batches: 10, batchSize: 50, labelled: 500, unknown: 0, retried: 0, failedBatches: 0 });
      expect(body.failures).toEqual([]);
      expect(body.usage.stages).toEqual([expect.objectContaining({ stage: 'classify', provider: provider.name, calls: 10 })]);
      // Ten calls of fifty numbered texts each, at most CLASSIFY_CONCURRENCY (4) at once.
      expect(chatRequests()).toHaveLength(10);
      expect(allFourArrived).toBe(true);
      expect(maxInFlight).toBe(4);
    });

    it('retries answers outside the label set once, then reports UNKNOWN with the raw answer; a failed batch leaves the others intact', async () => {
      const texts = [
        'I love it, great', // batch 0
        'This one is mixed',
        'Broken and terrible',
        'A kettle',
        'poison: this batch fails', // batch 1
        'I love it',
        'It is terrible',
        'Plain kettle',
        'Please flip this one', // batch 2
        'Great, I love it',
        'Awful and broken',
        'A lid',
      ];
      fake.setResponder((request: ChatRequestView) => {
        const prompt = readClassification(request.prompt);
        if (!prompt) return undefined;
        if (prompt.texts.some((text) => text.text.includes('poison'))) throw new FakeFailure(500);
        const retry = request.prompt.includes('earlier answer');
        const label = (text: string) => (text.includes('mixed') ? 'MIXED' : text.includes('flip') && !retry ? 'SIDEWAYS' : classifyText(text, prompt.labels));
        return JSON.stringify({ labels: prompt.texts.map((text) => ({ id: text.id, label: label(text.text) })) });
      });
      const body = await (await postJson(`${sift.url}/v1/classify`, { texts, batch_size: 4, labels: ['POSITIVE', 'NEGATIVE', 'NEUTRAL'] })).json();
      expect(body.results.map((result: { label: string }) => result.label)).toEqual([
        'POSITIVE',
        'UNKNOWN',
        'NEGATIVE',
        'NEUTRAL',
        'UNKNOWN',
        'UNKNOWN',
        'UNKNOWN',
        'UNKNOWN',
        'NEUTRAL',
        'POSITIVE',
        'NEGATIVE',
        'NEUTRAL',
      ]);
      expect(body.results[1]).toEqual({ index: 1, label: 'UNKNOWN', reason: 'outside-labels', raw: 'MIXED' });
      expect(body.results[4]).toMatchObject({ index: 4, label: 'UNKNOWN', reason: 'batch-failed', error: { code: 'PROVIDER_FAILED' } });
      expect(body.failures).toEqual([{ batch: 1, from: 4, to: 7, code: 'PROVIDER_FAILED', message: expect.stringContaining('after 2 attempts') }]);
      expect(body.summary).toMatchObject({ texts: 12, batches: 3, labelled: 7, unknown: 5, retried: 2, failedBatches: 1 });
      expect(body.counts).toEqual({ POSITIVE: 2, NEGATIVE: 2, NEUTRAL: 3, UNKNOWN: 5 });
      // Batch 0 and 2 each needed one retry call; batch 1 was tried twice (MODEL_MAX_RETRIES=1).
      expect(chatRequests()).toHaveLength(6);
      const retryPrompts = chatRequests().filter((request) => JSON.stringify(request.body).includes('earlier answer'));
      expect(retryPrompts).toHaveLength(2);
    });

    it('runs a request over CLASSIFY_SYNC_MAX_TEXTS as a background job with the same answer', async () => {
      const { texts, expected } = reviews(700);
      const accepted = await postJson(`${sift.url}/v1/classify`, { texts, batch_size: 100, labels: ['POSITIVE', 'NEGATIVE', 'NEUTRAL'] });
      expect(accepted.status).toBe(202);
      const { job } = await accepted.json();
      expect(accepted.headers.get('location')).toBe(`/v1/jobs/${job.id}`);
      expect(job).toMatchObject({ kind: 'classify', progress: { total: 7 } });
      let view: any;
      for (;;) {
        view = (await (await fetch(`${sift.url}/v1/jobs/${job.id}`)).json()).job;
        if (['succeeded', 'failed', 'interrupted'].includes(view.state)) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(view.state).toBe('succeeded');
      expect(view.results.map((result: { label: string }) => result.label)).toEqual(expected);
      expect(view.progress).toMatchObject({ total: 7, done: 7, texts: 700, labelled: 700, unknown: 0 });
      expect(view.progress.inputTokens).toBeGreaterThan(0);
      expect(chatRequests()).toHaveLength(7);
    });

    it('answers 400 for bad labels and over the text limits', async () => {
      const cases: Array<[unknown, string]> = [
        [{ texts: ['a'], labels: ['ONLY'] }, 'at least two labels'],
        [{ texts: ['a'], labels: ['A', 'a'] }, 'labels must differ'],
        [{ texts: ['a'], labels: ['A', 'UNKNOWN'] }, 'UNKNOWN is reserved'],
        [{ texts: ['a'], labels: ['A,B', 'C'] }, 'no commas'],
        [{ texts: [] }, 'at least one text'],
        [{ texts: Array.from({ length: 2001 }, () => 'x') }, 'CLASSIFY_MAX_TEXTS'],
        [{ texts: ['ok', 'y'.repeat(2001)] }, 'texts[1] has 2001 characters'],
        // 1.5 MB: over the usual 1 MB JSON limit, within this route's, so the text limit answers.
        [{ texts: Array.from({ length: 600 }, () => 'z'.repeat(2500)) }, 'texts[0] has 2500 characters'],
      ];
      for (const [request, message] of cases) {
        const response = await postJson(`${sift.url}/v1/classify`, request);
        expect(response.status, message).toBe(400);
        expect((await response.json()).error.message).toContain(message);
      }
      expect(chatRequests()).toHaveLength(0);
    });
  });

  describe('POST /v1/estimate', () => {
    it('prices token counts per request and per month, compared across the configured models', async () => {
      const body = await (await postJson(`${sift.url}/v1/estimate`, { model: 'gemini-3.1-flash-lite', input_tokens: 1000, output_tokens: 200, requests_per_month: 100_000 })).json();
      expect(body.model).toEqual({ provider: 'gemini', model: 'gemini-3.1-flash-lite' });
      expect(body.perRequest.costUsd).toBeCloseTo((1000 * 0.25 + 200 * 1.5) / 1e6, 12);
      expect(body.perMonth).toMatchObject({ requests: 100_000, inputTokens: 100_000_000, outputTokens: 20_000_000 });
      expect(body.perMonth.costUsd).toBeCloseTo(55, 9);
      const names = body.comparison.map((row: { provider: string; model: string }) => `${row.provider}:${row.model}`);
      expect(names).toEqual(expect.arrayContaining([`${provider.name}:${provider.model}`, `${provider.name}:${provider.extraModel}`, 'gemini:gemini-3.1-flash-lite']));
      if (provider.name === 'ollama') {
        expect(body.comparison[0]).toMatchObject({ provider: 'ollama', perMonthUsd: 0, configured: true, price: { input: 0, output: 0, source: 'local' } });
        expect(body.comparison.find((row: { model: string }) => row.model === 'gemini-3.1-flash-lite')).toMatchObject({ configured: false, perMonthUsd: body.perMonth.costUsd });
        expect(body.notes.join(' ')).toMatch(/Ollama.*\$0/);
      }
    });

    it('estimates input tokens from sample texts, for the chat model by default', async () => {
      const body = await (await postJson(`${sift.url}/v1/estimate`, { texts: ['Short review.', 'A somewhat longer review of the kettle and its lid.'], output_tokens: 5, requests_per_month: 1000 })).json();
      expect(body.model).toEqual({ provider: provider.name, model: provider.model });
      expect(body.tokens).toMatchObject({ source: 'sample-texts', samples: 2, outputPerRequest: 5 });
      expect(body.tokens.inputPerRequest).toBeGreaterThan(3);
      const both = await postJson(`${sift.url}/v1/estimate`, { texts: ['a'], input_tokens: 5, requests_per_month: 1 });
      expect(both.status).toBe(400);
      const unknown = await postJson(`${sift.url}/v1/estimate`, { model: 'mystery-model', input_tokens: 5, requests_per_month: 1 });
      expect((await unknown.json()).error.message).toMatch(/provider/);
      expect(chatRequests()).toHaveLength(0);
    });
  });

  it('records every gateway call in the usage ledger and the metrics', async () => {
    await postJson(`${sift.url}/v1/chat`, { message: 'One more?' });
    const usage = await (await fetch(`${sift.url}/v1/usage`)).json();
    const stages = new Set(usage.rows.map((row: { stage: string }) => row.stage));
    expect([...stages]).toEqual(expect.arrayContaining(['chat', 'vision', 'classify']));
    // The failed batch is one failed call in the ledger (its retry is part of the call).
    expect(usage.rows.find((row: { stage: string }) => row.stage === 'classify')).toMatchObject({ provider: provider.name, failedCalls: 1 });
    const metrics = await (await fetch(`${sift.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`sift_model_calls_total\\{stage="classify",provider="${provider.name}",model="[^"]+",outcome="ok"\\} \\d+`));
    expect(metrics).toMatch(/sift_model_tokens_total\{stage="vision"/);
    expect(metrics).toMatch(/sift_model_calls_total\{stage="chat"/);
  });
});
