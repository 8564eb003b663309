// Runs background jobs, each through the handler of its kind. The runner owns a job's states
// and its record (JobStore: SQLite, or Redis with REDIS_URL); the queue (JobQueue: this
// process, or BullMQ across replicas) decides where and when a job runs, at most
// JOB_CONCURRENCY at once per process; a handler only does the work and reports items. To add
// a kind of job: implement JobHandler, register it with the runner in the handler's
// onModuleInit, and submit jobs of that kind.
//
// Cut-off runs: a stop takes no new items and gives the items in flight a grace period, then
// leaves the job `running`. Without Redis, the next start asks the handler of every job left
// queued or running: resumable (e.g. its spooled files are intact) → queued again, and it
// skips the items it had recorded; otherwise → `interrupted`, with the reason and the items
// done. With Redis the same question is asked by whichever replica takes the job over (after
// a stop, a kill or a lost Redis). A job is never silently lost. A job that was cut off
// JOB_MAX_ATTEMPTS times in a row is marked failed rather than resumed again, so no job can
// keep a server restarting.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthService } from '../auth/auth.service.js';
import { currentCaller, runAsCaller } from '../auth/caller.js';
import { AppConfig } from '../config/app-config.js';
import { ErrorCode, SiftError, isSiftError } from '../common/errors.js';
import { JOB_QUEUE, type JobQueue, type RunEnd } from './job-queue.js';
import { JOB_STORE, type JobStore } from './job-store.js';
import { FINAL_JOB_STATES, type JobContext, type JobError, type JobHandler, type JobOwner, type JobRecord, type JobState, type JobView, type ResumeCheck } from './job-types.js';

/** How long a stop waits for items in flight; anything still running is redone on resume. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Raised when the job store cannot be written mid-run: the run is cut off, not failed. */
class JobStoreLost extends Error {}

