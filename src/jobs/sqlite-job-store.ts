// Where jobs live without REDIS_URL: a small SQLite file of its own, DATA_DIR/jobs.sqlite.
//
// Why SQLite rather than a JSON file per job: a job records a result per file as it goes,
// and progress is polled while it runs. In SQLite each finished item is one INSERT plus one
// UPDATE in a transaction (WAL, so readers never block the runner), whatever the size of the
// batch; a JSON file would be rewritten whole, and renamed into place, on every item, which
// grows with the batch and makes a 10,000-file job quadratic. better-sqlite3 is already
// Sift's store driver, so this adds no dependency. A file of its own keeps jobs out of the
// vector store's schema, so they work the same whichever store (SQLite or Qdrant) is chosen.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config.js';
import type { FinalJobState, JobStore, NewJob } from './job-store.js';
import type { JobError, JobItem, JobRecord, JobState } from './job-types.js';

export const JOBS_FILE_NAME = 'jobs.sqlite';

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  input TEXT NOT NULL,
  total INTEGER NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  counters TEXT NOT NULL DEFAULT '{}',
  result TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  key_name TEXT
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, created_at);

CREATE TABLE IF NOT EXISTS job_items (
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  item_key TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  result TEXT NOT NULL,
  PRIMARY KEY (job_id, item_key)
);
`;

interface JobRow {
  id: string;
  kind: string;
  state: JobState;
  input: string;
  total: number;
  done: number;
  counters: string;
  result: string | null;
  error: string | null;
  attempts: number;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  key_name: string | null;
}

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    input: JSON.parse(row.input) as unknown,
    total: row.total,
    done: row.done,
    counters: JSON.parse(row.counters) as Record<string, number>,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    error: row.error === null ? null : (JSON.parse(row.error) as JobError),
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    keyName: row.key_name ?? null,
  };
}

function addCounters(base: Record<string, number>, more: Record<string, number> | undefined): Record<string, number> {
  if (!more) return base;
  const sum = { ...base };
  for (const [name, value] of Object.entries(more)) sum[name] = (sum[name] ?? 0) + value;
  return sum;
}

export class SqliteJobStore implements JobStore {
  private readonly db: Database.Database;

  constructor(config: AppConfig) {
    mkdirSync(config.dataDir, { recursive: true });
    this.db = new Database(join(config.dataDir, JOBS_FILE_NAME));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA_SQL);
    this.addKeyNameColumn();
  }

  /** Files from before API keys had names lack the column of the key that submitted a job. */
  private addKeyNameColumn(): void {
    const columns = this.db.prepare('PRAGMA table_info(jobs)').all() as Array<{ name: string }>;
    if (columns.some((column) => column.name === 'key_name')) return;
    try {
      this.db.exec('ALTER TABLE jobs ADD COLUMN key_name TEXT');
    } catch (error) {
      // Another worker process added it in the meantime.
      if (!/duplicate column/i.test(String(error))) throw error;
    }
  }

  create(job: NewJob): JobRecord {
    const now = new Date().toISOString();
    this.db
      .prepare('INSERT INTO jobs (id, kind, state, input, total, counters, created_at, updated_at, key_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(job.id, job.kind, 'queued', JSON.stringify(job.input), job.total, JSON.stringify(job.counters ?? {}), now, now, job.keyName ?? null);
    return this.get(job.id)!;
  }

  get(id: string): JobRecord | null {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toRecord(row) : null;
  }

  listUnfinished(): JobRecord[] {
    const rows = this.db.prepare("SELECT * FROM jobs WHERE state IN ('queued', 'running') ORDER BY created_at, id").all() as JobRow[];
    return rows.map(toRecord);
  }

  list(filter: { state?: JobState; kind?: string }, page: { limit: number; offset: number }): { jobs: JobRecord[]; total: number } {
    const where = 'WHERE (@state IS NULL OR state = @state) AND (@kind IS NULL OR kind = @kind)';
    const params = { state: filter.state ?? null, kind: filter.kind ?? null };
    const rows = this.db.prepare(`SELECT * FROM jobs ${where} ORDER BY created_at DESC, id LIMIT @limit OFFSET @offset`).all({ ...params, ...page }) as JobRow[];
    const total = this.db.prepare(`SELECT count(*) FROM jobs ${where}`).pluck().get(params) as number;
    return { jobs: rows.map(toRecord), total };
  }

  queuedIds(): string[] {
    return this.db.prepare("SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at, id").pluck().all() as string[];
  }

  items(id: string): JobItem[] {
    const rows = this.db.prepare('SELECT item_key, ordinal, result FROM job_items WHERE job_id = ? ORDER BY ordinal').all(id) as Array<{
      item_key: string;
      ordinal: number;
      result: string;
    }>;
    return rows.map((row) => ({ key: row.item_key, ordinal: row.ordinal, result: JSON.parse(row.result) as unknown }));
  }

  itemKeys(id: string): Set<string> {
    return new Set(this.db.prepare('SELECT item_key FROM job_items WHERE job_id = ?').pluck().all(id) as string[]);
  }

  markRunning(id: string): void {
    const now = new Date().toISOString();
    this.db
      .prepare("UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, ?), updated_at = ? WHERE id = ?")
      .run(now, now, id);
  }

  requeue(id: string): void {
    this.db.prepare("UPDATE jobs SET state = 'queued', updated_at = ? WHERE id = ?").run(new Date().toISOString(), id);
  }

  /** In one transaction. */
  recordItem(id: string, item: JobItem, counters?: Record<string, number>): void {
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT counters FROM jobs WHERE id = ?').get(id) as { counters: string } | undefined;
      if (!row) return;
      this.db
        .prepare('INSERT OR REPLACE INTO job_items (job_id, item_key, ordinal, result) VALUES (?, ?, ?, ?)')
        .run(id, item.key, item.ordinal, JSON.stringify(item.result));
      const merged = addCounters(JSON.parse(row.counters) as Record<string, number>, counters);
      this.db
        .prepare('UPDATE jobs SET done = (SELECT count(*) FROM job_items WHERE job_id = ?), counters = ?, updated_at = ? WHERE id = ?')
        .run(id, JSON.stringify(merged), new Date().toISOString(), id);
    })();
  }

  setProgress(id: string, done: number, counters?: Record<string, number>): void {
    const now = new Date().toISOString();
    if (counters) {
      this.db.prepare('UPDATE jobs SET done = ?, counters = ?, updated_at = ? WHERE id = ?').run(done, JSON.stringify(counters), now, id);
    } else {
      this.db.prepare('UPDATE jobs SET done = ?, updated_at = ? WHERE id = ?').run(done, now, id);
    }
  }

  finish(id: string, state: FinalJobState, outcome: { result?: unknown; error?: JobError } = {}): void {
    const now = new Date().toISOString();
    this.db
      .prepare('UPDATE jobs SET state = ?, result = ?, error = ?, finished_at = ?, updated_at = ? WHERE id = ?')
      .run(
        state,
        outcome.result === undefined ? null : JSON.stringify(outcome.result),
        outcome.error ? JSON.stringify(outcome.error) : null,
        now,
        now,
        id,
      );
  }

  pruneFinishedBefore(cutoff: Date): number {
    return this.db
      .prepare("DELETE FROM jobs WHERE state IN ('succeeded', 'failed', 'interrupted') AND finished_at < ?")
      .run(cutoff.toISOString()).changes;
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
