// Jobs of one server (no REDIS_URL): run in this process, at most JOB_CONCURRENCY at once.
// With several worker processes (SIFT_WORKERS) only worker 1 runs jobs: the others only store
// the jobs they accept as `queued`, and worker 1 looks for queued jobs a few times a second.
import pLimit, { type LimitFunction } from 'p-limit';
import type { AppConfig } from '../config/app-config.js';
import type { JobQueue, RunJob } from './job-queue.js';
import { settlesWithin } from './job-queue.js';
import type { JobStore } from './job-store.js';

/** How often the job-running worker of a cluster looks for jobs other workers accepted. */
const PICK_UP_EVERY_MS = 250;

export class LocalJobQueue implements JobQueue {
  readonly shared = false;
  private readonly limit: LimitFunction;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Jobs handed to the limiter and not done yet, so a pick-up never schedules one twice. */
  private readonly scheduled = new Set<string>();
  private readonly stopping = new AbortController();
  private pickUpTimer: NodeJS.Timeout | null = null;
  private run: RunJob | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly store: JobStore,
  ) {
    this.limit = pLimit(config.jobs.concurrency);
  }

  async enqueue(id: string): Promise<void> {
    // A worker that does not run jobs leaves the job stored as `queued` for worker 1.
    if (this.run && !this.scheduled.has(id)) this.schedule(id);
  }

  async start(run: RunJob): Promise<void> {
    this.run = run;
    if (this.config.role.clustered) {
      this.pickUpTimer = setInterval(() => void this.pickUpQueued(), PICK_UP_EVERY_MS);
      this.pickUpTimer.unref();
    }
  }

  /** Schedules the queued jobs other workers stored. */
  private async pickUpQueued(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    for (const id of await this.store.queuedIds()) if (!this.scheduled.has(id)) this.schedule(id);
  }

  private schedule(id: string): void {
    this.scheduled.add(id);
    void this.limit(async () => {
      if (this.stopping.signal.aborted) return;
      const run = this.run!(id, this.stopping.signal);
      this.inFlight.add(run);
      try {
        await run;
      } finally {
        this.inFlight.delete(run);
        this.scheduled.delete(id);
      }
    });
  }

  async stop(graceMs: number): Promise<void> {
    if (this.pickUpTimer) clearInterval(this.pickUpTimer);
    this.stopping.abort();
    this.limit.clearQueue();
    if (this.inFlight.size > 0) await settlesWithin(Promise.allSettled([...this.inFlight]), graceMs);
  }
}
