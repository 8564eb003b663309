// DATA_DIR/keys.sqlite: API keys (secrets only as digests), the rate-limit buckets and the
// budget counters. One file that every worker process of a machine opens, so a revoked key,
// a request counted or a token spent is seen by all of them at once; SQLite's write lock
// makes each update atomic across processes.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const KEYS_FILE_NAME = 'keys.sqlite';

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS api_keys (
  name TEXT PRIMARY KEY,
  secret_digest TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  scope TEXT NOT NULL,
  rate_per_minute REAL,
  rate_burst INTEGER,
  budget_tokens INTEGER,
  budget_usd REAL,
  created_at TEXT NOT NULL,
  last_used_at TEXT
);
CREATE TABLE IF NOT EXISTS auth_settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rate_buckets (
  bucket TEXT PRIMARY KEY,
  tokens REAL NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS budget_spend (
  key_name TEXT NOT NULL,
  period TEXT NOT NULL,
  tokens INTEGER NOT NULL DEFAULT 0,
  usd REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (key_name, period)
);
`;

export function openAuthDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, KEYS_FILE_NAME));
  db.pragma('journal_mode = WAL');
  // Counters and last-used times may lose their last moments in a power cut; keys are
  // written rarely and a commit survives a process crash either way.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA_SQL);
  return db;
}
