// Runs background jobs: at most JOB_CONCURRENCY at once, each through the handler of its
// kind. The runner owns a job's states and its storage; a handler only does the work and
// reports items. To add a kind of job: implement JobHandler, register it with the runner in
// the handler's onModuleInit, and submit jobs of that kind.
//
// Restarts: a stop takes no new items and gives the items in flight a grace period, then
// leaves the job `running`. At the next start every job left queued or running is asked of
// its handler: resumable (e.g. its spooled files are intact) → queued again, and it skips
// the items it had recorded; otherwise → `interrupted`, with the reason and the items done.
// A job is never silently lost. A job the process died under JOB_MAX_ATTEMPTS times in a
// row is marked failed rather than resumed again, so no job can keep a server restarting.
//
// With several worker processes (SIFT_WORKERS) only worker 1 runs jobs: the others store the
// jobs they accept as `queued`, and worker 1 looks for queued jobs a few times a second.
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import pLimit, { type LimitFunction } from 'p-limit';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuthService } from '../auth/auth.service.js';
import { currentCaller, runAsCaller } from '../auth/caller.js';
import { AppConfig } from '../config/app-config.js';
import { ErrorCode, SiftError, isSiftError } from '../common/errors.js';
import { JobStore } from './job-store.js';
import type { JobContext, JobError, JobHandler, JobOwner, JobRecord, JobState, JobView } from './job-types.js';

/** How long a stop waits for items in flight; anything still running is redone on resume. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How often the job-running worker of a cluster looks for jobs other workers accepted. */
const PICK_UP_EVERY_MS = 250;

