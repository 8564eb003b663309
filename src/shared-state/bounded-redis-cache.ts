// The shared tier of Sift's caches (rerank orders, query vectors) in Redis: entries every
// replica reads and writes, each with a TTL, all of them together under one memory bound.
// Redis's own maxmemory policy would evict Sift's leases and counters along with the cache,
// so the bound is kept here: one sorted set orders the entries by when they were written, a
// hash keeps each entry's size and a counter their sum; a write evicts the oldest entries
// until the sum fits again. One Lua script does a write and its evictions as one step.
import { answerWithin } from '../common/answer-within.js';
import type { SharedRedis } from './shared-redis.js';

/** What one entry costs Redis beyond its key and value: its index, size and key overheads (an estimate). */
const ENTRY_OVERHEAD_BYTES = 160;
/** Entries one write may evict or forget: a write adds one, so this keeps up and stays short. */
const MAX_EVICTIONS_PER_WRITE = 64;

// KEYS: entry, index (sorted set), sizes (hash), total bytes. ARGV: value, now ms, ttl ms, max bytes, overhead.
const PUT = `
local entry, index, sizes, total = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now, ttl, max = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local function forget(member)
  local size = redis.call('HGET', sizes, member)
  if size then
    redis.call('DECRBY', total, size)
    redis.call('HDEL', sizes, member)
  end
  redis.call('ZREM', index, member)
end
forget(entry)
local size = #ARGV[1] + #entry + tonumber(ARGV[5])
redis.call('SET', entry, ARGV[1], 'PX', ttl)
redis.call('ZADD', index, now, entry)
redis.call('HSET', sizes, entry, size)
redis.call('INCRBY', total, size)
-- Entries past their TTL are gone from Redis already; their bookkeeping goes too.
for _, member in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', now - ttl, 'LIMIT', 0, ${MAX_EVICTIONS_PER_WRITE})) do forget(member) end
local evicted = 0
local used = tonumber(redis.call('GET', total))
while used > max and evicted < ${MAX_EVICTIONS_PER_WRITE} do
  local oldest = redis.call('ZRANGE', index, 0, 0)[1]
  if not oldest then break end
  redis.call('DEL', oldest)
  forget(oldest)
  evicted = evicted + 1
  used = tonumber(redis.call('GET', total))
end
return {used, evicted}
`;

export interface SharedCacheLimits {
  /** How long an entry lives after it was written. */
  ttlMs: number;
  /** What all shared cache entries together may take in Redis (keys, values and bookkeeping, estimated). */
  maxBytes: number;
  /** How long a lookup or write may wait for Redis before it counts as unavailable. */
  waitMs: number;
}

export class SharedCacheUnavailable extends Error {}

export const SHARED_CACHE = Symbol('SHARED_CACHE');

/** How long a cache lookup or write waits for Redis: far above a healthy round trip, far below a model call. */
export const SHARED_CACHE_WAIT_MS = 50;

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  return answerWithin(work, ms, () => new SharedCacheUnavailable(`Redis did not answer within ${ms} ms`));
}

export class BoundedRedisCache {
  constructor(
    private readonly redis: SharedRedis,
    private readonly limits: SharedCacheLimits,
  ) {}

  /** Whether Redis is connected now: lookups while it is not fail at once. */
  get available(): boolean {
    return this.redis.connected;
  }

  /** The entry, or null when there is none; throws SharedCacheUnavailable when Redis cannot answer now. */
  async get(namespace: string, key: string): Promise<Buffer | null> {
    // Disconnected, a command fails at once anyway (no offline queue); this skips building it.
    if (!this.redis.connected) throw new SharedCacheUnavailable('Redis is not connected');
    try {
      return await within(this.redis.client.getBuffer(this.entryKey(namespace, key)), this.limits.waitMs);
    } catch (error) {
      throw error instanceof SharedCacheUnavailable ? error : new SharedCacheUnavailable((error as Error).message);
    }
  }

  /** Writes the entry and evicts the oldest ones past the bound; throws SharedCacheUnavailable when Redis cannot answer now. */
  async set(namespace: string, key: string, value: Buffer): Promise<{ usedBytes: number; evicted: number }> {
    if (!this.redis.connected) throw new SharedCacheUnavailable('Redis is not connected');
    const keys = [this.entryKey(namespace, key), this.redis.key('cache', 'index'), this.redis.key('cache', 'sizes'), this.redis.key('cache', 'bytes')];
    try {
      const [usedBytes, evicted] = (await within(
        this.redis.client.eval(PUT, keys.length, ...keys, value, Date.now(), this.limits.ttlMs, this.limits.maxBytes, ENTRY_OVERHEAD_BYTES),
        this.limits.waitMs,
      )) as [number, number];
      return { usedBytes, evicted };
    } catch (error) {
      throw error instanceof SharedCacheUnavailable ? error : new SharedCacheUnavailable((error as Error).message);
    }
  }

  private entryKey(namespace: string, key: string): string {
    return this.redis.key('cache', namespace, key);
  }
}
