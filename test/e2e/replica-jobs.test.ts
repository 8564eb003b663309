// Three Sift processes (built, each on its own port and DATA_DIR) over one real redis-server
// and one Qdrant (the fake), sharing jobs: an upload accepted by A is polled to completion on
// B and C, the job listing agrees on all three, /v1/usage answers the same on all three after
// model calls spread over them, and kill -9 of the replica running a job has
// it completed by another, never lost and never doubled: every
// document of the upload is in the store exactly once, whole. Small files are spooled in
// Redis and larger ones in a shared JOB_SPOOL_DIR, and both are cleaned up once the job is
// final. Last, Redis stopped: an upload that needs a job answers 503 naming Redis, and once it
// is back the same processes take jobs again, without a restart.
//
// Each file's embedding waits on the fake Ollama (slowed), with INGEST_CONCURRENCY=1, so a
// job of many files runs for seconds and can be killed mid-way; nothing asserts on time.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fakes/fake-ollama.js';
import { startFakeQdrant, type FakeQdrant } from '../fakes/fake-qdrant.js';
import { buildServer, startServerProcess, waitFor, type ServerProcess } from '../helpers/built-server.js';
import { startRedis, type RunningRedis } from '../helpers/redis-server.js';
import { uploadForm, type UploadFile } from '../helpers/sift-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const PREFIX = 'replica-jobs:';
const FILES = 24;
/** Files up to this size are spooled in Redis; the padded ones (every other) go to JOB_SPOOL_DIR. */
const REDIS_MAX_BYTES = 400;

/** File `i` of an upload: a marker in every paragraph, and every other file padded past REDIS_MAX_BYTES. */
function files(round: string): UploadFile[] {
  return Array.from({ length: FILES }, (_, i) => {
    const paragraphs = [`Note ${i} of ${round}: the lighthouse keeper logged ${i} ships.`];
    if (i % 2 === 1) paragraphs.push(...Array.from({ length: 6 }, (_, p) => `Note ${i} of ${round}, paragraph ${p}: the fog horn sounded ${p} times before dawn over the harbour.`));
    return { name: `${round}/note-${String(i).padStart(2, '0')}.md`, content: `# Note ${i}\n\n${paragraphs.join('\n\n')}` };
  });
}

interface JobSnapshot {
  id: string;
  state: string;
  attempts: number;
  progress: { total: number; done: number };
  documents: Array<{ file: string; status: string; chunkCount?: number }>;
  error?: { code: string; message: string };
}

const isFinal = (job: JobSnapshot) => ['succeeded', 'failed', 'interrupted'].includes(job.state);

