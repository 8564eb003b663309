// The rate-limit buckets and budget counters of one machine, in DATA_DIR/keys.sqlite. Each
// update is one IMMEDIATE transaction: it takes SQLite's write lock before reading, so two
// worker processes cannot both take the last request in a bucket.
import type Database from 'better-sqlite3';
import type { RateLimit } from './api-key.js';
import type { BudgetCounter, Spend } from './budget.js';
import { takeFromBucket, type BucketState, type RateDecision, type RateLimiter } from './rate-limiter.js';

export class SqliteRateLimiter implements RateLimiter {
  private readonly takeOne: (bucket: string, limit: RateLimit, nowMs: number) => RateDecision;

  constructor(db: Database.Database) {
    const read = db.prepare<[string], { tokens: number; updated_ms: number }>('SELECT tokens, updated_ms FROM rate_buckets WHERE bucket = ?');
    const write = db.prepare('INSERT INTO rate_buckets (bucket, tokens, updated_ms) VALUES (?, ?, ?) ON CONFLICT (bucket) DO UPDATE SET tokens = excluded.tokens, updated_ms = excluded.updated_ms');
    const transaction = db.transaction((bucket: string, limit: RateLimit, nowMs: number) => {
      const row = read.get(bucket);
      const state: BucketState | null = row ? { tokens: row.tokens, updatedMs: row.updated_ms } : null;
      const next = takeFromBucket(state, limit, nowMs);
      write.run(bucket, next.state.tokens, next.state.updatedMs);
      return next.decision;
    });
    this.takeOne = (bucket, limit, nowMs) => transaction.immediate(bucket, limit, nowMs);
  }

  async take(bucket: string, limit: RateLimit, nowMs: number): Promise<RateDecision> {
    return this.takeOne(bucket, limit, nowMs);
  }
}

export class SqliteBudgetCounter implements BudgetCounter {
  private readonly read: Database.Statement<[string, string], Spend>;
  private readonly increment: Database.Statement<[string, string, number, number]>;

  constructor(db: Database.Database) {
    this.read = db.prepare('SELECT tokens, usd FROM budget_spend WHERE key_name = ? AND period = ?');
    // One statement, so the addition happens under the write lock whoever else adds.
    this.increment = db.prepare('INSERT INTO budget_spend (key_name, period, tokens, usd) VALUES (?, ?, ?, ?) ON CONFLICT (key_name, period) DO UPDATE SET tokens = tokens + excluded.tokens, usd = usd + excluded.usd');
  }

  async spent(keyName: string, period: string): Promise<Spend> {
    return this.read.get(keyName, period) ?? { tokens: 0, usd: 0 };
  }

  async add(keyName: string, period: string, spend: Spend): Promise<void> {
    this.increment.run(keyName, period, spend.tokens, spend.usd);
  }
}
