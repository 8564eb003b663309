// Rate limits, model budgets and revocation on the built server, as one process and as two
// worker processes (SIFT_WORKERS=2). Every request opens its own connection, so node:cluster
// hands them to the workers in turn: a limit counted per process would let twice the burst
// through, a budget spent in one worker would not stop the other, and a key revoked through
// one worker would still open the other. The model is the fake Ollama on loopback.
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fakes/fake-ollama.js';
import { buildServer, childPids, startServerProcess, waitFor, type ServerProcess } from '../helpers/built-server.js';
import { uploadForm } from '../helpers/sift-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const ROOT = 'limits-root-key';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
}

/** One request on a connection of its own (no keep-alive pool that would pin one worker). */
function call(url: string, method: string, secret: string | null, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { ...(secret ? { authorization: `Bearer ${secret}` } : {}), ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) };
    const req = request(url, { method, agent: false, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(Buffer.concat(parts).toString('utf8') || 'null') }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function upload(url: string, collection: string, files: Array<{ name: string; content: string }>): Promise<number> {
  const form = new Response(uploadForm(files));
  const response = await fetch(`${url}/v1/collections/${collection}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ROOT}`, 'content-type': form.headers.get('content-type')! },
    body: Buffer.from(await form.arrayBuffer()),
  });
  return response.status;
}

const build = buildServer();
afterAll(() => build.remove());

for (const workers of ['1', '2']) {
  describe(`keys' limits with SIFT_WORKERS=${workers}`, () => {
    const data = makeTempDir('sift-limits-');
    let fake: FakeOllama;
    let server: ServerProcess;
    const createKey = async (body: Record<string, unknown>): Promise<string> => {
      const created = await call(`${server.url}/v1/keys`, 'POST', ROOT, body);
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      return created.json.secret as string;
    };

    beforeAll(async () => {
      fake = await startFakeOllama();
      server = await startServerProcess(build.dir, { SIFT_WORKERS: workers, DATA_DIR: data.path, SIFT_API_KEYS: ROOT, GENERATION_PROVIDER: 'ollama', OLLAMA_BASE_URL: fake.url });
      if (workers === '2') await waitFor(() => childPids(server.child.pid!).length === 2, 30_000, () => `expected 2 workers:\n${server.output()}`);
      expect(await upload(server.url, 'handbook', [{ name: 'travel.md', content: '# Travel\n\nHotel stays are reimbursed up to 180 euros per night. Trains are booked in second class.' }])).toBe(200);
    }, 60_000);

    afterAll(async () => {
      if (server && server.child.exitCode === null) {
        const pids = childPids(server.child.pid!);
        server.child.kill('SIGKILL');
        for (const pid of pids) process.kill(pid, 'SIGKILL');
      }
      await fake?.close();
      data.remove();
    });

    it('lets a burst through, then answers 429 with Retry-After, then allows again', async () => {
      const secret = await createKey({ name: 'bursty', role: 'read', rateLimit: { perMinute: 30, burst: 4 } });
      for (let i = 0; i < 4; i++) expect((await call(`${server.url}/v1/collections`, 'GET', secret)).status, `request ${i + 1}`).toBe(200);
      const refused = [await call(`${server.url}/v1/collections`, 'GET', secret), await call(`${server.url}/v1/collections`, 'GET', secret)];
      for (const answer of refused) {
        expect(answer.status).toBe(429);
        expect(answer.json.error.code).toBe('RATE_LIMITED');
        expect(answer.json.error.message).toContain('30 requests a minute (bursts of 4)');
        expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(Number(answer.headers['retry-after'])).toBeLessThanOrEqual(2);
      }
      // Another key has a bucket of its own.
      expect((await call(`${server.url}/v1/collections`, 'GET', ROOT)).status).toBe(200);
      await sleep(Number(refused[1]!.headers['retry-after']) * 1000 + 100);
      expect((await call(`${server.url}/v1/collections`, 'GET', secret)).status).toBe(200);
    }, 30_000);

    it('stops a revoked key at once in every worker', async () => {
      const secret = await createKey({ name: 'short-lived', role: 'read' });
      for (let i = 0; i < 4; i++) expect((await call(`${server.url}/v1/collections`, 'GET', secret)).status).toBe(200);
      expect((await call(`${server.url}/v1/keys/short-lived`, 'DELETE', ROOT)).status).toBe(200);
      for (let i = 0; i < 4; i++) expect((await call(`${server.url}/v1/collections`, 'GET', secret)).status).toBe(401);
    });

    it('refuses generated answers once the budget is used up, and goes on with lexical search and extractive answers', async () => {
      const secret = await createKey({ name: 'thrifty', role: 'read', scope: ['handbook'], budget: { tokens: 40 } });
      const question = { question: 'How much is reimbursed for a hotel night?' };
      const first = await call(`${server.url}/v1/collections/handbook/ask`, 'POST', secret, question);
      expect(first.status, JSON.stringify(first.json)).toBe(200);
      expect(first.json.mode).toBe('generated');
      expect(first.json.usage.totalTokens).toBeGreaterThan(40);

      const now = new Date();
      const resetsAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
      // Each on its own connection, so with two workers both of them refuse.
      for (let i = 0; i < 4; i++) {
        const refused = await call(`${server.url}/v1/collections/handbook/ask`, 'POST', secret, question);
        expect(refused.status).toBe(429);
        expect(refused.json.error.code).toBe('BUDGET_EXCEEDED');
        expect(refused.json.error.details.resetsAt).toBe(resetsAt);
        expect(refused.json.error.message).toContain(resetsAt);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        const chat = await call(`${server.url}/v1/chat`, 'POST', secret, { message: 'Hello' });
        expect(chat.status).toBe(429);
        expect(chat.json.error.code).toBe('BUDGET_EXCEEDED');
      }
      const calls = fake.requests.length;
      for (let i = 0; i < 2; i++) {
        const extractive = await call(`${server.url}/v1/collections/handbook/ask`, 'POST', secret, { ...question, generate: false });
        expect(extractive.status).toBe(200);
        expect(extractive.json.mode).toBe('extractive');
        expect(extractive.json.answer).toContain('180 euros');
        const search = await call(`${server.url}/v1/collections/handbook/search`, 'POST', secret, { query: 'hotel night' });
        expect(search.status).toBe(200);
        expect(search.json.results[0].source).toBe('travel.md');
      }
      // Nothing refused reached the model.
      expect(fake.requests.length).toBe(calls);

      // The ledger has the key's name; the key sees its own usage, the admin everyone's.
      const own = await call(`${server.url}/v1/usage?groupBy=key`, 'GET', secret);
      expect(own.status).toBe(200);
      expect(own.json.rows.map((row: { key: string }) => row.key)).toEqual(['thrifty']);
      expect(own.json.totals.totalTokens).toBe(first.json.usage.totalTokens);
      const other = await createKey({ name: 'other-reader', role: 'read' });
      expect((await call(`${server.url}/v1/usage`, 'GET', other)).json.rows).toEqual([]);
      const all = await call(`${server.url}/v1/usage?groupBy=key`, 'GET', ROOT);
      expect(all.json.rows.map((row: { key: string }) => row.key)).toContain('thrifty');
    }, 60_000);
  });
}
