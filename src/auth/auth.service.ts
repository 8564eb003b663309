// Turns a presented key into a Caller and applies its rate limit. Keys come from two places:
// SIFT_API_KEYS (full access, no limits, as before keys had roles) and the key store. Limits
// and budgets are counted in DATA_DIR/keys.sqlite, or in Redis when REDIS_URL is set.
import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import type { ApiKey } from './api-key.js';
import { openAuthDatabase } from './auth-database.js';
import { BudgetAccount, type BudgetCounter } from './budget.js';
import type { Caller } from './caller.js';
import { CollectionScope } from './collection-scope.js';
import { KeyStore } from './key-store.js';
import type { RateLimiter } from './rate-limiter.js';
import { RedisBudgetCounter, RedisRateLimiter } from './redis-counters.js';
import { SqliteBudgetCounter, SqliteRateLimiter } from './sqlite-counters.js';
import { SHARED_REDIS, type SharedRedis } from '../shared-state/shared-redis.js';

function digest(value: string): Buffer {
  // Hashing first gives equal-length buffers, so the comparison time says nothing about the key.
  return createHash('sha256').update(value).digest();
}

@Injectable()
export class AuthService implements OnApplicationShutdown {
  readonly keys: KeyStore;
  private readonly db: Database.Database;
  private readonly limiter: RateLimiter;
  private readonly budgets: BudgetCounter;
  private readonly envKeyDigests: Buffer[];
  private readonly scopes = new Map<string, CollectionScope>();

  constructor(config: AppConfig, @Optional() @Inject(SHARED_REDIS) redis: SharedRedis | null = null) {
    this.db = openAuthDatabase(config.dataDir);
    this.keys = new KeyStore(this.db);
    // With REDIS_URL every replica counts in Redis (redis-counters.ts says what happens while it is away).
    const local = new SqliteRateLimiter(this.db);
    this.limiter = redis ? new RedisRateLimiter(redis, local) : local;
    this.budgets = redis ? new RedisBudgetCounter(redis) : new SqliteBudgetCounter(this.db);
    this.envKeyDigests = config.apiKeys.map(digest);
  }

  /** Whether protected routes need a key: SIFT_API_KEYS is set, or a key was ever created. */
  get keysRequired(): boolean {
    return this.envKeyDigests.length > 0 || this.keys.keysRequired();
  }

  /** The caller a secret belongs to, or null for an unknown (or revoked) one. */
  authenticate(secret: string): Caller | null {
    if (this.envKeyDigests.length > 0) {
      const given = digest(secret);
      const index = this.envKeyDigests.findIndex((key) => timingSafeEqual(key, given));
      if (index >= 0) return this.envCaller(index + 1);
    }
    const key = this.keys.findBySecret(secret);
    return key ? this.callerFor(key) : null;
  }

  /** The caller for a stored key by name (a background job acting for the key that started it). */
  callerByName(name: string): Caller | null {
    const envIndex = /^SIFT_API_KEYS#(\d+)$/.exec(name);
    if (envIndex) return Number(envIndex[1]) <= this.envKeyDigests.length ? this.envCaller(Number(envIndex[1])) : null;
    const key = this.keys.get(name);
    return key ? this.callerFor(key) : null;
  }

  /** Counts one request against the caller's rate limit; throws RATE_LIMITED when it is used up. */
  async takeRequest(caller: Caller): Promise<void> {
    const limit = caller.rateLimit;
    if (!limit || !caller.keyName) return;
    const decision = await this.limiter.take(caller.keyName, limit, Date.now());
    if (decision.allowed) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new SiftError(
      ErrorCode.RateLimited,
      `Key "${caller.keyName}" is limited to ${limit.perMinute} requests a minute (bursts of ${limit.burst}); try again in ${retryAfterSeconds} s.`,
      { retryAfterSeconds, limit },
    );
  }

  onApplicationShutdown(): void {
    this.db.close();
  }

  /** SIFT_API_KEYS are today's full-access keys: admin, every collection, no limits. */
  private envCaller(position: number): Caller {
    return { keyName: `SIFT_API_KEYS#${position}`, role: 'admin', scope: CollectionScope.ALL, rateLimit: null, budget: null };
  }

  private callerFor(key: ApiKey): Caller {
    return {
      keyName: key.name,
      role: key.role,
      scope: this.scopeOf(key.scope),
      rateLimit: key.rateLimit,
      budget: key.budget ? new BudgetAccount(key.name, key.budget, this.budgets) : null,
    };
  }

  /** Parsed scopes are kept: a request should not re-parse its key's scope. */
  private scopeOf(entries: string[]): CollectionScope {
    const id = entries.join('\n');
    let scope = this.scopes.get(id);
    if (!scope) {
      scope = CollectionScope.parse(entries);
      this.scopes.set(id, scope);
    }
    return scope;
  }
}
