// Large uploads as background jobs over HTTP: 202 with a job, progress while it runs, per-file
// results after, and a job cut off by a restart resumed (spool intact) or reported interrupted
// (spool gone). Embeddings go to the fake Ollama, slowed down, so that a job runs long enough
// to be watched; nothing here asserts on time, only on the states the job passes through.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fakes/fake-ollama.js';
import { startSift, uploadForm, type RunningSift, type UploadFile } from '../helpers/sift-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const API_KEY = 'job-test-key';
const auth = { authorization: `Bearer ${API_KEY}` };

/** Eight notes, each on its own topic, and an empty file that fails. */
const NOTES: UploadFile[] = [
  ...['otters', 'lighthouses', 'glaciers', 'volcanoes', 'orchards', 'harbours', 'comets'].map((topic, i) => ({
    name: `notes/${String(i + 1).padStart(2, '0')}-${topic}.md`,
    content: `# ${topic}\n\nThis note is about ${topic}. It was written for the background job test, number ${i + 1}.`,
  })),
  { name: 'notes/08-empty.txt', content: '' },
];

interface JobSnapshot {
  id: string;
  state: string;
  attempts: number;
  progress: { total: number; done: number; chunks: number; failed: number };
  documents: Array<{ file: string; status: string; chunkCount?: number; error?: { code: string; message: string } }>;
  summary: { created: number; updated: number; unchanged: number; failed: number };
  error?: { code: string; message: string };
}

async function getJob(sift: RunningSift, location: string): Promise<JobSnapshot> {
  const response = await fetch(`${sift.url}${location}`, { headers: auth });
  expect(response.status).toBe(200);
  return (await response.json()).job;
}

