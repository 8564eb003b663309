// The rate-limit buckets and budget counters shared by every replica, in Redis (REDIS_URL).
// A bucket is taken by one Lua script, so the read and the write happen as one step on the
// server whoever else takes at the same instant; the arithmetic is takeFromBucket's.
// While Redis is away: rate limits fall back to this machine's SQLite buckets (each replica
// then enforces the limit alone), budgets refuse model calls with REDIS_UNAVAILABLE (a spend
// that cannot be counted cannot be taken back; searches and extractive answers still work).
import { Logger } from '@nestjs/common';
import type { RateLimit } from './api-key.js';
import type { BudgetCounter, Spend } from './budget.js';
import type { RateDecision, RateLimiter } from './rate-limiter.js';
import type { SharedRedis } from '../shared-state/shared-redis.js';

// KEYS[1] bucket; ARGV per-minute, burst, now (ms). Returns {allowed (0/1), retryAfterMs}.
const TAKE_FROM_BUCKET = `
local perMs = tonumber(ARGV[1]) / 60000
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = burst
if state[1] then
  local elapsed = math.max(0, now - tonumber(state[2]))
  tokens = math.min(burst, tonumber(state[1]) + elapsed * perMs)
end
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) / perMs)
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'updated', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / perMs) + 60000)
return {allowed, retry}
`;

/** Budget periods are months; a counter outlives its month by a while for /v1/keys to show it. */
const BUDGET_TTL_SECONDS = 62 * 24 * 3600;

export class RedisRateLimiter implements RateLimiter {
  private readonly logger = new Logger('RateLimit');
  private degraded = false;

  constructor(
    private readonly redis: SharedRedis,
    /** This machine's buckets, used while Redis cannot be reached. */
    private readonly local: RateLimiter,
  ) {}

  async take(bucket: string, limit: RateLimit, nowMs: number): Promise<RateDecision> {
    try {
      const [allowed, retryAfterMs] = (await this.redis.client.eval(TAKE_FROM_BUCKET, 1, this.redis.key('rate', bucket), limit.perMinute, limit.burst, Math.round(nowMs))) as [number, number];
      if (this.degraded) this.logger.log('Rate limits are counted in Redis again.');
      this.degraded = false;
      return { allowed: allowed === 1, retryAfterMs };
    } catch (error) {
      if (!this.degraded) this.logger.warn(`Redis cannot be reached (${(error as Error).message}): rate limits are counted on this replica alone until it is back.`);
      this.degraded = true;
      return this.local.take(bucket, limit, nowMs);
    }
  }
}

export class RedisBudgetCounter implements BudgetCounter {
  constructor(private readonly redis: SharedRedis) {}

  async spent(keyName: string, period: string): Promise<Spend> {
    try {
      const [tokens, usd] = await this.redis.client.hmget(this.key(keyName, period), 'tokens', 'usd');
      return { tokens: Number(tokens ?? 0), usd: Number(usd ?? 0) };
    } catch (error) {
      throw this.redis.unavailable(`A model call for a key with a budget (to check "${keyName}"'s spend)`, error);
    }
  }

  async add(keyName: string, period: string, spend: Spend): Promise<void> {
    const key = this.key(keyName, period);
    // One MULTI: both sums and the expiry land together.
    await this.redis.client.multi().hincrby(key, 'tokens', spend.tokens).hincrbyfloat(key, 'usd', spend.usd).expire(key, BUDGET_TTL_SECONDS).exec();
  }

  private key(keyName: string, period: string): string {
    return this.redis.key('budget', period, keyName);
  }
}
