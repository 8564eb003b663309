// The real ChatGoogleGenerativeAI and GoogleGenerativeAIEmbeddings against the fake Gemini
// server: what they send, what they make of the answers, and what each failure looks like
// from the caller's side (including the client's own retries and abort handling).
import { ChatGoogleGenerativeAI, GoogleGenerativeAIEmbeddings, type GoogleGenerativeAIChatInput } from '@langchain/google-genai';
import { HumanMessage, SystemMessage, type AIMessageChunk } from '@langchain/core/messages';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startFakeGemini, type FakeGemini } from './fake-gemini.js';
import { cosineSimilarity, countTokens } from './fake-model.js';
import { collectUnhandledRejections, hasSettled, waitUntil } from './test-support.js';

const API_KEY = 'test-key';
const MODEL = 'gemini-3.1-flash-lite';
const EMBEDDING_MODEL = 'gemini-embedding-001';

const RAG_PROMPT = [
  'Answer from the passages only and cite them as [n].',
  '[1] Sift reranks candidates with a small model.',
  '[2] The embedded store keeps vectors in SQLite. Qdrant serves larger deployments.',
  'Question: Where does the embedded store keep vectors?',
].join('\n');
const EXPECTED_ANSWER = 'The embedded store keeps vectors in SQLite [2].';

let fake: FakeGemini;

beforeAll(async () => {
  fake = await startFakeGemini({ apiKey: API_KEY });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.setMode('normal');
  fake.setResponder(null);
  fake.clearRequests();
});

function chat(fields: Partial<GoogleGenerativeAIChatInput> = {}): ChatGoogleGenerativeAI {
  return new ChatGoogleGenerativeAI({ model: MODEL, apiKey: API_KEY, baseUrl: fake.url, maxRetries: 0, ...fields });
}

function embeddings(fields: { maxRetries?: number; outputDimensionality?: number } = {}): GoogleGenerativeAIEmbeddings {
  return new GoogleGenerativeAIEmbeddings({ model: EMBEDDING_MODEL, apiKey: API_KEY, baseUrl: fake.url, maxRetries: 0, ...fields });
}