/** Polls the job until `done` holds, returning every snapshot seen (the last one satisfies it). */
async function pollJob(sift: RunningSift, location: string, done: (job: JobSnapshot) => boolean): Promise<JobSnapshot[]> {
  const seen: JobSnapshot[] = [];
  const started = Date.now();
  for (;;) {
    const job = await getJob(sift, location);
    seen.push(job);
    if (done(job)) return seen;
    // A safety net against a hung job, not a timing assertion.
    if (Date.now() - started > 30_000) throw new Error(`job never reached the expected state; last: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

const isFinal = (job: JobSnapshot) => ['succeeded', 'failed', 'interrupted'].includes(job.state);

async function uploadAsJob(sift: RunningSift, collection: string): Promise<{ location: string; job: JobSnapshot }> {
  const response = await fetch(`${sift.url}/v1/collections/${collection}/documents`, { method: 'POST', headers: auth, body: uploadForm(NOTES) });
  expect(response.status).toBe(202);
  const location = response.headers.get('location')!;
  const body = await response.json();
  expect(location).toBe(`/v1/jobs/${body.job.id}`);
  return { location, job: body.job };
}

describe('background jobs over HTTP', () => {
  let fake: FakeOllama;
  let sift: RunningSift;
  const env = () => ({
    SIFT_API_KEYS: API_KEY,
    EMBEDDINGS_PROVIDER: 'ollama',
    OLLAMA_BASE_URL: fake.url,
    MODEL_TIMEOUT_MS: '10000',
    JOB_THRESHOLD_FILES: '3',
    INGEST_CONCURRENCY: '1',
  });

  beforeAll(async () => {
    fake = await startFakeOllama();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    // Every file waits for its embeddings, so a job of eight files is seen while it runs.
    fake.setMode('slow', { endpoint: 'embed', delayMs: 120 });
  });

  describe('on one server', () => {
    beforeAll(async () => {
      sift = await startSift(env());
    });
    afterAll(async () => {
      await sift.stop();
    });

    it('answers 202 for an upload over the threshold, shows progress while running and per-file results after', async () => {
      const { location, job } = await uploadAsJob(sift, 'notes');
      expect(job).toMatchObject({ kind: 'ingest', collection: 'notes', progress: { total: 8, done: 0, chunks: 0, failed: 0 } });
      expect(['queued', 'running']).toContain(job.state);

      const seen = await pollJob(sift, location, isFinal);
      const midway = seen.find((snapshot) => snapshot.state === 'running' && snapshot.progress.done > 0 && snapshot.progress.done < 8);
      expect(midway, 'a snapshot while the job ran, with some files done').toBeDefined();
      // While it runs, the files done so far are listed with their results.
      expect(midway!.documents).toHaveLength(midway!.progress.done);

      const final = seen.at(-1)!;
      expect(final.state).toBe('succeeded');
      expect(final.progress).toMatchObject({ total: 8, done: 8, failed: 1 });
      expect(final.progress.chunks).toBeGreaterThanOrEqual(7);
      expect(final.documents.map((d) => d.file)).toEqual(NOTES.map((n) => n.name));
      expect(final.documents.slice(0, 7).every((d) => d.status === 'created')).toBe(true);
      expect(final.documents[7]).toMatchObject({ status: 'failed', error: { code: 'EMPTY_FILE', message: expect.stringContaining('08-empty.txt') } });
      expect(final.summary).toEqual({ created: 7, updated: 0, unchanged: 0, failed: 1 });

      const listed = await (await fetch(`${sift.url}/v1/collections/notes/documents`, { headers: auth })).json();
      expect(listed.total).toBe(7);
      // The spooled copies are gone once the job is final.
      expect(readdirSync(join(sift.dataDir, 'spool', 'batches'))).toEqual([]);
      expect(readdirSync(join(sift.dataDir, 'spool', 'incoming'))).toEqual([]);
    });

    it('still answers an upload at or under the threshold directly, and leaves no spooled file', async () => {
      const response = await fetch(`${sift.url}/v1/collections/small/documents`, { method: 'POST', headers: auth, body: uploadForm(NOTES.slice(0, 3)) });
      expect(response.status).toBe(200);
      expect((await response.json()).summary).toEqual({ created: 3, updated: 0, unchanged: 0, failed: 0 });
      expect(readdirSync(join(sift.dataDir, 'spool', 'incoming'))).toEqual([]);
    });

    it('lists jobs newest first, by state and kind, without their per-file results', async () => {
      const { location } = await uploadAsJob(sift, 'listed');
      const newest = location.split('/').at(-1)!;
      const list = async (query: string) => {
        const response = await fetch(`${sift.url}/v1/jobs${query}`, { headers: auth });
        expect(response.status).toBe(200);
        return response.json();
      };
      const all = await list('');
      expect(all.total).toBe(2);
      expect(all.jobs[0]).toMatchObject({ id: newest, kind: 'ingest', progress: { total: 8 } });
      expect(all.jobs[0]).not.toHaveProperty('documents');
      expect((await list('?limit=1&offset=1')).jobs.map((job: JobSnapshot) => job.id)).toEqual([all.jobs[1].id]);

      await pollJob(sift, location, isFinal);
      const succeeded = await list('?state=succeeded&kind=ingest');
      expect(succeeded.jobs.map((job: JobSnapshot) => job.id)).toContain(newest);
      expect((await list('?state=running')).total).toBe(0);
      expect((await list('?kind=classify')).total).toBe(0);

      const bad = await fetch(`${sift.url}/v1/jobs?state=done`, { headers: auth });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.message).toMatch(/state/);
    });

    it('answers 404 JOB_NOT_FOUND for an unknown job and 401 without the API key', async () => {
      const unknown = await fetch(`${sift.url}/v1/jobs/00000000-0000-4000-8000-000000000000`, { headers: auth });
      expect(unknown.status).toBe(404);
      expect((await unknown.json()).error.code).toBe('JOB_NOT_FOUND');
      const anonymous = await fetch(`${sift.url}/v1/jobs/00000000-0000-4000-8000-000000000000`);
      expect(anonymous.status).toBe(401);
    });
  });

  describe('across a restart on the same data directory', () => {
    let data: ReturnType<typeof makeTempDir>;
    let first: RunningSift | undefined;
    let second: RunningSift | undefined;

    beforeEach(() => {
      data = makeTempDir('sift-jobs-restart-');
    });
    afterEach(async () => {
      await first?.stop();
      await second?.stop();
      first = second = undefined;
      data.remove();
    });

    /** Starts a job, waits until it has done some files, and stops the server under it. */
    async function cutOffMidway(): Promise<{ location: string; doneBefore: number }> {
      first = await startSift({ ...env(), DATA_DIR: data.path });
      const { location } = await uploadAsJob(first, 'notes');
      await pollJob(first, location, (job) => job.state === 'running' && job.progress.done >= 2);
      await first.stop();
      first = undefined;
      return { location, doneBefore: 2 };
    }

    it('resumes a job whose spooled files are intact, doing only the files not yet done', async () => {
      const { location, doneBefore } = await cutOffMidway();
      second = await startSift({ ...env(), DATA_DIR: data.path });
      const seen = await pollJob(second, location, isFinal);
      const final = seen.at(-1)!;
      expect(final.state).toBe('succeeded');
      expect(final.attempts).toBe(2);
      expect(final.progress).toMatchObject({ total: 8, done: 8, failed: 1 });
      expect(final.documents.map((d) => d.file)).toEqual(NOTES.map((n) => n.name));
      // Files done before the stop keep their results; a file in flight at the stop may come back unchanged.
      expect(final.documents.slice(0, doneBefore).every((d) => d.status === 'created')).toBe(true);
      expect(final.documents.slice(0, 7).every((d) => d.status === 'created' || d.status === 'unchanged')).toBe(true);
      const listed = await (await fetch(`${second.url}/v1/collections/notes/documents`, { headers: auth })).json();
      expect(listed.total).toBe(7);
      expect(readdirSync(join(data.path, 'spool', 'batches'))).toEqual([]);
    });

    it('reports a job interrupted, with the files done before, when its spooled files are gone', async () => {
      const { location, doneBefore } = await cutOffMidway();
      const batches = join(data.path, 'spool', 'batches');
      for (const batch of readdirSync(batches)) rmSync(join(batches, batch), { recursive: true });

      second = await startSift({ ...env(), DATA_DIR: data.path });
      const job = await getJob(second, location);
      expect(job.state).toBe('interrupted');
      expect(job.error).toMatchObject({ code: 'JOB_INTERRUPTED', message: expect.stringMatching(/spooled copy of ".*" is gone/) });
      expect(job.documents.length).toBeGreaterThanOrEqual(doneBefore);
      expect(job.documents.length).toBeLessThan(8);
      expect(job.documents.every((d) => d.status === 'created')).toBe(true);
      const listed = await (await fetch(`${second.url}/v1/collections/notes/documents`, { headers: auth })).json();
      expect(listed.total).toBe(job.documents.length);
      expect(existsSync(batches) && readdirSync(batches)).toEqual([]);
    });
  });
});
