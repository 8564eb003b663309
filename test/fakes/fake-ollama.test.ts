// The real ChatOllama, Ollama (LLM) and OllamaEmbeddings against the fake Ollama server:
// what they send, what they make of the answers, and what each failure looks like from the
// caller's side (including which calls the client retries and which it cannot abort).
import { HumanMessage, SystemMessage, type AIMessageChunk } from '@langchain/core/messages';
import { ChatOllama, Ollama, OllamaEmbeddings, type ChatOllamaInput } from '@langchain/ollama';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { FakeFailure } from './fake-behaviour.js';
import { cosineSimilarity, countTokens } from './fake-model.js';
import { startFakeOllama, type FakeOllama } from './fake-ollama.js';
import { hasSettled, waitUntil } from './test-support.js';

const MODEL = 'gemma3:4b';
const EMBEDDING_MODEL = 'embeddinggemma';

const RAG_PROMPT = [
  'Answer from the passages only and cite them as [n].',
  '[1] Sift reranks candidates with a small model.',
  '[2] The embedded store keeps vectors in SQLite. Qdrant serves larger deployments.',
  'Question: Where does the embedded store keep vectors?',
].join('\n');
const EXPECTED_ANSWER = 'The embedded store keeps vectors in SQLite [2].';

let fake: FakeOllama;

beforeAll(async () => {
  fake = await startFakeOllama({ models: [MODEL, EMBEDDING_MODEL] });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.setMode('normal');
  fake.setResponder(null);
  fake.clearRequests();
});

function chat(fields: Partial<ChatOllamaInput> = {}): ChatOllama {
  return new ChatOllama({ model: MODEL, baseUrl: fake.url, ...fields });
}

function embeddings(fields: { maxRetries?: number; dimensions?: number } = {}): OllamaEmbeddings {
  return new OllamaEmbeddings({ model: EMBEDDING_MODEL, baseUrl: fake.url, maxRetries: 0, ...fields });
}