@Injectable()
export class JobRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<string, JobHandler>();
  private readonly limit: LimitFunction;
  private readonly inFlight = new Set<Promise<void>>();
  /** Jobs handed to the limiter and not done yet, so a pick-up never schedules one twice. */
  private readonly scheduled = new Set<string>();
  private pickUpTimer: NodeJS.Timeout | null = null;
  private readonly stopping = new AbortController();
  /** Set once the grace period is over: late reports are dropped, the store may be closed. */
  private closed = false;

  constructor(
    private readonly store: JobStore,
    private readonly config: AppConfig,
    private readonly auth: AuthService,
  ) {
    this.limit = pLimit(config.jobs.concurrency);
  }

  register<Input>(handler: JobHandler<Input>): void {
    if (this.handlers.has(handler.kind)) throw new Error(`A job handler for "${handler.kind}" is already registered.`);
    // The runner hands each handler only inputs that handler wrote, so the cast holds.
    this.handlers.set(handler.kind, handler as unknown as JobHandler);
  }

  /** Stores a new job as `queued` and starts it when a slot is free. `counters` start the progress at zero. */
  submit<Input>(kind: string, input: Input, total: number, counters: Record<string, number> = {}): JobView {
    if (!this.handlers.has(kind)) throw new Error(`No job handler for "${kind}" is registered.`);
    // The job acts for the key of the request that submits it.
    const job = this.store.create({ id: randomUUID(), kind, input, total, counters, keyName: currentCaller()?.keyName ?? null });
    if (this.config.role.runsJobs) this.schedule(job.id);
    return this.view(job.id)!;
  }

  /** A job with its per-item results; null when unknown, or when `visible` says its owner may not be shown. */
  view(id: string, visible: (owner: JobOwner) => boolean = () => true): JobView | null {
    const job = this.store.get(id);
    if (!job || !visible(this.ownerOf(job))) return null;
    const handler = this.handlers.get(job.kind);
    const items = this.store.items(id).map((item) => item.result);
    return {
      ...summaryOf(job),
      ...(handler ? handler.present(job.input, items, job.result) : { items, result: job.result }),
    };
  }

  /** Jobs newest first, without their per-item results (`view` has those). */
  list(filter: { state?: JobState; kind?: string }, page: { limit: number; offset: number }, visible?: (owner: JobOwner) => boolean): { jobs: JobView[]; total: number } {
    if (!visible) {
      const { jobs, total } = this.store.list(filter, page);
      return { jobs: jobs.map(summaryOf), total };
    }
    // Filtered here rather than in SQL (scopes hold prefixes); jobs are kept JOB_RETENTION_HOURS, so the list stays bounded.
    const shown = this.store.list(filter, { limit: -1, offset: 0 }).jobs.filter((job) => visible(this.ownerOf(job)));
    return { jobs: shown.slice(page.offset, page.offset + page.limit).map(summaryOf), total: shown.length };
  }

  private ownerOf(job: JobRecord): JobOwner {
    return { keyName: job.keyName, collection: this.handlers.get(job.kind)?.collectionOf?.(job.input) ?? null };
  }

  /** Inputs of a kind's jobs that are not final: what its handler must keep (e.g. spooled files). */
  unfinishedInputs(kind: string): unknown[] {
    return this.store
      .listUnfinished()
      .filter((job) => job.kind === kind)
      .map((job) => job.input);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.role.runsJobs) return;
    const cutoff = new Date(Date.now() - this.config.jobs.retentionHours * 3_600_000);
    const pruned = this.store.pruneFinishedBefore(cutoff);
    if (pruned > 0) this.logger.log(`Forgot ${pruned} finished job(s) older than ${this.config.jobs.retentionHours} h.`);
    await this.recoverUnfinished();
    if (this.config.role.clustered) {
      this.pickUpTimer = setInterval(() => this.pickUpQueued(), PICK_UP_EVERY_MS);
      this.pickUpTimer.unref();
    }
  }

  /** Schedules the queued jobs other workers stored. */
  private pickUpQueued(): void {
    if (this.stopping.signal.aborted) return;
    for (const id of this.store.queuedIds()) if (!this.scheduled.has(id)) this.schedule(id);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.pickUpTimer) clearInterval(this.pickUpTimer);
    this.stopping.abort();
    this.limit.clearQueue();
    if (this.inFlight.size > 0) {
      const grace = new AbortController();
      await Promise.race([Promise.allSettled([...this.inFlight]), sleep(SHUTDOWN_GRACE_MS, undefined, { signal: grace.signal }).catch(() => undefined)]);
      grace.abort();
    }
    this.closed = true;
  }

  private async recoverUnfinished(): Promise<void> {
    for (const job of this.store.listUnfinished()) {
      const handler = this.handlers.get(job.kind);
      if (job.state === 'running' && job.attempts >= this.config.jobs.maxAttempts) {
        // The process died under this job again and again: something in it kills the server,
        // so it is not run once more.
        this.logger.error(`Job ${job.id} was running at ${job.attempts} stops in a row; it is marked failed instead of being resumed again.`);
        this.store.finish(job.id, 'failed', {
          error: {
            code: ErrorCode.JobInterrupted,
            message:
              `The server stopped ${job.attempts} times while running this job (JOB_MAX_ATTEMPTS is ${this.config.jobs.maxAttempts}), so it is not resumed again: ` +
              `something in it may stop the server. ${job.done} of ${job.total} items were done; submit the rest again, in smaller parts to find the file at fault.`,
          },
        });
        if (handler) await this.release(handler, job);
        continue;
      }
      let check;
      try {
        check = handler ? await handler.checkResumable(job.input, this.store.itemKeys(job.id)) : { resumable: false as const, reason: `no handler for jobs of kind "${job.kind}" is registered` };
      } catch (error) {
        check = { resumable: false as const, reason: `checking it failed (${error instanceof Error ? error.message : String(error)})` };
      }
      if (check.resumable) {
        this.logger.log(`Resuming ${job.kind} job ${job.id} (${job.done} of ${job.total} done before the restart).`);
        this.store.requeue(job.id);
        this.schedule(job.id);
        continue;
      }
      this.logger.warn(`Job ${job.id} was cut off by a restart and cannot be resumed: ${check.reason}.`);
      this.store.finish(job.id, 'interrupted', {
        error: {
          code: ErrorCode.JobInterrupted,
          message: `The server stopped while this job was ${job.state} and it cannot be resumed: ${check.reason}. ${job.done} of ${job.total} items were done before; submit the rest again.`,
        },
      });
      if (handler) await this.release(handler, job);
    }
  }

  private schedule(id: string): void {
    this.scheduled.add(id);
    void this.limit(async () => {
      const run = this.execute(id);
      this.inFlight.add(run);
      try {
        await run;
      } finally {
        this.inFlight.delete(run);
        this.scheduled.delete(id);
      }
    });
  }

  private async execute(id: string): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const job = this.store.get(id);
    if (job?.state !== 'queued') return;
    const handler = this.handlers.get(job.kind)!;
    this.store.markRunning(id);
    const context: JobContext = {
      jobId: id,
      signal: this.stopping.signal,
      completed: this.store.itemKeys(id),
      recordItem: (item, counters) => {
        if (!this.closed) this.store.recordItem(id, item, counters);
      },
      reportProgress: (done, counters) => {
        if (!this.closed) this.store.setProgress(id, done, counters);
      },
    };
    let outcome: { state: 'succeeded'; result: unknown } | { state: 'failed'; error: JobError };
    try {
      const caller = job.keyName === null ? null : this.auth.callerByName(job.keyName);
      if (job.keyName !== null && !caller) throw new SiftError(ErrorCode.Unauthorized, `The key "${job.keyName}" that submitted this job was deleted, so the job does not run.`);
      outcome = { state: 'succeeded', result: await runAsCaller(caller, () => handler.run(job.input, context)) };
    } catch (error) {
      outcome = { state: 'failed', error: this.jobError(error, job) };
    }
    if (this.closed) return;
    // Cut off by a stop before its last item: left `running` for the next start to resume.
    if (this.stopping.signal.aborted && this.store.get(id)!.done < job.total) return;
    this.store.finish(id, outcome.state, outcome);
    await this.release(handler, job);
  }

  private jobError(error: unknown, job: JobRecord): JobError {
    if (isSiftError(error)) return { code: error.code, message: error.message };
    this.logger.error(`${job.kind} job ${job.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { code: ErrorCode.Internal, message: 'The job failed with an internal error; the server log has the details.' };
  }

  private async release(handler: JobHandler, job: JobRecord): Promise<void> {
    try {
      await handler.release(job.input);
    } catch (error) {
      this.logger.warn(`Releasing job ${job.id} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** What every job shows, whatever its kind. */
function summaryOf(job: JobRecord): JobView {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    progress: { ...job.counters, total: job.total, done: job.done },
    attempts: job.attempts,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    key: job.keyName,
    ...(job.error ? { error: job.error } : {}),
  };
}