@Injectable()
export class JobRunner implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<string, JobHandler>();
  /** Set once the grace period is over: late reports are dropped, the store may be closed. */
  private closed = false;

  constructor(
    @Inject(JOB_STORE) private readonly store: JobStore,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly config: AppConfig,
    private readonly auth: AuthService,
  ) {}

  register<Input>(handler: JobHandler<Input>): void {
    if (this.handlers.has(handler.kind)) throw new Error(`A job handler for "${handler.kind}" is already registered.`);
    // The runner hands each handler only inputs that handler wrote, so the cast holds.
    this.handlers.set(handler.kind, handler as unknown as JobHandler);
  }

  /**
   * Stores a new job as `queued` and hands it to the queue. `counters` start the progress at
   * zero. With REDIS_URL and Redis away: REDIS_UNAVAILABLE, and nothing is kept.
   */
  async submit<Input>(kind: string, input: Input, total: number, counters: Record<string, number> = {}): Promise<JobView> {
    if (!this.handlers.has(kind)) throw new Error(`No job handler for "${kind}" is registered.`);
    const id = randomUUID();
    try {
      // The job acts for the key of the request that submits it.
      await this.store.create({ id, kind, input, total, counters, keyName: currentCaller()?.keyName ?? null });
      try {
        await this.queue.enqueue(id);
      } catch (error) {
        await Promise.resolve(this.store.remove(id)).catch(() => undefined);
        throw error;
      }
      return (await this.view(id))!;
    } catch (error) {
      if (!this.queue.shared || isSiftError(error)) throw error;
      throw new SiftError(ErrorCode.RedisUnavailable, `A background job needs Redis (REDIS_URL), which cannot be reached right now: ${error instanceof Error ? error.message : String(error)}. Nothing was kept; try again when Redis is back.`);
    }
  }

  /** A job with its per-item results; null when unknown, or when `visible` says its owner may not be shown. */
  async view(id: string, visible: (owner: JobOwner) => boolean = () => true): Promise<JobView | null> {
    const job = await this.readStore(() => this.store.get(id));
    if (!job || !visible(this.ownerOf(job))) return null;
    const handler = this.handlers.get(job.kind);
    const items = (await this.readStore(() => this.store.items(id))).map((item) => item.result);
    return {
      ...summaryOf(job),
      ...(handler ? handler.present(job.input, items, job.result) : { items, result: job.result }),
    };
  }

  /** Jobs newest first, without their per-item results (`view` has those). */
  async list(filter: { state?: JobState; kind?: string }, page: { limit: number; offset: number }, visible?: (owner: JobOwner) => boolean): Promise<{ jobs: JobView[]; total: number }> {
    if (!visible) {
      const { jobs, total } = await this.readStore(() => this.store.list(filter, page));
      return { jobs: jobs.map(summaryOf), total };
    }
    // Filtered here rather than in the store (scopes hold prefixes); jobs are kept JOB_RETENTION_HOURS, so the list stays bounded.
    const shown = (await this.readStore(() => this.store.list(filter, { limit: -1, offset: 0 }))).jobs.filter((job) => visible(this.ownerOf(job)));
    return { jobs: shown.slice(page.offset, page.offset + page.limit).map(summaryOf), total: shown.length };
  }

  /** Reads of the shared store answer REDIS_UNAVAILABLE while Redis is away. */
  private async readStore<T>(read: () => T | Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (!this.queue.shared) throw error;
      throw new SiftError(ErrorCode.RedisUnavailable, `Jobs are kept in Redis (REDIS_URL), which cannot be reached right now: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private ownerOf(job: JobRecord): JobOwner {
    return { keyName: job.keyName, collection: this.handlers.get(job.kind)?.collectionOf?.(job.input) ?? null };
  }

  /** Inputs of a kind's jobs that are not final: what its handler must keep (e.g. spooled files). */
  async unfinishedInputs(kind: string): Promise<unknown[]> {
    return (await this.store.listUnfinished()).filter((job) => job.kind === kind).map((job) => job.input);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.role.runsJobs) return;
    const cutoff = new Date(Date.now() - this.config.jobs.retentionHours * 3_600_000);
    const pruned = await this.store.pruneFinishedBefore(cutoff);
    if (pruned > 0) this.logger.log(`Forgot ${pruned} finished job(s) older than ${this.config.jobs.retentionHours} h.`);
    await this.queue.start(
      (id, signal) => this.execute(id, signal),
      (id, reason) => this.interrupt(id, reason),
    );
    // A shared queue hands a dead replica's job to another; alone, what a stop left is ours.
    if (!this.queue.shared) await this.recoverUnfinished();
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.stop(SHUTDOWN_GRACE_MS);
    this.closed = true;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }

  private async recoverUnfinished(): Promise<void> {
    for (const job of await this.store.listUnfinished()) {
      if (!(await this.settleCutOff(job))) continue;
      if (job.state === 'running') this.logger.log(`Resuming ${job.kind} job ${job.id} (${job.done} of ${job.total} done before the restart).`);
      await this.store.requeue(job.id);
      await this.queue.enqueue(job.id);
    }
  }

  /**
   * A job an earlier run did not finish: true when it may run on; false when it was failed
   * (cut off JOB_MAX_ATTEMPTS times) or interrupted (its handler says it cannot resume).
   */
  private async settleCutOff(job: JobRecord): Promise<boolean> {
    const handler = this.handlers.get(job.kind);
    if (job.state === 'running' && job.attempts >= this.config.jobs.maxAttempts) {
      // The process died under this job again and again: something in it kills the server,
      // so it is not run once more.
      this.logger.error(`Job ${job.id} was running at ${job.attempts} stops in a row; it is marked failed instead of being resumed again.`);
      if (handler) await this.release(handler, job);
      await this.store.finish(job.id, 'failed', {
        error: {
          code: ErrorCode.JobInterrupted,
          message:
            `The server stopped ${job.attempts} times while running this job (JOB_MAX_ATTEMPTS is ${this.config.jobs.maxAttempts}), so it is not resumed again: ` +
            `something in it may stop the server. ${job.done} of ${job.total} items were done; submit the rest again, in smaller parts to find the file at fault.`,
        },
      });
      return false;
    }
    let check: ResumeCheck;
    try {
      check = handler ? await handler.checkResumable(job.input, await this.store.itemKeys(job.id)) : { resumable: false, reason: `no handler for jobs of kind "${job.kind}" is registered` };
    } catch (error) {
      check = { resumable: false, reason: `checking it failed (${error instanceof Error ? error.message : String(error)})` };
    }
    if (check.resumable) return true;
    await this.interrupt(job.id, check.reason);
    return false;
  }

  /** Marks a job that cannot go on `interrupted`, with the reason and the items done, and frees what it held. */
  private async interrupt(id: string, reason: string): Promise<void> {
    const job = await this.store.get(id);
    if (!job || FINAL_JOB_STATES.has(job.state)) return;
    this.logger.warn(`Job ${id} was cut off and cannot be resumed: ${reason}.`);
    const handler = this.handlers.get(job.kind);
    if (handler) await this.release(handler, job);
    await this.store.finish(id, 'interrupted', {
      error: {
        code: ErrorCode.JobInterrupted,
        message: `The server stopped while this job was ${job.state} and it cannot be resumed: ${reason}. ${job.done} of ${job.total} items were done before; submit the rest again.`,
      },
    });
  }

  /** One run of a job, from its record; throws only when the job store cannot be reached. */
  private async execute(id: string, signal: AbortSignal): Promise<RunEnd> {
    if (signal.aborted) return 'cut-off';
    const job = await this.store.get(id);
    if (!job || FINAL_JOB_STATES.has(job.state)) return 'finished';
    // Left running by a run that was cut off (only a shared queue hands such a job on): take it over, if it can go on.
    if (job.state === 'running') {
      if (!(await this.settleCutOff(job))) return 'finished';
      this.logger.log(`Taking over ${job.kind} job ${job.id} (${job.done} of ${job.total} done before).`);
    }
    const handler = this.handlers.get(job.kind)!;
    await this.store.markRunning(id);
    const writes = async (write: () => unknown): Promise<void> => {
      if (this.closed) return;
      try {
        await write();
      } catch (error) {
        throw new JobStoreLost(error instanceof Error ? error.message : String(error));
      }
    };
    const context: JobContext = {
      jobId: id,
      signal,
      completed: await this.store.itemKeys(id),
      recordItem: (item, counters) => writes(() => this.store.recordItem(id, item, counters)),
      reportProgress: (done, counters) => writes(() => this.store.setProgress(id, done, counters)),
    };
    let outcome: { state: 'succeeded'; result: unknown } | { state: 'failed'; error: JobError };
    try {
      const caller = job.keyName === null ? null : this.auth.callerByName(job.keyName);
      if (job.keyName !== null && !caller) throw new SiftError(ErrorCode.Unauthorized, `The key "${job.keyName}" that submitted this job was deleted, so the job does not run.`);
      outcome = { state: 'succeeded', result: await runAsCaller(caller, () => handler.run(job.input, context)) };
    } catch (error) {
      // Redis lost mid-run (the store, or a document lease the work needed): resumed once it is back.
      if (error instanceof JobStoreLost || (isSiftError(error) && error.code === ErrorCode.RedisUnavailable)) {
        this.logger.warn(`Job ${id} was cut off: ${error.message}`);
        return 'cut-off';
      }
      outcome = { state: 'failed', error: this.jobError(error, job) };
    }
    if (this.closed) return 'cut-off';
    // Cut off by a stop (or a lost lock) before its last item: left `running`, to be resumed.
    if (signal.aborted && (await this.store.get(id))!.done < job.total) return 'cut-off';
    // Freed first, so whoever sees the job final sees its spooled copies gone. A stop between the
    // two leaves it running with its items recorded: a resume needs only the files of the items
    // not done (none, when it succeeded) and finishes it, or says why it cannot.
    await this.release(handler, job);
    await this.store.finish(id, outcome.state, outcome);
    return 'finished';
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
