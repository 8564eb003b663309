// Where job records live: their state, progress, per-item results and final result. Two
// implementations: SQLite in DATA_DIR/jobs.sqlite for one server (sqlite-job-store.ts), and
// Redis for replicas that share jobs (redis-job-store.ts). The SQLite one answers at once, so
// results may come back plain or as promises; the runner awaits every one.
import type { JobError, JobItem, JobRecord, JobState } from './job-types.js';

export const JOB_STORE = Symbol('JOB_STORE');

type Awaitable<T> = T | Promise<T>;

export interface NewJob {
  id: string;
  kind: string;
  input: unknown;
  total: number;
  counters?: Record<string, number>;
  keyName?: string | null;
}

export type FinalJobState = Extract<JobState, 'succeeded' | 'failed' | 'interrupted'>;

export interface JobStore {
  create(job: NewJob): Awaitable<JobRecord>;
  get(id: string): Awaitable<JobRecord | null>;
  /** Jobs a stop left queued or running, oldest first. */
  listUnfinished(): Awaitable<JobRecord[]>;
  /** A page of jobs, newest first, optionally of one state and kind; `total` counts all that match (limit -1: all). */
  list(filter: { state?: JobState; kind?: string }, page: { limit: number; offset: number }): Awaitable<{ jobs: JobRecord[]; total: number }>;
  /** Ids of jobs waiting to run, oldest first. */
  queuedIds(): Awaitable<string[]>;
  items(id: string): Awaitable<JobItem[]>;
  itemKeys(id: string): Awaitable<Set<string>>;
  /** A run starts: `running`, one more attempt. */
  markRunning(id: string): Awaitable<void>;
  /** Back to `queued` for a resumed job: its items stay. */
  requeue(id: string): Awaitable<void>;
  /** One finished item and the job's progress, in one write; a repeated key replaces its result. */
  recordItem(id: string, item: JobItem, counters?: Record<string, number>): Awaitable<void>;
  /** Progress for kinds that do not record items one by one. */
  setProgress(id: string, done: number, counters?: Record<string, number>): Awaitable<void>;
  finish(id: string, state: FinalJobState, outcome?: { result?: unknown; error?: JobError }): Awaitable<void>;
  /** Forgets finished jobs that ended before `cutoff`; returns how many. */
  pruneFinishedBefore(cutoff: Date): Awaitable<number>;
  /** Forgets a job that never got queued (its submission failed half-way). */
  remove(id: string): Awaitable<void>;
  close(): Awaitable<void>;
}
