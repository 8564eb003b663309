// OpenTelemetry as a trace backend sees it: Sift with OTEL_EXPORTER_OTLP_ENDPOINT pointed at
// an OTLP/HTTP receiver, the real LangChain clients against the fake Gemini, one upload and
// one `ask` with rerank and generation. The official exporter's payloads are decoded and the
// span tree and its attributes checked; then the JSON request log lines.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FakeServer } from '../fakes/fake-behaviour.js';
import { startFakeGemini } from '../fakes/fake-gemini.js';
import { SpanKinds, StatusCodes, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../fakes/otlp-receiver.js';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

const DOCS = [
  { name: 'volcanoes.md', content: '# Volcanoes\n\nMount Etna erupts several times a year. Lava from Etna reaches the villages of Sicily.' },
  { name: 'glaciers.md', content: '# Glaciers\n\nAlpine glaciers lose about one metre of ice every summer. Meltwater feeds the Rhone.' },
  { name: 'deserts.txt', content: 'The Atacama desert receives almost no rain, so astronomers build telescopes there.' },
];

const MODEL_ENV = (url: string) => ({ EMBEDDINGS_PROVIDER: 'gemini', RERANK_PROVIDER: 'gemini', GENERATION_PROVIDER: 'gemini', GOOGLE_API_KEY: 'test-key', GEMINI_BASE_URL: url });

describe('OpenTelemetry export', () => {
  let fake: FakeServer<string>;
  let receiver: OtlpReceiver;
  let sift: RunningSift;
  const clientTraceId = randomBytes(16).toString('hex');
  const clientSpanId = randomBytes(8).toString('hex');
  let askBody: any;
  let askRequestId: string | null;
  let followUpBody: any;

  beforeAll(async () => {
    fake = await startFakeGemini();
    receiver = await startOtlpReceiver();
    sift = await startSift({ ...MODEL_ENV(fake.url), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'sift-under-test', RERANK_CACHE_SIZE: '0' });
    expect((await fetch(`${sift.url}/v1/collections/geo/documents`, { method: 'POST', body: uploadForm(DOCS) })).status).toBe(200);
    const response = await postJson(`${sift.url}/v1/collections/geo/ask`, { question: 'How often does Etna erupt?', rerank: { candidates: 3 } }, { traceparent: `00-${clientTraceId}-${clientSpanId}-01` });
    expect(response.status).toBe(200);
    askRequestId = response.headers.get('x-request-id');
    askBody = await response.json();
    const followUp = await postJson(`${sift.url}/v1/collections/geo/ask`, {
      question: 'and how does it move?',
      history: [{ role: 'user', content: 'What does Etna do?' }, { role: 'assistant', content: 'Etna erupts several times a year. [1]' }],
    });
    followUpBody = await followUp.json();
    // Stopping flushes the batch of spans to the receiver.
    await sift.stop();
  });
  afterAll(async () => {
    await receiver.close();
    await fake.close();
  });

  const inClientTrace = () => receiver.spans.filter((span) => span.traceId === clientTraceId);
  const named = (name: string, within: ReceivedSpan[] = receiver.spans) => within.filter((span) => span.name === name);
  const one = (name: string, within?: ReceivedSpan[]) => {
    const found = named(name, within);
    expect(found, `one span named "${name}"`).toHaveLength(1);
    return found[0]!;
  };

  it('exports through the official OTLP/HTTP exporter with the service name', () => {
    expect(receiver.exports.length).toBeGreaterThan(0);
    expect(receiver.exports.every((type) => type.startsWith('application/json'))).toBe(true);
    expect(receiver.spans.every((span) => span.resource['service.name'] === 'sift-under-test' && span.scope === 'sift')).toBe(true);
  });

  it("continues the client's traceparent, and the answer's trace names the trace", () => {
    const server = one('POST /v1/collections/:collection/ask', inClientTrace());
    expect(server).toMatchObject({ traceId: clientTraceId, parentSpanId: clientSpanId, kind: SpanKinds.server });
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/collections/:collection/ask',
      'http.response.status_code': 200,
      'url.path': '/v1/collections/geo/ask',
      'sift.collection': 'geo',
      'sift.request_id': askRequestId,
    });
    expect(askBody.trace.traceId).toBe(clientTraceId);
  });

  it('shows retrieval, query embedding, rerank with one span per model call, and generation under the request', () => {
    const server = one('POST /v1/collections/:collection/ask', inClientTrace());
    const stages = receiver.childrenOf(server);
    expect(stages.map((span) => span.name).sort()).toEqual(['dense', 'embed-query', 'fuse', 'generate', 'lexical', 'rerank'].sort());
    for (const stage of stages) expect(stage.attributes['sift.collection']).toBe('geo');
    expect(one('lexical', stages).attributes['sift.lexical.candidates']).toBeGreaterThan(0);
    expect(one('dense', stages).attributes['sift.dense.candidates']).toBeGreaterThan(0);

    const embedCall = one('embeddings gemini-embedding-001', receiver.childrenOf(one('embed-query', stages)));
    expect(embedCall.kind).toBe(SpanKinds.client);
    expect(embedCall.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.request.model': 'gemini-embedding-001', 'sift.stage': 'embed' });
    expect(one('embed-query', stages).attributes['sift.embed_query.cached']).toBe(false);

    const rerank = one('rerank', stages);
    expect(rerank.attributes).toMatchObject({ 'sift.rerank.mode': 'listwise', 'sift.rerank.status': 'complete', 'sift.rerank.candidates': 3, 'sift.rerank.calls': 1 });
    const rerankCalls = receiver.childrenOf(rerank);
    expect(rerankCalls).toHaveLength(1);
    expect(rerankCalls[0]!.name).toBe('chat gemini-3.1-flash-lite');
    expect(rerankCalls[0]!.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.request.model': 'gemini-3.1-flash-lite', 'sift.stage': 'rerank' });
    expect(rerankCalls[0]!.attributes['gen_ai.usage.input_tokens']).toBe(rerank.attributes['sift.rerank.input_tokens']);
    expect(rerankCalls[0]!.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(rerankCalls[0]!.attributes['sift.usage.cost_usd']).toBeGreaterThan(0);

    const generate = one('generate', stages);
    const generateCall = one('chat gemini-3.1-flash-lite', receiver.childrenOf(generate));
    const generateUsage = askBody.usage.stages.find((stage: { stage: string }) => stage.stage === 'generate');
    expect(generateCall.attributes).toMatchObject({ 'sift.stage': 'generate', 'gen_ai.usage.input_tokens': generateUsage.inputTokens, 'gen_ai.usage.output_tokens': generateUsage.outputTokens });
    expect(generate.attributes['sift.generate.citations']).toBeGreaterThan(0);

    // Children lie within their parents' time. The SDK starts each span at Date.now(), whole
    // milliseconds, and times its duration precisely, so edges may differ by under 1 ms.
    const slackNs = 1_000_000n;
    for (const span of receiver.spans.filter((s) => s.traceId === clientTraceId && s.parentSpanId !== clientSpanId)) {
      const parent = receiver.spans.find((candidate) => candidate.spanId === span.parentSpanId)!;
      const within = span.startNs + slackNs >= parent.startNs && span.endNs <= parent.endNs + slackNs;
      expect(within, `${span.name} [${span.startNs}, ${span.endNs}] within ${parent.name} [${parent.startNs}, ${parent.endNs}]`).toBe(true);
    }
  });

  it('shows the rewrite of a follow-up with its model call, without the query text', () => {
    const server = receiver.spans.find((span) => span.kind === SpanKinds.server && span.traceId === followUpBody.trace.traceId)!;
    const rewrite = one('rewrite', receiver.childrenOf(server));
    expect(rewrite.attributes).toMatchObject({ 'sift.collection': 'geo', 'sift.rewrite.method': 'model', 'sift.rewrite.cached': false });
    expect(rewrite.attributes['sift.rewrite.query']).toBeUndefined();
    expect(followUpBody.trace.stages.find((stage: { stage: string }) => stage.stage === 'rewrite').detail.query).toEqual(expect.any(String));
    const call = one('chat gemini-3.1-flash-lite', receiver.childrenOf(rewrite));
    expect(call.attributes['sift.stage']).toBe('rewrite');
    expect(call.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
  });

  it('shows each uploaded file with parse, chunk, embed and store', () => {
    const upload = one('POST /v1/collections/:collection/documents');
    const files = receiver.childrenOf(upload);
    expect(files.map((span) => span.name)).toEqual(['ingest.file', 'ingest.file', 'ingest.file']);
    expect(files.map((span) => span.attributes['sift.ingest.source']).sort()).toEqual(['deserts.txt', 'glaciers.md', 'volcanoes.md']);
    for (const file of files) {
      expect(file.attributes).toMatchObject({ 'sift.collection': 'geo', 'sift.ingest.status': 'created', 'sift.ingest.chunks': 1 });
      const steps = receiver.childrenOf(file);
      expect(steps.map((span) => span.name)).toEqual(['parse', 'embed', 'store']);
      expect(one('chunk', receiver.childrenOf(steps[0]!)).attributes['sift.ingest.chunks']).toBe(1);
      expect(steps[0]!.attributes['sift.ingest.format']).toBe(file.attributes['sift.ingest.source'] === 'deserts.txt' ? 'text' : 'markdown');
      expect(one('embeddings gemini-embedding-001', receiver.childrenOf(steps[1]!)).attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    }
  });

  it('marks a failed model call as an error, with the fallback reason on the rerank span', async () => {
    const again = await startSift({ ...MODEL_ENV(fake.url), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, RERANK_CACHE_SIZE: '0' });
    await fetch(`${again.url}/v1/collections/geo/documents`, { method: 'POST', body: uploadForm(DOCS) });
    fake.setMode('server-error', { endpoint: 'chat' });
    const body = await (await postJson(`${again.url}/v1/collections/geo/search`, { query: 'Etna', rerank: { candidates: 3 } })).json();
    fake.setMode('normal');
    await again.stop();
    const rerank = receiver.spans.find((span) => span.name === 'rerank' && span.traceId === body.trace.traceId)!;
    expect(rerank.attributes['sift.rerank.status']).toBe('fallback');
    expect(String(rerank.attributes['sift.rerank.reason'])).toMatch(/HTTP 500/);
    const call = receiver.childrenOf(rerank)[0]!;
    expect(call.status.code).toBe(StatusCodes.error);
    expect(call.events.map((event) => event.name)).toContain('exception');
    // The note the JSON trace gives is an event on the request's spans too.
    const noted = receiver.spans.filter((span) => span.traceId === body.trace.traceId).flatMap((span) => span.events.filter((event) => event.name === 'sift.note'));
    expect(noted.map((event) => event.attributes.message)).toEqual(body.trace.notes);
  });
});

describe('with tracing off (the default)', () => {
  let sift: RunningSift;
  beforeAll(async () => {
    sift = await startSift();
    await fetch(`${sift.url}/v1/collections/notes/documents`, { method: 'POST', body: uploadForm([{ name: 'a.txt', content: 'Tea is grown in Assam.' }]) });
  });
  afterAll(() => sift.stop());

  it('gives no trace id, and keeps a sane request id of the client', async () => {
    const response = await postJson(`${sift.url}/v1/collections/notes/search`, { query: 'tea' }, { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, 'x-request-id': 'client-42' });
    expect(response.headers.get('x-request-id')).toBe('client-42');
    expect((await response.json()).trace.traceId).toBeUndefined();
    const made = await postJson(`${sift.url}/v1/collections/notes/search`, { query: 'tea' }, { 'x-request-id': 'not sane\u00e9'.repeat(3) });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('LOG_FORMAT=json', () => {
  it('writes one JSON line per request with method, route, status, ms, request id and collection, and no body text', async () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const sift = await startSift({ LOG_FORMAT: 'json', LOG_LEVEL: 'log' });
    try {
      await fetch(`${sift.url}/v1/collections/secret-notes/documents`, { method: 'POST', body: uploadForm([{ name: 'a.txt', content: 'The vault code is 7341.' }]) });
      await postJson(`${sift.url}/v1/collections/secret-notes/search`, { query: 'vault code' }, { 'x-request-id': 'r-1', authorization: 'Bearer sk-hidden' });
    } finally {
      await sift.stop();
      write.mockRestore();
    }
    const records = lines.flatMap((line) => line.split('\n')).filter(Boolean).map((line) => JSON.parse(line));
    // (The contract check of test/helpers reads /docs/openapi.json too.)
    const requests = records.filter((record) => record.context === 'HTTP' && String(record.route).startsWith('/v1'));
    expect(requests).toHaveLength(2);
    expect(requests[1]).toMatchObject({ level: 'log', method: 'POST', route: '/v1/collections/:collection/search', status: 200, requestId: 'r-1', collection: 'secret-notes' });
    expect(requests[1].ms).toBeGreaterThan(0);
    const all = lines.join('');
    expect(all).not.toContain('7341');
    expect(all).not.toContain('vault');
    expect(all).not.toContain('sk-hidden');
  });
});
