// Requests per minute per key, as a token bucket: a bucket holds up to `burst` requests and
// refills at `perMinute`; a request takes one, and an empty bucket says when the next one
// will be there. The counting backend sits behind `RateLimiter` so that one machine's
// SQLite file (sqlite-counters.ts) can later give way to a shared store for several machines.
import type { RateLimit } from './api-key.js';

export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until a request would be allowed. */
  retryAfterMs: number;
}

export interface RateLimiter {
  take(bucket: string, limit: RateLimit, nowMs: number): Promise<RateDecision>;
}

export interface BucketState {
  tokens: number;
  updatedMs: number;
}

/** One request against a bucket: its new state and the decision. Pure, so every backend agrees. */
export function takeFromBucket(state: BucketState | null, limit: RateLimit, nowMs: number): { state: BucketState; decision: RateDecision } {
  const perMs = limit.perMinute / 60_000;
  const elapsed = state ? Math.max(0, nowMs - state.updatedMs) : 0;
  const tokens = state ? Math.min(limit.burst, state.tokens + elapsed * perMs) : limit.burst;
  if (tokens >= 1) return { state: { tokens: tokens - 1, updatedMs: nowMs }, decision: { allowed: true, retryAfterMs: 0 } };
  return { state: { tokens, updatedMs: nowMs }, decision: { allowed: false, retryAfterMs: Math.ceil((1 - tokens) / perMs) } };
}