async function collect(stream: AsyncIterable<AIMessageChunk>): Promise<AIMessageChunk[]> {
  const chunks: AIMessageChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('chat over the Ollama wire', () => {
  it('answers a RAG prompt with a cited sentence and reports prompt_eval_count / eval_count as usage', async () => {
    const answer = await chat().invoke(RAG_PROMPT);

    expect(answer.content).toBe(EXPECTED_ANSWER);
    const input = countTokens(RAG_PROMPT);
    const output = countTokens(EXPECTED_ANSWER);
    expect(answer.usage_metadata).toMatchObject({ input_tokens: input, output_tokens: output, total_tokens: input + output });
    expect(answer.response_metadata).toMatchObject({ done_reason: 'stop', prompt_eval_count: input, eval_count: output });
  });

  it('always streams /api/chat, even for invoke()', async () => {
    await chat({ temperature: 0, numPredict: 100 }).invoke([new SystemMessage('Be brief.'), new HumanMessage('Hi?')]);

    const [request] = fake.requests;
    expect(request?.path).toBe('/api/chat');
    expect(request?.body).toMatchObject({
      model: MODEL,
      stream: true,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi?' },
      ],
      options: { temperature: 0, num_predict: 100 },
    });
  });

  it('streams NDJSON chunks; the last one carries the usage', async () => {
    const chunks = await collect(await chat().stream(RAG_PROMPT));

    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((chunk) => chunk.content).join('')).toBe(EXPECTED_ANSWER);
    const last = chunks.at(-1);
    expect(last?.usage_metadata).toMatchObject({ input_tokens: countTokens(RAG_PROMPT), output_tokens: countTokens(EXPECTED_ANSWER) });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage_metadata === undefined)).toBe(true);
  });

  it("says done_reason 'length' when num_predict cuts the answer", async () => {
    const answer = await chat({ numPredict: 3 }).invoke(RAG_PROMPT);
    expect(answer.content).toBe('The embedded store');
    expect(answer.response_metadata.done_reason).toBe('length');
  });

  it('answers non-streaming /api/chat with one JSON object', async () => {
    const response = await postJson('/api/chat', { model: MODEL, stream: false, messages: [{ role: 'user', content: RAG_PROMPT }] });
    expect(await response.json()).toMatchObject({
      model: MODEL,
      message: { role: 'assistant', content: EXPECTED_ANSWER },
      done: true,
      done_reason: 'stop',
      prompt_eval_count: countTokens(RAG_PROMPT),
      eval_count: countTokens(EXPECTED_ANSWER),
    });
  });

  it('serves /api/generate for the Ollama LLM class', async () => {
    const llm = new Ollama({ model: MODEL, baseUrl: fake.url });
    expect(await llm.invoke(RAG_PROMPT)).toBe(EXPECTED_ANSWER);
    expect(fake.requests[0]).toMatchObject({ path: '/api/generate', body: { prompt: RAG_PROMPT, stream: true } });
  });

  it('sends a JSON schema as `format` for structured output', async () => {
    const ranking = z.object({ ranking: z.array(z.number().int()) });
    const prompt = 'Rank the passages by relevance.\n[1] Bananas are yellow.\n[2] SQLite stores vectors.\nQuestion: where are vectors stored?';

    expect(await chat().withStructuredOutput(ranking).invoke(prompt)).toEqual({ ranking: [2, 1] });
    expect((fake.requests[0]?.body as { format: unknown }).format).toMatchObject({
      type: 'object',
      properties: { ranking: { type: 'array', items: { type: 'integer' } } },
    });
  });

  it("sends format 'json' in jsonMode", async () => {
    const prompt = 'Rank these.\n[1] cats\n[2] dogs\nQuestion: dogs';
    await chat().withStructuredOutput(z.object({ ranking: z.array(z.number()) }), { method: 'jsonMode' }).invoke(prompt).catch(() => undefined);
    expect((fake.requests[0]?.body as { format: unknown }).format).toBe('json');
  });

  it('sends images as base64 in a separate user message', async () => {
    let images: unknown[] = [];
    fake.setResponder((request) => {
      images = request.images;
      return 'a small picture';
    });
    const pixel = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const answer = await chat().invoke([
      new HumanMessage({
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${pixel}` } },
        ],
      }),
    ]);
    expect(answer.content).toBe('a small picture');
    expect(images).toEqual([{ mimeType: undefined, data: pixel }]);
    expect((fake.requests[0]?.body as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: 'What is this?' },
      { role: 'user', content: '', images: [pixel] },
    ]);
  });

  it('answers with the provider error when a responder throws a FakeFailure, for that request only', async () => {
    fake.setResponder((request) => {
      if (request.prompt.includes('poison')) throw new FakeFailure(503, 'server busy');
      return undefined;
    });
    await expect(chat().invoke('poison pill')).rejects.toMatchObject({ name: 'ResponseError', status_code: 503, message: 'server busy' });
    expect((await chat().invoke('Hello there?')).content).toBe('You said: Hello there?');
  });

  it('refuses a model that is not installed (404) and an embedding model used for chat (400)', async () => {
    await expect(chat({ model: 'llama9:70b' }).invoke('hi')).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 404,
      message: 'model "llama9:70b" not found, try pulling it first',
    });
    await expect(chat({ model: EMBEDDING_MODEL }).invoke('hi')).rejects.toMatchObject({ status_code: 400 });
  });
});

describe('embeddings over the Ollama wire', () => {
  it('embeds a batch in one /api/embed call with truncate: false', async () => {
    const vectors = await embeddings().embedDocuments(['first text', 'second text', 'third text']);

    expect(vectors).toHaveLength(3);
    expect(vectors.every((vector) => vector.length === 256)).toBe(true);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      path: '/api/embed',
      body: { model: EMBEDDING_MODEL, input: ['first text', 'second text', 'third text'], truncate: false },
    });
  });

  it('is deterministic, honours `dimensions`, and puts related texts closer', async () => {
    const client = embeddings({ dimensions: 48 });
    const [question, related, unrelated] = await client.embedDocuments([
      'how are vectors stored in sqlite',
      'SQLite stores the vectors in one file',
      'bananas grow in tropical climates',
    ]);
    expect(question).toHaveLength(48);
    expect(await client.embedQuery('how are vectors stored in sqlite')).toEqual(question);
    expect(cosineSimilarity(question!, related!)).toBeGreaterThan(cosineSimilarity(question!, unrelated!));
  });

  it('refuses an input longer than the context when truncate is false', async () => {
    const small = await startFakeOllama({ embeddingContextTokens: 5 });
    try {
      const client = new OllamaEmbeddings({ model: EMBEDDING_MODEL, baseUrl: small.url, maxRetries: 0 });
      await expect(client.embedQuery('one two three four five six')).rejects.toMatchObject({
        status_code: 400,
        message: 'the input length exceeds the context length',
      });
    } finally {
      await small.close();
    }
  });
});

describe('model metadata', () => {
  it('lists installed models on /api/tags and reports the version', async () => {
    const tags = (await (await fetch(`${fake.url}/api/tags`)).json()) as { models: Array<{ name: string }> };
    expect(tags.models.map((model) => model.name)).toEqual([MODEL, `${EMBEDDING_MODEL}:latest`]);
    expect(await (await fetch(`${fake.url}/api/version`)).json()).toEqual({ version: '0.12.6' });
    expect(await (await fetch(`${fake.url}/`)).text()).toBe('Ollama is running');
  });

  it('shows a model, with the embedding size for embedding models', async () => {
    const shown = (await (await postJson('/api/show', { model: EMBEDDING_MODEL })).json()) as {
      capabilities: string[];
      model_info: Record<string, unknown>;
    };
    expect(shown.capabilities).toEqual(['embedding']);
    expect(shown.model_info['embeddinggemma.embedding_length']).toBe(256);
    expect((await postJson('/api/show', { model: 'nope' })).status).toBe(404);
  });

  it('checkOrPullModel makes ChatOllama look the model up in /api/tags first', async () => {
    await chat({ checkOrPullModel: true }).invoke('hi');
    const paths = fake.requests.map((request) => request.path);
    // invoke() checks twice today (in _generate and again in _streamResponseChunks).
    expect(paths.at(-1)).toBe('/api/chat');
    expect(new Set(paths.slice(0, -1))).toEqual(new Set(['/api/tags']));
  });
});

describe('failures as ChatOllama sees them', () => {
  it('rate-limit / server-error / overloaded: ResponseError with status_code, never retried', async () => {
    const cases = [
      ['rate-limit', 429],
      ['server-error', 500],
      ['overloaded', 503],
    ] as const;
    for (const [mode, status] of cases) {
      fake.clearRequests();
      fake.setMode(mode);
      // ChatOllama calls the ollama client directly, not through its AsyncCaller: maxRetries does nothing.
      await expect(chat({ maxRetries: 3 }).invoke('hi')).rejects.toMatchObject({ name: 'ResponseError', status_code: status });
      expect(fake.requests).toHaveLength(1);
    }
  });

  it('rate-limit: the wire carries Retry-After and {"error": ...}', async () => {
    fake.setMode('rate-limit', { retryAfterSeconds: 4 });
    const response = await postJson('/api/chat', { model: MODEL, messages: [] });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('4');
    expect(await response.json()).toEqual({ error: 'too many requests, please retry later' });
  });

  it('hang: invoke() ignores its AbortSignal; the request stays open', async () => {
    fake.setMode('hang');
    const controller = new AbortController();
    const call = chat().invoke('hi', { signal: controller.signal });
    call.catch(() => undefined);
    await waitUntil(() => fake.requests.length === 1);
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 150));

    expect(await hasSettled(call)).toBe(false);
    expect(fake.requests[0]?.closedByClient).toBe(false);
  });

  it('hang: stream() rejects on abort, but the HTTP request is left open', async () => {
    fake.setMode('hang');
    const controller = new AbortController();
    const call = chat()
      .stream('hi', { signal: controller.signal })
      .then(collect);
    await waitUntil(() => fake.requests.length === 1);
    controller.abort();

    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    // ChatOllama never hands the signal to its client: a real Ollama would keep generating.
    expect(fake.requests[0]?.closedByClient).toBe(false);
  });

  it('hang: a `fetch` option that adds the caller signal really cancels the request', async () => {
    fake.setMode('hang');
    const controller = new AbortController();
    const abortableFetch: typeof fetch = (input, init) =>
      fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal });
    const call = chat({ fetch: abortableFetch }).invoke('hi');
    await waitUntil(() => fake.requests.length === 1);
    controller.abort();

    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    await waitUntil(() => fake.requests[0]?.closedByClient === true);
  });

  it('cut-stream: fetch "terminated" after the first chunks', async () => {
    fake.setMode('cut-stream', { afterEvents: 2 });
    const received: string[] = [];
    const streamed = (async () => {
      for await (const chunk of await chat().stream(RAG_PROMPT)) received.push(String(chunk.content));
    })();
    await expect(streamed).rejects.toMatchObject({ name: 'TypeError', message: 'terminated' });
    expect(received).toHaveLength(2);
  });

  it('malformed-json: the bad line is skipped with a console warning, then the stream fails without `done`', async () => {
    fake.setMode('malformed-json');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await expect(chat().invoke(RAG_PROMPT)).rejects.toThrow('Did not receive done or success response in stream.');
      expect(warn).toHaveBeenCalledWith('invalid json: ', expect.any(String));
    } finally {
      warn.mockRestore();
    }
  });

  it('garbage: text arrives in a valid envelope, and structured output fails to parse', async () => {
    fake.setMode('garbage');
    const answer = await chat().invoke(RAG_PROMPT);
    expect(answer.content).not.toMatch(/\[\d+\]/);

    const structured = chat().withStructuredOutput(z.object({ ranking: z.array(z.number()) }));
    await expect(structured.invoke(RAG_PROMPT)).rejects.toThrow(/parse/i);
  });
});

describe('failures as OllamaEmbeddings sees them', () => {
  it('retries 429 and 5xx itself through its AsyncCaller', async () => {
    fake.setMode('rate-limit', { endpoint: 'embed', times: 1 });
    expect(await embeddings({ maxRetries: 1 }).embedQuery('q')).toHaveLength(256);
    expect(fake.requests.map((request) => request.mode)).toEqual(['rate-limit', 'normal']);
  });

  it('retries even a 404: the AsyncCaller does not read ResponseError.status_code', async () => {
    const client = new OllamaEmbeddings({ model: 'not-installed', baseUrl: fake.url, maxRetries: 1 });
    await expect(client.embedQuery('q')).rejects.toMatchObject({ status_code: 404 });
    expect(fake.requests).toHaveLength(2);
  });

  it('garbage: vectors of the wrong dimension arrive without complaint', async () => {
    fake.setMode('garbage', { endpoint: 'embed' });
    expect(await embeddings().embedQuery('q')).toHaveLength(128);
  });
});
