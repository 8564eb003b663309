// Who runs a stored job, and where: the seam between one server (local-job-queue.ts: this
// process, at most JOB_CONCURRENCY at once) and replicas sharing Redis (bullmq-job-queue.ts:
// whichever replica has a free slot). The runner stores the job first, then enqueues its id;
// the queue calls back into the runner to run it.
import { setTimeout as sleep } from 'node:timers/promises';

export const JOB_QUEUE = Symbol('JOB_QUEUE');

/**
 * How a run ended: `finished` (the job is final, or there was nothing to run), or `cut-off`
 * (a stop, a lost lock or a lost Redis ended it early; it is left `running`, to be resumed).
 */
export type RunEnd = 'finished' | 'cut-off';

/** Runs one job; `signal` aborts when this process stops running it. */
export type RunJob = (id: string, signal: AbortSignal) => Promise<RunEnd>;

/** What the queue tells the runner about a job it gave up on without running it to the end. */
export type GiveUpJob = (id: string, reason: string) => Promise<void>;

export interface JobQueue {
  /**
   * True when several replicas share the queue: a job left `running` may belong to a live
   * replica, so nothing is recovered at start; a dead replica's job is taken over instead.
   */
  readonly shared: boolean;
  /** Hands a stored job over to be run. */
  enqueue(id: string): Promise<void>;
  /** Starts running jobs in this process. */
  start(run: RunJob, giveUp: GiveUpJob): Promise<void>;
  /** Stops taking jobs and gives runs in flight up to `graceMs` to end. */
  stop(graceMs: number): Promise<void>;
}

/** Waits for `work`, but no longer than `ms`; says whether it ended in time. */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const settled = work.then(
    () => true,
    () => true,
  );
  const ended = await Promise.race([settled, sleep(ms, false, { signal: timer.signal }).catch(() => false)]);
  timer.abort();
  return ended;
}
