import { describe, expect, it } from 'vitest';
import { takeFromBucket, type BucketState } from './rate-limiter.js';

describe('takeFromBucket', () => {
  const limit = { perMinute: 60, burst: 3 };

  it('lets a full burst through, then refuses with the wait for the next token', () => {
    let state: BucketState | null = null;
    const decisions = [];
    for (let i = 0; i < 4; i++) {
      const next = takeFromBucket(state, limit, 1_000);
      state = next.state;
      decisions.push(next.decision);
    }
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3]!.retryAfterMs).toBe(1_000);
  });

  it('refills at the rate, never above the burst', () => {
    const empty = { tokens: 0, updatedMs: 0 };
    expect(takeFromBucket(empty, limit, 500).decision).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(takeFromBucket(empty, limit, 1_000).decision.allowed).toBe(true);
    expect(takeFromBucket(empty, limit, 3_600_000).state.tokens).toBe(2);
  });

  it('does not refill when the clock goes backwards', () => {
    expect(takeFromBucket({ tokens: 0, updatedMs: 10_000 }, limit, 5_000).decision.allowed).toBe(false);
  });
});
