// The job facility on its own, with a kind of job that is not ingestion, against the real
// SQLite job store: states, progress, results, failures, concurrency, and what a stop or a
// crash leaves for the next start. A handler waits on a gate the test opens, so every state
// is observed deterministically.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
import { AuthService } from '../auth/auth.service.js';
import { JobRunner } from './job-runner.js';
import { LocalJobQueue } from './local-job-queue.js';
import { JOBS_FILE_NAME, SqliteJobStore } from './sqlite-job-store.js';
import { ShoutHandler, waitForJob } from '../../test/helpers/shout-jobs.js';
import type { JobView } from './job-types.js';

describe('JobRunner', () => {
  let dir: ReturnType<typeof makeTempDir>;
  const started: Array<{ store: SqliteJobStore; runner: JobRunner }> = [];

  /** A runner as the app starts one: handlers register, then the bootstrap recovers. */
  async function start(handler: ShoutHandler, env: Record<string, string> = {}) {
    const config = loadConfig({ DATA_DIR: dir.path, ...env });
    const store = new SqliteJobStore(config);
    const runner = new JobRunner(store, new LocalJobQueue(config, store), config, new AuthService(config));
    runner.register(handler);
    await runner.onApplicationBootstrap();
    started.push({ store, runner });
    return { store, runner };
  }

  async function stop({ store, runner }: { store: SqliteJobStore; runner: JobRunner }) {
    await runner.onModuleDestroy();
    store.close();
  }

  async function until(runner: JobRunner, id: string, holds: (job: JobView) => boolean): Promise<JobView> {
    return waitForJob(runner, id, holds);
  }

  beforeEach(() => {
    dir = makeTempDir('sift-jobs-');
  });
  afterEach(async () => {
    for (const app of started.splice(0)) await stop(app).catch(() => undefined);
    dir.remove();
  });

  it('runs a job through queued, running and succeeded, with progress, items and a result', async () => {
    const handler = new ShoutHandler();
    handler.pauseAt = 2;
    const { runner } = await start(handler);
    const submitted = await runner.submit('shout', { words: ['one', 'two', 'three', 'four'] }, 4, { letters: 0 });
    expect(submitted).toMatchObject({ kind: 'shout', state: 'queued', progress: { total: 4, done: 0, letters: 0 }, attempts: 0, words: 4, shouted: [] });

    const midway = await until(runner, submitted.id, (job) => job.progress.done === 2);
    expect(midway).toMatchObject({ state: 'running', attempts: 1, progress: { total: 4, done: 2, letters: 6 } });
    expect(midway.shouted).toEqual([{ word: 'one', shouted: 'ONE' }, { word: 'two', shouted: 'TWO' }]);

    handler.open();
    const final = await until(runner, submitted.id, (job) => job.state === 'succeeded');
    expect(final).toMatchObject({ progress: { total: 4, done: 4, letters: 15 }, result: { loudest: 'ONE TWO THREE FOUR' } });
    expect(final.finishedAt).toEqual(expect.any(String));
    expect(handler.released).toEqual([{ words: ['one', 'two', 'three', 'four'] }]);
  });

  it('fails a job whose handler throws, keeping a SiftError code and hiding other errors', async () => {
    const handler = new ShoutHandler();
    handler.failWith = new SiftError(ErrorCode.ProviderUnavailable, 'The model is down.');
    const { runner } = await start(handler);
    const known = await runner.submit('shout', { words: ['a', 'b'] }, 2);
    expect(await until(runner, known.id, (job) => job.state === 'failed')).toMatchObject({ error: { code: 'PROVIDER_UNAVAILABLE', message: 'The model is down.' }, progress: { done: 1 } });

    handler.failWith = new Error('disk on fire at /var/secret');
    const unknown = await runner.submit('shout', { words: ['c', 'd'] }, 2);
    const failed = await until(runner, unknown.id, (job) => job.state === 'failed');
    expect(failed.error).toEqual({ code: 'INTERNAL', message: expect.not.stringContaining('/var/secret') });
  });

  it('runs at most JOB_CONCURRENCY jobs at once; the others wait queued', async () => {
    const handler = new ShoutHandler();
    handler.pauseAt = 0;
    const { runner } = await start(handler, { JOB_CONCURRENCY: '1' });
    const first = await runner.submit('shout', { words: ['x'] }, 1);
    const second = await runner.submit('shout', { words: ['y'] }, 1);
    await until(runner, first.id, (job) => job.state === 'running');
    expect((await runner.view(second.id))!.state).toBe('queued');
    handler.open();
    await until(runner, second.id, (job) => job.state === 'succeeded');
  });

  it('resumes a job a stop cut off, skipping the items it had recorded', async () => {
    const handler = new ShoutHandler();
    handler.pauseAt = 2;
    const first = await start(handler);
    const job = await first.runner.submit('shout', { words: ['one', 'two', 'three'] }, 3);
    await until(first.runner, job.id, (view) => view.progress.done === 2);
    // The stop aborts the job's signal, then the gate opens: the handler takes no new word.
    const stopping = stop(first);
    handler.open();
    await stopping;
    started.length = 0;

    const resumed = new ShoutHandler();
    const second = await start(resumed);
    const final = await until(second.runner, job.id, (view) => view.state === 'succeeded');
    expect(resumed.completedSeen).toEqual([['one', 'two']]);
    expect(final).toMatchObject({ attempts: 2, progress: { total: 3, done: 3 } });
    expect((final.shouted as Array<{ word: string }>).map((item) => item.word)).toEqual(['one', 'two', 'three']);
  });

  it('reports interrupted, with the reason and the items done, a job left running by a crash that cannot resume', async () => {
    const handler = new ShoutHandler();
    handler.pauseAt = 1;
    const crashed = await start(handler);
    const job = await crashed.runner.submit('shout', { words: ['one', 'two'] }, 2);
    await until(crashed.runner, job.id, (view) => view.progress.done === 1);
    // A crash: no shutdown hook runs; the process is simply gone, and the job row says running.
    crashed.store.close();
    started.length = 0;

    const next = new ShoutHandler();
    next.resumeCheck = { resumable: false, reason: 'its input files are gone' };
    const { runner } = await start(next);
    expect(await runner.view(job.id)).toMatchObject({
      state: 'interrupted',
      error: { code: 'JOB_INTERRUPTED', message: expect.stringMatching(/cannot be resumed: its input files are gone\. 1 of 2 items were done/) },
      progress: { done: 1, total: 2 },
    });
    expect(next.released).toEqual([{ words: ['one', 'two'] }]);
    expect(next.completedSeen).toEqual([]);
  });

  it('fails a job the process died under JOB_MAX_ATTEMPTS times in a row instead of resuming it again', async () => {
    const handler = new ShoutHandler();
    handler.pauseAt = 1;
    let app = await start(handler, { JOB_MAX_ATTEMPTS: '2' });
    const job = await app.runner.submit('shout', { words: ['one', 'poison'] }, 2);
    await until(app.runner, job.id, (view) => view.progress.done === 1);
    // Two crashes under the same item: each restart resumes it, and it dies again.
    for (let crash = 1; crash <= 2; crash++) {
      app.store.close();
      started.length = 0;
      const again = new ShoutHandler();
      again.pauseAt = 1;
      app = await start(again, { JOB_MAX_ATTEMPTS: '2' });
      if (crash === 1) {
        await until(app.runner, job.id, (view) => view.state === 'running' && view.attempts === 2);
      } else {
        expect(await app.runner.view(job.id)).toMatchObject({
          state: 'failed',
          attempts: 2,
          error: { code: 'JOB_INTERRUPTED', message: expect.stringMatching(/stopped 2 times while running this job \(JOB_MAX_ATTEMPTS is 2\).*1 of 2 items were done/) },
        });
        expect(again.completedSeen).toEqual([]);
        expect(again.released).toEqual([{ words: ['one', 'poison'] }]);
      }
    }
  });

  it('forgets finished jobs older than JOB_RETENTION_HOURS at start, and keeps the rest', async () => {
    const handler = new ShoutHandler();
    const first = await start(handler);
    const old = await first.runner.submit('shout', { words: ['old'] }, 1);
    const recent = await first.runner.submit('shout', { words: ['new'] }, 1);
    await until(first.runner, recent.id, (job) => job.state === 'succeeded');
    await stop(first);
    started.length = 0;
    const db = new Database(join(dir.path, JOBS_FILE_NAME));
    db.prepare('UPDATE jobs SET finished_at = ? WHERE id = ?').run(new Date(Date.now() - 3 * 3_600_000).toISOString(), old.id);
    db.close();

    const { runner } = await start(new ShoutHandler(), { JOB_RETENTION_HOURS: '2' });
    expect(await runner.view(old.id)).toBeNull();
    expect((await runner.view(recent.id))!.state).toBe('succeeded');
  });
});
