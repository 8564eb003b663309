// Jobs shared by replicas (REDIS_URL), on BullMQ: a job id submitted on any replica waits in
// one Redis queue, and the first replica with a free slot (JOB_CONCURRENCY each) takes it.
// While it runs, that replica holds the job's lock and renews it (JOB_LOCK_MS); a replica that
// dies stops renewing, and BullMQ's stalled-job check on the others puts the job back in line,
// where another replica takes it over and the runner resumes it past the items already
// recorded. The job records themselves (state, items) are in RedisJobStore; BullMQ only says
// who runs what, so its own copy of a job is dropped once it ends.
//
// A run cut off here (a stop, a lost lock, Redis lost) goes back in line at once when Redis
// can be told, else when its lock runs out. A lost lock also aborts the run, so a replica that
// was merely slow stops taking items once another may have taken its job.
import { Logger } from '@nestjs/common';
import { Queue, WaitingError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { hostname } from 'node:os';
import type { AppConfig } from '../config/app-config.js';
import type { GiveUpJob, JobQueue, RunEnd, RunJob } from './job-queue.js';
import { settlesWithin } from './job-queue.js';

const QUEUE_NAME = 'jobs';
/** BullMQ's failedReason for a job that stalled more often than maxStalledCount. */
const STALLED_TOO_OFTEN = /stalled more than allowable limit/;

/** The BullMQ key prefix under REDIS_KEY_PREFIX ("sift:" → "sift:bull"). */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}bull`;
}

/** This process as BullMQ names the worker of a job: host and process id. */
export function runnerName(): string {
  return `${hostname()}:${process.pid}`;
}

export class BullmqJobQueue implements JobQueue {
  readonly shared = true;
  private readonly logger = new Logger('Jobs');
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private readonly stopping = new AbortController();
  /** Runs in flight here, by job id, each with its own abort for a lost lock. */
  private readonly active = new Map<string, AbortController>();
  private lastError: string | null = null;

  constructor(private readonly config: AppConfig) {
    const redis = config.redis!;
    // Adding fails at once while Redis is away (no offline queue), so an upload can answer 503.
    this.queue = new Queue(QUEUE_NAME, { connection: this.connection({ enableOfflineQueue: false }), prefix: bullPrefix(redis.prefix) });
    this.queue.on('error', (error) => this.reportError(error));
  }

  private connection(extra: Record<string, unknown>): ConnectionOptions {
    return { url: this.config.redis!.url, retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000), ...extra };
  }

  /** ioredis reports every failed reconnect; one line per outage (SharedRedis says when it is back). */
  private reportError(error: Error): void {
    if (this.lastError === error.message) return;
    this.lastError = error.message;
    this.logger.warn(`The job queue cannot reach Redis: ${error.message}`);
  }

  async enqueue(id: string): Promise<void> {
    // A failed job is kept a while so that the 'failed' listener still sees its id.
    await this.queue.add(QUEUE_NAME, {}, { jobId: id, removeOnComplete: true, removeOnFail: { age: 3600 } });
  }

  async start(run: RunJob, giveUp: GiveUpJob): Promise<void> {
    const { concurrency, lockMs, maxAttempts } = this.config.jobs;
    this.worker = new Worker(QUEUE_NAME, (job, token) => this.process(job, token, run), {
      // Stored on each job it takes (BullMQ's processedBy), so an operator can tell which replica runs what.
      name: runnerName(),
      // A worker blocks waiting for jobs, so its commands must wait for Redis rather than fail.
      connection: this.connection({ maxRetriesPerRequest: null }),
      prefix: bullPrefix(this.config.redis!.prefix),
      concurrency,
      lockDuration: lockMs,
      stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
      // The runner counts attempts itself and gives up at JOB_MAX_ATTEMPTS; BullMQ's own limit sits above it.
      maxStalledCount: maxAttempts,
    });
    this.worker.on('error', (error) => this.reportError(error));
    this.worker.on('lockRenewalFailed', (ids) => {
      for (const id of ids) {
        this.logger.warn(`Lost the lock of job ${id}: another replica may take it over, so this one stops taking its items.`);
        this.active.get(id)?.abort();
      }
    });
    // Only a job that left the queue without the runner finishing it reaches here with its record unfinished.
    this.worker.on('failed', (job, error) => {
      if (!job?.id) return;
      const id = job.id;
      if (STALLED_TOO_OFTEN.test(error.message)) {
        void giveUp(id, `the replicas running it stopped ${maxAttempts} times in a row`);
        return;
      }
      // BullMQ ignores an add whose id it still holds, so the failed copy goes first.
      void job
        .remove()
        .then(() => this.enqueue(id))
        .catch((cause: unknown) => this.logger.warn(`Job ${id} left the queue unfinished (${error.message}) and could not be queued again: ${String(cause)}`));
    });
    await this.worker.waitUntilReady();
  }

  private async process(job: Job, token: string | undefined, run: RunJob): Promise<void> {
    const id = job.id!;
    const lockLost = new AbortController();
    this.active.set(id, lockLost);
    let end: RunEnd;
    try {
      end = await run(id, AbortSignal.any([this.stopping.signal, lockLost.signal]));
    } catch (error) {
      // The job store could not be read or written (Redis lost): the run is cut off, not failed.
      this.logger.warn(`Job ${id} was cut off: ${error instanceof Error ? error.message : String(error)}`);
      end = 'cut-off';
    } finally {
      this.active.delete(id);
    }
    if (end === 'finished') return;
    // Back in line for any replica, without counting as a stall; if Redis cannot be told, the lock runs out instead.
    await job.moveToWait(token);
    throw new WaitingError();
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping.abort();
    if (this.worker) {
      const worker = this.worker;
      // close() waits for runs in flight; after the grace period they are left to their locks.
      if (!(await settlesWithin(worker.close(), graceMs))) await worker.close(true).catch(() => undefined);
    }
    await this.queue.close().catch(() => undefined);
  }
}
