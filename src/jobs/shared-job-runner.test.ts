// The job facility with REDIS_URL: two runners (as two replicas would have) over one real
// redis-server, each with its own connections, Redis job store and BullMQ queue. A job
// submitted on one is seen alike on both, runs once, is taken over by the other when its
// runner stops mid-job (skipping the items done, counting none twice) or marked interrupted
// when it cannot resume there, and submitting while
// Redis is away answers REDIS_UNAVAILABLE and keeps nothing, until Redis is back.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthService } from '../auth/auth.service.js';
import { loadConfig } from '../config/app-config.js';
import { connectSharedRedis, type SharedRedis } from '../shared-state/shared-redis.js';
import { startRedis, type RunningRedis } from '../../test/helpers/redis-server.js';
import { ShoutHandler, waitForJob } from '../../test/helpers/shout-jobs.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
import { BullmqJobQueue } from './bullmq-job-queue.js';
import { JobRunner } from './job-runner.js';
import { RedisJobStore } from './redis-job-store.js';

interface Replica {
  runner: JobRunner;
  store: RedisJobStore;
  redis: SharedRedis;
  stopped: boolean;
}

describe('JobRunner with REDIS_URL', () => {
  let redis: RunningRedis;
  const dir = makeTempDir('sift-shared-jobs-');
  const replicas: Replica[] = [];
  let prefix = '';

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const replica of replicas.splice(0)) await stop(replica);
  });
  afterAll(async () => {
    await redis?.stop();
    dir.remove();
  });

  /** A replica's runner; `bootstrap: false` leaves it submitting and answering only, until bootstrapped. */
  async function replica(handler: ShoutHandler, options: { bootstrap?: boolean; env?: Record<string, string> } = {}): Promise<Replica> {
    const config = loadConfig({ DATA_DIR: dir.path, REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, JOB_LOCK_MS: '1000', ...options.env });
    const shared = await connectSharedRedis(redis.url, prefix);
    const store = new RedisJobStore(shared, config);
    const runner = new JobRunner(store, new BullmqJobQueue(config), config, new AuthService(config));
    runner.register(handler);
    if (options.bootstrap !== false) await runner.onApplicationBootstrap();
    const made = { runner, store, redis: shared, stopped: false };
    replicas.push(made);
    return made;
  }

  async function stop(replica: Replica): Promise<void> {
    if (replica.stopped) return;
    replica.stopped = true;
    await replica.runner.onModuleDestroy();
    await replica.redis.close();
  }

  it('shows a job submitted on one replica alike on both, and runs it once', async () => {
    prefix = 'once:';
    const handlers = [new ShoutHandler(), new ShoutHandler()];
    const [a, b] = [await replica(handlers[0]!), await replica(handlers[1]!)];
    const submitted = await a!.runner.submit('shout', { words: ['one', 'two'] }, 2, { letters: 0 });
    const onB = await waitForJob(b!.runner, submitted.id, (job) => job.state === 'succeeded');
    expect(onB).toMatchObject({ attempts: 1, progress: { total: 2, done: 2, letters: 6 }, shouted: [{ word: 'one', shouted: 'ONE' }, { word: 'two', shouted: 'TWO' }] });
    expect(await a!.runner.view(submitted.id)).toEqual(onB);
    expect(await a!.runner.list({}, { limit: 10, offset: 0 })).toEqual(await b!.runner.list({}, { limit: 10, offset: 0 }));
    // One run in all: one replica's handler saw it, once.
    expect(handlers.flatMap((handler) => handler.completedSeen)).toEqual([[]]);
  });

  it('hands the job of a replica that stops mid-job to another, which skips the items done', async () => {
    prefix = 'takeover:';
    const first = new ShoutHandler();
    first.pauseAt = 2;
    const a = await replica(first);
    const second = new ShoutHandler();
    // B answers from the start but takes jobs only once A holds this one.
    const b = await replica(second, { bootstrap: false });
    const submitted = await b.runner.submit('shout', { words: ['one', 'two', 'three', 'four'] }, 4, { letters: 0 });
    await waitForJob(a.runner, submitted.id, (job) => job.progress.done === 2);
    await b.runner.onApplicationBootstrap();

    // A stops: its signal aborts, then its gate opens, so it takes no new word.
    const stopping = stop(a);
    first.open();
    await stopping;

    const final = await waitForJob(b.runner, submitted.id, (job) => job.state === 'succeeded');
    expect(second.completedSeen).toEqual([['one', 'two']]);
    expect(final).toMatchObject({ attempts: 2, progress: { total: 4, done: 4, letters: 15 } });
    expect((final.shouted as Array<{ word: string }>).map((item) => item.word)).toEqual(['one', 'two', 'three', 'four']);
    expect([...first.released, ...second.released]).toEqual([{ words: ['one', 'two', 'three', 'four'] }]);
  });

  it('marks interrupted, with the reason, a stopped replica\'s job that the replica taking it over cannot resume', async () => {
    prefix = 'interrupted:';
    const first = new ShoutHandler();
    first.pauseAt = 1;
    const a = await replica(first);
    const second = new ShoutHandler();
    second.resumeCheck = { resumable: false, reason: 'its files were on the other replica\'s disk' };
    const b = await replica(second, { bootstrap: false });
    const submitted = await a.runner.submit('shout', { words: ['one', 'two'] }, 2);
    await waitForJob(a.runner, submitted.id, (job) => job.progress.done === 1);
    await b.runner.onApplicationBootstrap();
    const stopping = stop(a);
    first.open();
    await stopping;

    expect(await waitForJob(b.runner, submitted.id, (job) => job.state === 'interrupted')).toMatchObject({
      error: { code: 'JOB_INTERRUPTED', message: expect.stringMatching(/cannot be resumed: its files were on the other replica's disk\. 1 of 2 items were done/) },
      progress: { done: 1, total: 2 },
    });
    expect(second.completedSeen).toEqual([]);
    expect(second.released).toEqual([{ words: ['one', 'two'] }]);
  });

  it('counts an item recorded twice (a stalled run racing its takeover) once', async () => {
    prefix = 'twice:';
    const a = await replica(new ShoutHandler(), { bootstrap: false });
    await a.store.create({ id: 'job-1', kind: 'shout', input: { words: ['x'] }, total: 1, counters: { letters: 0 } });
    await a.store.recordItem('job-1', { key: 'x', ordinal: 0, result: { run: 1 } }, { letters: 1 });
    await a.store.recordItem('job-1', { key: 'x', ordinal: 0, result: { run: 2 } }, { letters: 1 });
    expect(await a.store.get('job-1')).toMatchObject({ done: 1, counters: { letters: 1 } });
    expect(await a.store.items('job-1')).toEqual([{ key: 'x', ordinal: 0, result: { run: 2 } }]);
  });

  it('refuses a job with REDIS_UNAVAILABLE while Redis is away, keeps nothing, and runs jobs again once it is back', async () => {
    prefix = 'outage:';
    const a = await replica(new ShoutHandler());
    await redis.kill();
    try {
      await expect(a.runner.submit('shout', { words: ['lost'] }, 1)).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE', message: expect.stringContaining('REDIS_URL') });
      await expect(a.runner.view('anything')).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    } finally {
      await redis.start();
    }
    // The same runner, no restart: the shared connection and the queue's reconnect by themselves.
    let submitted;
    for (const deadline = Date.now() + 15_000; ; ) {
      submitted = await a.runner.submit('shout', { words: ['back'] }, 1).catch((error: unknown) => (Date.now() > deadline ? Promise.reject(error) : null));
      if (submitted) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await waitForJob(a.runner, submitted.id, (job) => job.state === 'succeeded', 20_000)).toMatchObject({ shouted: [{ word: 'back', shouted: 'BACK' }] });
    expect((await a.runner.list({}, { limit: 10, offset: 0 })).total).toBe(1);
  }, 40_000);
});
