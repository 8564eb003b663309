// A cache with this process's LRU in front and, with REDIS_URL, the replicas' shared tier
// (bounded-redis-cache.ts) behind: a question repeated on this replica costs no round trip,
// one first answered on another replica costs one GET, and one answered nowhere yet costs a
// GET and, once computed, a write. While Redis is away the local tier answers alone and the
// lookup says so, so the trace can.
import { LRUCache } from 'lru-cache';
import { SharedCacheUnavailable, type BoundedRedisCache } from './bounded-redis-cache.js';

export type CacheTier = 'local' | 'shared';

/** How a value travels to Redis and back; decode throws on bytes it cannot read (the entry then counts as a miss). */
export interface CacheCodec<V> {
  encode(value: V): Buffer;
  decode(bytes: Buffer): V;
}

export interface CacheLookup<V> {
  value: V | null;
  /** Where the value came from, when there was one. */
  tier: CacheTier | null;
  /** The shared tier could not be asked (Redis away or slow): only this process's entries counted. */
  sharedUnavailable: boolean;
}

export interface SharedTier<V> {
  store: BoundedRedisCache;
  /** Keeps each cache's entries apart in Redis: `<REDIS_KEY_PREFIX>cache:<namespace>:<key>`. */
  namespace: string;
  codec: CacheCodec<V>;
}

/** The fields a stage's trace gets from a lookup: where a hit came from, and whether Redis was missed. */
export function cacheTraceFields(lookup: Pick<CacheLookup<unknown>, 'tier' | 'sharedUnavailable'>): { cache?: CacheTier; sharedCache?: 'unavailable' } {
  return { ...(lookup.tier ? { cache: lookup.tier } : {}), ...(lookup.sharedUnavailable ? { sharedCache: 'unavailable' as const } : {}) };
}

export class TieredCache<V extends object> {
  private readonly local: LRUCache<string, V>;

  constructor(
    localSize: number,
    private readonly shared: SharedTier<V> | null,
  ) {
    this.local = new LRUCache({ max: localSize });
  }

  async get(key: string): Promise<CacheLookup<V>> {
    const local = this.local.get(key);
    // A local hit asks Redis nothing; it only says whether the shared tier is there at all.
    if (local !== undefined) return { value: local, tier: 'local', sharedUnavailable: this.shared !== null && !this.shared.store.available };
    if (!this.shared) return { value: null, tier: null, sharedUnavailable: false };
    let bytes: Buffer | null;
    try {
      bytes = await this.shared.store.get(this.shared.namespace, key);
    } catch (error) {
      if (error instanceof SharedCacheUnavailable) return { value: null, tier: null, sharedUnavailable: true };
      throw error;
    }
    if (bytes === null) return { value: null, tier: null, sharedUnavailable: false };
    let value: V;
    try {
      value = this.shared.codec.decode(bytes);
    } catch {
      // Written by another version of Sift, or damaged: recomputed and overwritten.
      return { value: null, tier: null, sharedUnavailable: false };
    }
    this.local.set(key, value);
    return { value, tier: 'shared', sharedUnavailable: false };
  }

  /**
   * Keeps the value here and, awaited, in the shared tier: when the caller answers, another
   * replica asking the same already finds it. A failed shared write is reported, not thrown.
   */
  async set(key: string, value: V): Promise<{ sharedUnavailable: boolean }> {
    this.local.set(key, value);
    if (!this.shared) return { sharedUnavailable: false };
    try {
      await this.shared.store.set(this.shared.namespace, key, this.shared.codec.encode(value));
      return { sharedUnavailable: false };
    } catch (error) {
      if (error instanceof SharedCacheUnavailable) return { sharedUnavailable: true };
      throw error;
    }
  }
}
