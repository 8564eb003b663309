// The vocabulary of background jobs, independent of what a job does: a job has a kind, an
// input its handler wrote, a state, progress, per-item results and an optional final result.
// Ingestion is one kind; a later kind (batch classification, re-embedding) adds a handler
// and nothing here changes.
import type { ErrorCode } from '../common/errors.js';

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'interrupted'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const FINAL_JOB_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'interrupted']);

export interface JobError {
  code: ErrorCode;
  message: string;
}

/** A job as stored: what the runner needs, with the handler's input left opaque. */
export interface JobRecord {
  id: string;
  kind: string;
  state: JobState;
  input: unknown;
  /** Items the job will produce (files, texts); `done` counts those finished. */
  total: number;
  done: number;
  /** Numbers the handler adds up as items finish, e.g. `{chunks: 120, failed: 2}`. */
  counters: Record<string, number>;
  /** What the handler returned when it finished, for kinds with one result rather than items. */
  result: unknown;
  error: JobError | null;
  /** Runs started: 1, or more when a restart resumed the job. */
  attempts: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The API key that submitted the job; it runs on that key's behalf (budget, usage ledger). */
  keyName: string | null;
}

/** Whose a job is, for showing it only to keys that may see it. */
export interface JobOwner {
  keyName: string | null;
  /** The collection the job works on, for kinds that work on one. */
  collection: string | null;
}

export interface JobItem {
  key: string;
  ordinal: number;
  result: unknown;
}

/** What a handler sees while it runs. */
export interface JobContext {
  readonly jobId: string;
  /**
   * Aborted when this process stops running the job (a shutdown, or with REDIS_URL a lost
   * lock): take no new items. Items in flight may finish; the job is then resumed, here or on
   * another replica, or reported interrupted.
   */
  readonly signal: AbortSignal;
  /** Keys of the items an earlier run of this job recorded (before a restart); skip them. */
  readonly completed: ReadonlySet<string>;
  /**
   * Stores one finished item and adds `counters` to the job's, in one write. Await it before
   * freeing what the item needed: it rejects when the store (Redis) is lost, and the job is
   * then resumed from the items stored.
   */
  recordItem(item: JobItem, counters?: Record<string, number>): Promise<void>;
  /** Progress for kinds without per-item results (e.g. batches of texts). */
  reportProgress(done: number, counters?: Record<string, number>): Promise<void>;
}

export type ResumeCheck = { resumable: true } | { resumable: false; reason: string };

/**
 * One kind of job. Handlers register with the JobRunner when their module starts; the
 * runner owns states, storage, concurrency and restarts.
 */
export interface JobHandler<Input = unknown> {
  readonly kind: string;
  /** Does the work; what it returns is stored as the job's result. Throwing fails the job. */
  run(input: Input, context: JobContext): Promise<unknown>;
  /** Whether a job cut off by a restart can continue, given the items it had recorded. */
  checkResumable(input: Input, completed: ReadonlySet<string>): Promise<ResumeCheck>;
  /** Frees what the job held (spooled files) once it is final. */
  release(input: Input): Promise<void>;
  /** The collection a job works on, for kinds that work on one (an upload's). */
  collectionOf?(input: Input): string | null;
  /** The kind's own fields of the job as clients see it (e.g. `collection`, `documents`). */
  present(input: Input, items: unknown[], result: unknown): Record<string, unknown>;
}

/** A job as `GET /v1/jobs/{id}` shows it. */
export interface JobView {
  id: string;
  kind: string;
  state: JobState;
  progress: { total: number; done: number } & Record<string, number>;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The API key that submitted it, when keys are in use. */
  key: string | null;
  error?: JobError;
  [field: string]: unknown;
}