async function collect(stream: AsyncIterable<AIMessageChunk>): Promise<AIMessageChunk[]> {
  const chunks: AIMessageChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function sumUsage(chunks: AIMessageChunk[]): { input: number; output: number; total: number } {
  return chunks.reduce(
    (sum, chunk) => ({
      input: sum.input + (chunk.usage_metadata?.input_tokens ?? 0),
      output: sum.output + (chunk.usage_metadata?.output_tokens ?? 0),
      total: sum.total + (chunk.usage_metadata?.total_tokens ?? 0),
    }),
    { input: 0, output: 0, total: 0 },
  );
}

describe('chat over the Gemini wire', () => {
  it('answers a RAG prompt with a cited sentence and reports the fake token counts', async () => {
    const answer = await chat().invoke(RAG_PROMPT);

    expect(answer.content).toBe(EXPECTED_ANSWER);
    const input = countTokens(RAG_PROMPT);
    const output = countTokens(EXPECTED_ANSWER);
    expect(answer.usage_metadata).toEqual({ input_tokens: input, output_tokens: output, total_tokens: input + output });
    expect(answer.response_metadata.finishReason).toBe('STOP');
  });

  it('posts generateContent under {baseUrl}/v1beta/models/{model} with the key in x-goog-api-key', async () => {
    await chat({ temperature: 0, maxOutputTokens: 200 }).invoke([new SystemMessage('Be brief.'), new HumanMessage('Hi?')]);

    const [request] = fake.requests;
    expect(request?.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(request?.headers['x-goog-api-key']).toBe(API_KEY);
    expect(request?.headers['x-goog-api-client']).toMatch(/^genai-js\//);
    expect(request?.body).toMatchObject({
      systemInstruction: { role: 'system', parts: [{ text: 'Be brief.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Hi?' }] }],
      generationConfig: { temperature: 0, maxOutputTokens: 200 },
    });
  });

  it('uses another API version when apiVersion is set', async () => {
    await chat({ apiVersion: 'v1' }).invoke('Hi?');
    expect(fake.requests[0]?.path).toBe(`/v1/models/${MODEL}:generateContent`);
  });

  it('lets the model read the system instruction (here: the not-found phrase)', async () => {
    const answer = await chat().invoke([
      new SystemMessage('If the passages do not answer the question, reply exactly "Not in the documents."'),
      new HumanMessage('[1] Cats purr.\nQuestion: What is the capital of Peru?'),
    ]);
    expect(answer.content).toBe('Not in the documents.');
  });

  it('streams several SSE chunks whose usage adds up to the fake token counts', async () => {
    const chunks = await collect(await chat().stream(RAG_PROMPT));

    expect(fake.requests[0]?.path).toBe(`/v1beta/models/${MODEL}:streamGenerateContent`);
    expect(fake.requests[0]?.query).toEqual({ alt: 'sse' });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((chunk) => chunk.content).join('')).toBe(EXPECTED_ANSWER);
    // The client turns Google's cumulative usageMetadata into per-chunk deltas.
    const input = countTokens(RAG_PROMPT);
    const output = countTokens(EXPECTED_ANSWER);
    expect(sumUsage(chunks)).toEqual({ input, output, total: input + output });
    expect(chunks.at(-1)?.response_metadata.finishReason).toBe('STOP');
  });

  it('says MAX_TOKENS when maxOutputTokens cuts the answer', async () => {
    const answer = await chat({ maxOutputTokens: 3 }).invoke(RAG_PROMPT);
    expect(answer.content).toBe('The embedded store');
    expect(answer.response_metadata.finishReason).toBe('MAX_TOKENS');
    expect(answer.usage_metadata?.output_tokens).toBe(3);
  });

  it('asks for JSON with responseMimeType and responseSchema for structured output', async () => {
    const ranking = z.object({ ranking: z.array(z.number().int()).describe('passage ids, most relevant first') });
    const prompt = 'Rank the passages by relevance.\n[1] Bananas are yellow.\n[2] SQLite stores vectors.\nQuestion: where are vectors stored?';

    const result = await chat().withStructuredOutput(ranking).invoke(prompt);

    expect(result).toEqual({ ranking: [2, 1] });
    const config = (fake.requests[0]?.body as { generationConfig: Record<string, unknown> }).generationConfig;
    expect(config.responseMimeType).toBe('application/json');
    expect(config.responseSchema).toMatchObject({ type: 'object', properties: { ranking: { type: 'array' } } });
  });

  it('lets a test replace the model with a responder that sees the request', async () => {
    const seen: string[] = [];
    fake.setResponder((request) => {
      seen.push(`${request.provider}/${request.endpoint}/${request.model}: ${request.prompt}`);
      return 'scripted answer';
    });
    const answer = await chat().invoke('Hello?');
    expect(answer.content).toBe('scripted answer');
    expect(seen).toEqual([`gemini/generateContent/${MODEL}: Hello?`]);
  });

  it('passes image parts through as inlineData', async () => {
    let images: unknown[] = [];
    fake.setResponder((request) => {
      images = request.images;
      return undefined; // the default model answers
    });
    const pixel = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const answer = await chat().invoke([
      new HumanMessage({
        content: [
          { type: 'text', text: 'What is in this picture?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${pixel}` } },
        ],
      }),
    ]);
    expect(images).toEqual([{ mimeType: 'image/png', data: pixel }]);
    expect(answer.content).toBe('You said: What is in this picture? (with 1 image)');
  });
});

describe('embeddings over the Gemini wire', () => {
  it('embeds a query with embedContent: deterministic, of the requested dimension', async () => {
    const client = embeddings({ outputDimensionality: 64 });
    const first = await client.embedQuery('hybrid search with reranking');
    const again = await client.embedQuery('hybrid search with reranking');

    expect(first).toHaveLength(64);
    expect(again).toEqual(first);
    expect(fake.requests[0]?.path).toBe(`/v1beta/models/${EMBEDDING_MODEL}:embedContent`);
    expect(fake.requests[0]?.body).toMatchObject({
      content: { role: 'user', parts: [{ text: 'hybrid search with reranking' }] },
      outputDimensionality: 64,
    });
  });

  it('uses the fake default dimension (256) when none is asked for', async () => {
    expect(await embeddings().embedQuery('x')).toHaveLength(256);
  });

  it('embeds documents with batchEmbedContents, at most 100 per request', async () => {
    const texts = Array.from({ length: 150 }, (_, i) => `document number ${i} about topic ${i % 7}`);
    const vectors = await embeddings().embedDocuments(texts);

    expect(vectors).toHaveLength(150);
    expect(vectors.every((vector) => vector.length === 256)).toBe(true);
    const batches = fake.requests.filter((request) => request.endpoint === 'batchEmbedContents');
    expect(batches.map((request) => (request.body as { requests: unknown[] }).requests.length)).toEqual([100, 50]);
    expect((batches[0]?.body as { requests: Array<{ model: string }> }).requests[0]?.model).toBe(`models/${EMBEDDING_MODEL}`);
  });

  it('puts texts that share words closer together', async () => {
    const [question, related, unrelated] = await embeddings().embedDocuments([
      'how are vectors stored in sqlite',
      'SQLite stores the vectors in one file',
      'bananas grow in tropical climates',
    ]);
    expect(cosineSimilarity(question!, related!)).toBeGreaterThan(cosineSimilarity(question!, unrelated!));
  });
});

describe('keys, models and metadata', () => {
  it('refuses a request without a key with 403 PERMISSION_DENIED, as Google does', async () => {
    const response = await fetch(`${fake.url}/v1beta/models/${MODEL}:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
  });

  it('answers a wrong key with 400 API_KEY_INVALID, which the client does not retry', async () => {
    const wrongKey = new ChatGoogleGenerativeAI({ model: MODEL, apiKey: 'wrong', baseUrl: fake.url, maxRetries: 3 });
    await expect(wrongKey.invoke('hi')).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('API key not valid'),
      errorDetails: [expect.objectContaining({ reason: 'API_KEY_INVALID' })],
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('accepts the key as a ?key= query parameter too', async () => {
    const response = await fetch(`${fake.url}/v1beta/models?key=${API_KEY}`);
    expect(response.status).toBe(200);
    const listed = (await response.json()) as { models: Array<{ name: string }> };
    expect(listed.models.map((model) => model.name)).toContain(`models/${MODEL}`);
  });

  it('answers 404 for a model it does not serve, when given a model list', async () => {
    const strict = await startFakeGemini({ models: [MODEL] });
    try {
      const client = new ChatGoogleGenerativeAI({ model: 'gemini-0-unknown', apiKey: 'k', baseUrl: strict.url, maxRetries: 2 });
      await expect(client.invoke('hi')).rejects.toMatchObject({ status: 404, message: expect.stringContaining('is not found') });
      expect(strict.requests).toHaveLength(1); // 404 is not retried
    } finally {
      await strict.close();
    }
  });

  it('counts tokens with countTokens', async () => {
    const response = await fetch(`${fake.url}/v1beta/models/${MODEL}:countTokens`, {
      method: 'POST',
      headers: { 'x-goog-api-key': API_KEY },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'one two three' }] }] }),
    });
    expect(await response.json()).toMatchObject({ totalTokens: 3 });
  });
});

describe('failures as ChatGoogleGenerativeAI sees them', () => {
  it('rate-limit: a 429 is thrown at once as RateLimitCapacityError, even with retries allowed', async () => {
    fake.setMode('rate-limit', { retryAfterSeconds: 2 });
    const error = await chat({ maxRetries: 3 })
      .invoke('hi')
      .catch((e: unknown) => e);

    // The SDK error carries no headers, so LangChain cannot see Retry-After and gives up;
    // Google's RetryInfo detail does reach the caller in errorDetails.
    expect(error).toMatchObject({
      name: 'RateLimitCapacityError',
      status: 429,
      rateLimitType: 'capacity',
      errorDetails: [expect.objectContaining({ retryDelay: '2s' })],
    });
    expect(fake.requests).toHaveLength(1);
  });

  it("rate-limit: a quota message (Google's daily-quota wording) becomes a non-retryable quota error", async () => {
    fake.setMode('rate-limit', {
      message: 'You exceeded your current quota, please check your plan and billing details.',
    });
    await expect(chat({ maxRetries: 3 }).invoke('hi')).rejects.toMatchObject({
      name: 'RateLimitQuotaExhaustedError',
      status: 429,
      rateLimitType: 'stop',
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('rate-limit: the wire carries Retry-After and Google RetryInfo', async () => {
    fake.setMode('rate-limit', { retryAfterSeconds: 3 });
    const response = await fetch(`${fake.url}/v1beta/models/${MODEL}:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': API_KEY },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({
      error: {
        code: 429,
        message: 'Resource has been exhausted (e.g. check quota).',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '3s' }],
      },
    });
  });

  it('server-error: a 500 is retried by the client itself (maxRetries, exponential backoff from ~1 s)', async () => {
    fake.setMode('server-error', { times: 1 });
    const answer = await chat({ maxRetries: 1 }).invoke(RAG_PROMPT);
    expect(answer.content).toBe(EXPECTED_ANSWER);
    expect(fake.requests.map((request) => request.mode)).toEqual(['server-error', 'normal']);
  });

  it('server-error / overloaded: with maxRetries 0 the status reaches the caller', async () => {
    fake.setMode('server-error', { times: 1 });
    await expect(chat().invoke('hi')).rejects.toMatchObject({ status: 500 });
    fake.setMode('overloaded', { times: 1 });
    await expect(chat().invoke('hi')).rejects.toMatchObject({ status: 503, message: expect.stringContaining('overloaded') });
  });

  it('slow: the answer arrives after the delay', async () => {
    fake.setMode('slow', { delayMs: 50 });
    expect((await chat().invoke(RAG_PROMPT)).content).toBe(EXPECTED_ANSWER);
    expect(fake.requests[0]?.mode).toBe('slow');
  });

  it('hang: invoke() ignores its AbortSignal and timeout; the request stays open', async () => {
    fake.setMode('hang');
    const controller = new AbortController();
    const call = chat().invoke('hi', { signal: controller.signal, timeout: 50 });
    call.catch(() => undefined);
    await waitUntil(() => fake.requests.length === 1);
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 150));

    // Non-streaming _generate calls the SDK without the signal: nothing cancels the fetch.
    expect(await hasSettled(call)).toBe(false);
    expect(fake.requests[0]?.closedByClient).toBe(false);
  });

  it('hang: stream() honours its AbortSignal and closes the connection', async () => {
    fake.setMode('hang');
    const controller = new AbortController();
    const call = chat()
      .stream('hi', { signal: controller.signal })
      .then(collect);
    await waitUntil(() => fake.requests.length === 1);
    controller.abort();

    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    await waitUntil(() => fake.requests[0]?.closedByClient === true);
  });

  it('hang: streaming: true makes invoke() abortable too', async () => {
    fake.setMode('hang');
    const controller = new AbortController();
    const call = chat({ streaming: true }).invoke('hi', { signal: controller.signal });
    await waitUntil(() => fake.requests.length === 1);
    controller.abort();

    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    await waitUntil(() => fake.requests[0]?.closedByClient === true);
  });

  it('cut-stream: the stream fails after the first chunks, and the SDK leaves an unhandled rejection', async () => {
    fake.setMode('cut-stream', { afterEvents: 2 });
    const rejections = collectUnhandledRejections();
    try {
      const received: string[] = [];
      const streamed = (async () => {
        for await (const chunk of await chat().stream(RAG_PROMPT)) received.push(String(chunk.content));
      })();

      await expect(streamed).rejects.toThrow('[GoogleGenerativeAI Error]: Error reading from the stream');
      expect(received.length).toBe(2);
      await waitUntil(() => rejections.errors.length > 0);
      expect(String(rejections.errors[0])).toContain('Error reading from the stream');
    } finally {
      rejections.stop();
    }
  });

  it('cut-stream: a non-streaming answer cut midway is a fetch "terminated" error', async () => {
    fake.setMode('cut-stream');
    await expect(chat().invoke('hi')).rejects.toMatchObject({ name: 'TypeError', message: 'terminated' });
  });

  it('malformed-json: invoke() throws a SyntaxError (retried by the client when maxRetries > 0)', async () => {
    fake.setMode('malformed-json');
    await expect(chat().invoke('hi')).rejects.toBeInstanceOf(SyntaxError);
  });

  it('malformed-json: a broken SSE event fails the stream, again with an unhandled rejection', async () => {
    fake.setMode('malformed-json');
    const rejections = collectUnhandledRejections();
    try {
      await expect(chat().stream(RAG_PROMPT).then(collect)).rejects.toThrow('Error parsing JSON response');
      await waitUntil(() => rejections.errors.length > 0);
    } finally {
      rejections.stop();
    }
  });

  it('garbage: text arrives in a valid envelope, and structured output fails to parse', async () => {
    fake.setMode('garbage');
    const answer = await chat().invoke(RAG_PROMPT);
    expect(answer.content).not.toMatch(/\[\d+\]/);
    expect(answer.usage_metadata?.output_tokens).toBeGreaterThan(0);

    const structured = chat().withStructuredOutput(z.object({ ranking: z.array(z.number()) }));
    await expect(structured.invoke(RAG_PROMPT)).rejects.toThrow(/parse/i);
  });
});

