// Per-document write leases in Redis, so that replicas replacing or deleting the same document
// take turns: a store write reads the current version, writes the next one's chunks and flips
// to it, and two of those interleaved (both picking the same next version) mix their chunks.
// A lease is SET NX with a timeout, renewed while the write runs; each carries a fencing token
// from a per-document counter, and only the holder of the current token can renew or release
// it, so a stalled writer whose lease ran out cannot end a newer writer's lease.
import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, SiftError } from '../common/errors.js';
import type { SharedRedis } from './shared-redis.js';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface LeaseTimings {
  /** How long a lease lasts without renewal: a writer that dies frees the document after this. */
  ttlMs: number;
  /** How long a writer waits for another's lease before giving up with DOCUMENT_BUSY. */
  waitMs: number;
}

export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { ttlMs: 30_000, waitMs: 60_000 };

export class DocumentLeases {
  private readonly logger = new Logger('DocumentLeases');

  constructor(
    private readonly redis: SharedRedis,
    private readonly timings: LeaseTimings = DEFAULT_LEASE_TIMINGS,
  ) {}

  /** Runs `write` holding the leases of these documents (taken in a fixed order, so two bulk writes cannot deadlock). */
  async withLeases<T>(documents: Array<{ collection: string; id: string }>, write: () => Promise<T>): Promise<T> {
    const keys = [...new Set(documents.map((document) => this.redis.key('lease', document.collection, document.id)))].sort();
    const held: Array<{ key: string; token: string }> = [];
    try {
      for (const key of keys) held.push({ key, token: await this.acquire(key) });
    } catch (error) {
      await this.release(held);
      throw error;
    }
    const renewal = setInterval(() => void this.renew(held), Math.max(100, Math.floor(this.timings.ttlMs / 3)));
    try {
      return await write();
    } finally {
      clearInterval(renewal);
      await this.release(held);
    }
  }

  private async acquire(key: string): Promise<string> {
    const deadline = Date.now() + this.timings.waitMs;
    let pause = 5;
    try {
      for (;;) {
        // The fencing token: every attempt gets a larger one than any before it.
        const token = String(await this.redis.client.incr(`${key}:fence`));
        if ((await this.redis.client.set(key, token, 'PX', this.timings.ttlMs, 'NX')) === 'OK') return token;
        if (Date.now() > deadline) {
          throw new SiftError(ErrorCode.DocumentBusy, `Another writer has held this document for over ${Math.round(this.timings.waitMs / 1000)} s; try again later.`);
        }
        await sleep(pause + Math.random() * pause);
        pause = Math.min(pause * 2, 200);
      }
    } catch (error) {
      if (error instanceof SiftError) throw error;
      throw this.redis.unavailable('Writing or deleting a document (its write lease)', error);
    }
  }

  private async renew(held: Array<{ key: string; token: string }>): Promise<void> {
    for (const { key, token } of held) {
      const renewed = await this.redis.client.eval(RENEW, 1, key, token, this.timings.ttlMs).catch(() => 0);
      if (renewed !== 1) this.logger.warn(`Lost the write lease ${key} (token ${token}): a newer writer may now hold it.`);
    }
  }

  private async release(held: Array<{ key: string; token: string }>): Promise<void> {
    for (const { key, token } of held) {
      // A lease that cannot be released runs out by itself after ttlMs.
      await this.redis.client.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }
}
