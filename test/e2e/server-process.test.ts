// The server built and started as users start it (`node dist/src/main.js`): a start that
// cannot listen, and Sift as several worker processes (SIFT_WORKERS=2). In the latter, each
// request below opens its own connection, so node:cluster hands them to the workers in turn:
// what one worker writes, the other must serve; jobs accepted by either must run (in worker
// 1); /metrics must count every worker's requests; a killed worker is replaced; SIGTERM stops
// everything cleanly.
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, childPids, freePort, spawnServerProcess, startServerProcess, waitFor, type ServerProcess } from '../helpers/built-server.js';
import { uploadForm } from '../helpers/sift-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** One request on a connection of its own (no keep-alive pool that would pin one worker). */
function call(url: string, method = 'GET', body?: unknown): Promise<{ status: number; json: any; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(url, { method, agent: false, headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {} }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON (/metrics)
        }
        resolve({ status: res.statusCode ?? 0, json, text });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Uploads over a fresh connection (fetch would reuse its pool). */
async function upload(url: string, files: Array<{ name: string; content: string }>): Promise<{ status: number; json: any }> {
  const form = new Response(uploadForm(files));
  const body = Buffer.from(await form.arrayBuffer());
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': form.headers.get('content-type')!, 'content-length': body.length } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const build = buildServer();
afterAll(() => build.remove());

describe('a start that cannot listen', () => {
  let blocker: Server;
  let port: number;
  const data = makeTempDir('sift-taken-');

  beforeAll(async () => {
    port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  });
  afterAll(() => {
    blocker.close();
    data.remove();
  });

  for (const workers of ['1', '2']) {
    it(`exits 1 and says what to do when the port is taken (SIFT_WORKERS=${workers})`, async () => {
      const server = spawnServerProcess(build.dir, { PORT: String(port), DATA_DIR: data.path, SIFT_WORKERS: workers });
      expect(await server.exited).toBe(1);
      expect(server.output()).toContain(`Could not start: 127.0.0.1:${port} is already in use. Stop what listens there, or set PORT (and HOST) to a free address.`);
      if (workers === '2') expect(server.output()).toContain('Worker 1 stopped before it was listening');
    }, 30_000);
  }
});

describe('what start-up says', () => {
  const data = makeTempDir('sift-startup-');
  afterAll(() => data.remove());

  it('ends with the addresses and a command to try, with no route-mapping lines before', async () => {
    const server = await startServerProcess(build.dir, { DATA_DIR: data.path, LOG_LEVEL: 'log' });
    server.child.kill('SIGTERM');
    await server.exited;
    const lines = server.output().split('\n').filter((line) => line.trim() !== '');
    expect(server.output()).not.toMatch(/Mapped \{|RoutesResolver|InstanceLoader/);
    expect(lines.find((line) => line.includes('Store:'))).toContain(`sqlite in ${data.path}`);
    const listening = lines.findIndex((line) => line.includes('Listening on'));
    expect(lines[listening]).toMatch(/Listening on http:\/\/127\.0\.0\.1:\d+: API at .*\/v1, OpenAPI docs at .*\/docs/);
    expect(lines[listening + 1]).toMatch(/Try it \(from the repository\): curl -s -F files=@examples\/travel\.md http:\/\/127\.0\.0\.1:\d+\/v1\/collections\/handbook\/documents/);
  }, 30_000);

  it('warns at once, naming the address, when Qdrant or a model provider cannot be reached', async () => {
    const port = await freePort();
    const server = spawnServerProcess(build.dir, {
      PORT: String(port),
      DATA_DIR: data.path,
      LOG_LEVEL: 'log',
      SIFT_STORE: 'qdrant',
      QDRANT_URL: 'http://127.0.0.1:9',
      GENERATION_PROVIDER: 'ollama',
      OLLAMA_BASE_URL: 'http://127.0.0.1:9',
    });
    await waitFor(() => /A model provider cannot be reached/.test(server.output()), 30_000, () => `no warning:\n${server.output()}`);
    expect(server.output()).toMatch(/Store: qdrant at http:\/\/127\.0\.0\.1:9/);
    expect(server.output()).toMatch(/WARN.*Qdrant at http:\/\/127\.0\.0\.1:9 .*503.*\/readyz/);
    expect(server.output()).toMatch(/WARN.*ollama at http:\/\/127\.0\.0\.1:9.*Affected: generation/);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    server.child.kill('SIGTERM');
    await server.exited;
  }, 30_000);
});

describe('a start on the wrong Node.js', () => {
  // The machine's own Node (20 here; npm runs on it), found on PATH without node_modules.
  const systemNode = spawnSync('/usr/bin/env', ['PATH=/usr/local/bin:/usr/bin:/bin', 'node', '--version'], { encoding: 'utf8' });
  const other = systemNode.status === 0 && !systemNode.stdout.startsWith('v24.');

  it.skipIf(!other)('exits 1 and names the Node.js it needs instead of crashing in the native module', () => {
    const run = spawnSync('/usr/bin/env', ['PATH=/usr/local/bin:/usr/bin:/bin', 'node', join(build.dir, 'src/main.js')], { encoding: 'utf8', env: { ...process.env, PATH: '/usr/local/bin:/usr/bin:/bin' } });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`Sift needs Node.js 24, and this is Node.js ${systemNode.stdout.trim().slice(1)}`);
  });
});

describe('several worker processes (SIFT_WORKERS=2)', () => {
  const data = makeTempDir('sift-cluster-');
  let server: ServerProcess;

  beforeAll(async () => {
    // Uploads of two or more files become background jobs.
    server = await startServerProcess(build.dir, { SIFT_WORKERS: '2', DATA_DIR: data.path, JOB_THRESHOLD_FILES: '1' });
    await waitFor(() => childPids(server.child.pid!).length === 2, 30_000, () => `expected 2 workers:\n${server.output()}`);
  }, 60_000);

  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      for (const pid of childPids(server.child.pid!)) process.kill(pid, 'SIGKILL');
    }
    data.remove();
  });

  it('serves what one worker wrote from every worker', async () => {
    const created = await upload(`${server.url}/v1/collections/shared/documents`, [{ name: 'otters.md', content: '# Otters\n\nSea otters hold hands while they sleep.' }]);
    expect(created.status).toBe(200);
    for (let i = 0; i < 6; i++) {
      const found = await call(`${server.url}/v1/collections/shared/search`, 'POST', { query: 'otters sleep', topK: 3 });
      expect(found.status).toBe(200);
      expect(found.json.results.map((result: { source: string }) => result.source)).toEqual(['otters.md']);
    }
  });

  it('runs jobs accepted by any worker, and answers for them from any worker', async () => {
    const topics = ['glaciers', 'comets', 'orchards', 'harbours'];
    const accepted = [];
    for (const topic of topics) {
      const response = await upload(`${server.url}/v1/collections/jobs/documents`, [
        { name: `${topic}-1.md`, content: `# ${topic}\n\nA first note on ${topic}.` },
        { name: `${topic}-2.md`, content: `# ${topic}\n\nA second note on ${topic}.` },
      ]);
      expect(response.status).toBe(202);
      accepted.push(response.json.job.id as string);
    }
    for (const id of accepted) {
      let state = '';
      await waitFor(
        async () => {
          state = (await call(`${server.url}/v1/jobs/${id}`)).json.job.state;
          return state !== 'queued' && state !== 'running';
        },
        30_000,
        () => `job ${id} stayed ${state}`,
      );
      expect(state).toBe('succeeded');
    }
    const listed = await call(`${server.url}/v1/collections/jobs/documents?limit=100`);
    expect(listed.json.total).toBe(8);
  });

  it('counts every worker\'s requests in /metrics', async () => {
    const before = await healthzCount(server.url);
    for (let i = 0; i < 20; i++) expect((await call(`${server.url}/healthz`)).status).toBe(200);
    expect(await healthzCount(server.url)).toBe(before + 20);
  });

  it('replaces a worker that dies, and keeps serving meanwhile', async () => {
    const [victim, survivor] = childPids(server.child.pid!);
    process.kill(victim!, 'SIGKILL');
    // A connection handed to the worker in the instant it died is lost with it (node:cluster);
    // once the primary has seen the death, the survivor takes every request.
    await waitFor(() => /Worker \d \(pid \d+\) exited with SIGKILL; starting a new one/.test(server.output()), 30_000, () => server.output());
    for (let i = 0; i < 4; i++) expect((await call(`${server.url}/healthz`)).status).toBe(200);
    await waitFor(
      () => {
        const workers = childPids(server.child.pid!);
        return workers.length === 2 && workers.includes(survivor!) && !workers.includes(victim!);
      },
      30_000,
      () => `no replacement worker:\n${server.output()}`,
    );
    await waitFor(async () => (await call(`${server.url}/readyz`)).status === 200, 30_000, () => 'not ready after the replacement');
  }, 60_000);

  it('stops every worker on SIGTERM and exits 0', async () => {
    const primary = server.child.pid!;
    const workers = childPids(primary);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  });
});

async function healthzCount(url: string): Promise<number> {
  const metrics = await call(`${url}/metrics`);
  expect(metrics.status).toBe(200);
  const line = metrics.text.split('\n').find((entry) => entry.startsWith('sift_http_requests_total{') && entry.includes('route="/healthz"'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