describe('failures as GoogleGenerativeAIEmbeddings sees them', () => {
  it('embedDocuments swallows a failed batch: empty vectors, no error, no retry', async () => {
    for (const mode of ['rate-limit', 'server-error', 'malformed-json', 'cut-stream'] as const) {
      fake.clearRequests();
      fake.setMode(mode, { endpoint: 'embed' });
      // The client uses Promise.allSettled over batches and maps a rejected batch to [].
      expect(await embeddings({ maxRetries: 3 }).embedDocuments(['a text', 'another text'])).toEqual([[], []]);
      expect(fake.requests).toHaveLength(1);
    }
  });

  it('embedQuery surfaces errors, retrying 5xx itself', async () => {
    fake.setMode('rate-limit', { endpoint: 'embed' });
    await expect(embeddings({ maxRetries: 3 }).embedQuery('q')).rejects.toMatchObject({ status: 429 });
    expect(fake.requests).toHaveLength(1);

    fake.clearRequests();
    fake.setMode('normal');
    fake.setMode('server-error', { endpoint: 'embedContent', times: 1 });
    expect(await embeddings({ maxRetries: 1 }).embedQuery('q')).toHaveLength(256);
    expect(fake.requests.map((request) => request.mode)).toEqual(['server-error', 'normal']);
  });

  it('garbage: vectors of the wrong dimension arrive without complaint', async () => {
    fake.setMode('garbage', { endpoint: 'embed' });
    const [vector] = await embeddings().embedDocuments(['a text']);
    expect(vector).toHaveLength(128);
  });

  it('only the targeted endpoint fails', async () => {
    fake.setMode('server-error', { endpoint: 'embed' });
    expect((await chat().invoke(RAG_PROMPT)).content).toBe(EXPECTED_ANSWER);
  });
});