describe('three replicas sharing jobs over Redis', () => {
  const build = buildServer();
  const spool = makeTempDir('sift-shared-spool-');
  const dataDirs = [0, 1, 2].map(() => makeTempDir('sift-replica-'));
  let redis: RunningRedis;
  let inspect: Redis;
  let qdrant: FakeQdrant;
  let ollama: FakeOllama;
  const replicas: ServerProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    inspect = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    await inspect.connect();
    qdrant = await startFakeQdrant();
    ollama = await startFakeOllama();
    ollama.setMode('slow', { endpoint: 'embed', delayMs: 150 });
    for (const dataDir of dataDirs) {
      replicas.push(
        await startServerProcess(build.dir, {
          DATA_DIR: dataDir.path,
          SIFT_STORE: 'qdrant',
          QDRANT_URL: qdrant.url,
          QDRANT_COLLECTION_PREFIX: 'jobs_',
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: PREFIX,
          EMBEDDINGS_PROVIDER: 'ollama',
          OLLAMA_BASE_URL: ollama.url,
          JOB_THRESHOLD_FILES: '3',
          INGEST_CONCURRENCY: '1',
          PARSE_WORKERS: '1',
          JOB_LOCK_MS: '2000',
          JOB_SPOOL_DIR: spool.path,
          JOB_SPOOL_REDIS_MAX_BYTES: String(REDIS_MAX_BYTES),
        }),
      );
    }
  }, 120_000);
  afterAll(async () => {
    for (const replica of replicas) {
      if (replica.child.exitCode === null && replica.child.signalCode === null) {
        replica.child.kill('SIGTERM');
        await replica.exited;
      }
    }
    inspect?.disconnect();
    await ollama?.close();
    await qdrant?.close();
    await redis?.stop();
    for (const dir of [...dataDirs, spool]) dir.remove();
    build.remove();
  });

  const alive = () => replicas.filter((replica) => replica.child.exitCode === null && replica.child.signalCode === null);

  async function upload(replica: ServerProcess, collection: string, round: string): Promise<Response> {
    return fetch(`${replica.url}/v1/collections/${collection}/documents`, { method: 'POST', body: uploadForm(files(round)) });
  }

  async function getJob(replica: ServerProcess, id: string): Promise<JobSnapshot> {
    const response = await fetch(`${replica.url}/v1/jobs/${id}`);
    expect(response.status, await response.clone().text()).toBe(200);
    return ((await response.json()) as { job: JobSnapshot }).job;
  }

  /** Polls the job on each given replica in turn until it is final there. */
  async function pollToEnd(on: ServerProcess[], id: string): Promise<JobSnapshot> {
    let last: JobSnapshot | null = null;
    await waitFor(
      async () => {
        for (const replica of on) last = await getJob(replica, id);
        return isFinal(last!);
      },
      90_000,
      () => `the job never ended; last: ${JSON.stringify(last)}`,
    );
    return last!;
  }

  /** Every document of the collection exactly once, whole: its chunks all there and all its own. */
  async function expectEachDocumentOnceWhole(replica: ServerProcess, collection: string, round: string): Promise<void> {
    const listed = (await (await fetch(`${replica.url}/v1/collections/${collection}/documents?limit=100`)).json()) as { total: number; documents: Array<{ id: string; source: string }> };
    expect(listed.total).toBe(FILES);
    expect(new Set(listed.documents.map((document) => document.source)).size).toBe(FILES);
    for (const { id, source } of listed.documents) {
      const document = (await (await fetch(`${replica.url}/v1/collections/${collection}/documents/${id}`)).json()) as { chunkCount: number; chunks: Array<{ text: string }> };
      const index = Number(/note-(\d+)\.md$/.exec(source)![1]);
      expect(document.chunks, source).toHaveLength(document.chunkCount);
      expect(document.chunks.every((chunk) => chunk.text.includes(`Note ${index} of ${round}`)), source).toBe(true);
      // Every paragraph of the file, once: a doubled or half-written version would break the count.
      expect(document.chunks.map((chunk) => chunk.text).join('\n').match(/of round-\w+(?:, paragraph \d+)?:/g), source).toHaveLength(index % 2 === 1 ? 7 : 1);
    }
  }

  /** Nothing of a batch is left in Redis or in the shared folder once its job is final. */
  async function expectSpoolEmpty(): Promise<void> {
    expect(await inspect.keys(`${PREFIX}spool:*`)).toEqual([]);
    expect(readdirSync(join(spool.path, 'batches'))).toEqual([]);
  }

  it('polls an upload accepted by A to completion on B and C, and lists it alike on all three', async () => {
    const [a, b, c] = replicas as [ServerProcess, ServerProcess, ServerProcess];
    const response = await upload(a, 'harbour', 'round-one');
    expect(response.status).toBe(202);
    const { job } = (await response.json()) as { job: JobSnapshot };
    // Its spooled files are where every replica can read them: small ones in Redis, large ones in the shared folder.
    const spooledInRedis = await inspect.keys(`${PREFIX}spool:*`);
    const spooledInFolder = readdirSync(join(spool.path, 'batches'));
    expect(spooledInRedis.length + spooledInFolder.length).toBeGreaterThan(0);

    const final = await pollToEnd([b, c], job.id);
    expect(final).toMatchObject({ state: 'succeeded', attempts: 1, progress: { total: FILES, done: FILES } });
    expect(final.documents.map((document) => document.status)).toEqual(Array(FILES).fill('created'));
    expect(await getJob(a, job.id)).toEqual(final);

    const listings = await Promise.all(replicas.map(async (replica) => (await fetch(`${replica.url}/v1/jobs`)).json()));
    expect(listings[0]).toMatchObject({ total: 1, jobs: [{ id: job.id, state: 'succeeded' }] });
    expect(listings[1]).toEqual(listings[0]);
    expect(listings[2]).toEqual(listings[0]);

    await expectEachDocumentOnceWhole(c, 'harbour', 'round-one');
    await expectSpoolEmpty();
  }, 120_000);

  it('answers /v1/usage identically on all three after model calls spread over them', async () => {
    // The job's embedding calls ran on one replica; each search embeds its query on the replica it reaches.
    for (const [i, replica] of replicas.entries()) {
      for (const query of [`ships logged ${i}`, `fog horn before dawn ${i}`]) {
        const response = await fetch(`${replica.url}/v1/collections/harbour/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
        expect(response.status, await response.clone().text()).toBe(200);
      }
    }
    const usages = await Promise.all(replicas.map(async (replica) => (await fetch(`${replica.url}/v1/usage`)).json() as Promise<{ source: string; totals: { calls: number } }>));
    expect(usages[0]).toMatchObject({ source: 'redis' });
    // The upload's embedding calls (at least one per file) and the six query embeddings, counted once each, wherever they ran.
    expect(usages[0]!.totals.calls).toBeGreaterThanOrEqual(FILES + 6);
    expect(usages[1]).toEqual(usages[0]);
    expect(usages[2]).toEqual(usages[0]);
  }, 60_000);

  it('completes the job of a replica killed with -9 mid-job on another, never lost, never doubled', async () => {
    const response = await upload(replicas[1]!, 'fog', 'round-two');
    expect(response.status).toBe(202);
    const { job } = (await response.json()) as { job: JobSnapshot };
    // Which replica runs it: BullMQ names the worker (host:pid) on the job it took.
    let runner: ServerProcess | undefined;
    await waitFor(
      async () => {
        const [processedBy, snapshot] = [await inspect.hget(`${PREFIX}bull:jobs:${job.id}`, 'pb'), await getJob(replicas[0]!, job.id)];
        runner = replicas.find((replica) => processedBy?.endsWith(`:${replica.child.pid}`));
        return runner !== undefined && snapshot.state === 'running' && snapshot.progress.done >= 2;
      },
      60_000,
      () => 'the job never ran',
    );
    const doneBefore = (await getJob(runner!, job.id)).progress.done;
    expect(doneBefore).toBeLessThan(FILES);
    runner!.child.kill('SIGKILL');
    await runner!.exited;

    const others = alive();
    expect(others).toHaveLength(2);
    const final = await pollToEnd(others, job.id);
    // Every spooled file is in Redis or the shared folder, so the takeover can always resume (src/jobs/shared-job-runner.test.ts has the interrupted case).
    expect(final).toMatchObject({ state: 'succeeded', attempts: 2, progress: { total: FILES, done: FILES } });
    // One outcome per file; the file in flight at the kill may have landed already, and is then "unchanged".
    expect(final.documents.map((document) => document.file)).toEqual(files('round-two').map((file) => file.name));
    expect(final.documents.every((document) => document.status === 'created' || document.status === 'unchanged')).toBe(true);
    expect(await getJob(others[1]!, job.id)).toEqual(final);
    await expectEachDocumentOnceWhole(others[0]!, 'fog', 'round-two');
    await expectSpoolEmpty();
  }, 150_000);

  it('answers an upload that needs a job with 503 naming Redis while Redis is stopped, and takes jobs again once it is back', async () => {
    const [first, second] = alive() as [ServerProcess, ServerProcess];
    await redis.kill();
    try {
      const refused = await upload(first, 'tide', 'round-three');
      expect(refused.status).toBe(503);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('REDIS_UNAVAILABLE');
      expect(body.error.message).toMatch(/Redis \(REDIS_URL\)/);
      // Nothing was kept of it.
      expect(readdirSync(join(spool.path, 'batches'))).toEqual([]);
    } finally {
      await redis.start();
    }
    await inspect.ping().catch(() => undefined);
    let accepted: Response | null = null;
    await waitFor(
      async () => {
        accepted = await upload(first, 'tide', 'round-three');
        return accepted.status === 202;
      },
      20_000,
      () => `uploads never became jobs again after Redis came back`,
    );
    const { job } = (await accepted!.json()) as { job: JobSnapshot };
    const final = await pollToEnd([second], job.id);
    expect(final).toMatchObject({ state: 'succeeded', progress: { total: FILES, done: FILES } });
    await expectSpoolEmpty();
  }, 120_000);
});
