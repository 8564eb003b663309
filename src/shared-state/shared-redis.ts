// The one Redis connection a process shares with the other replicas (REDIS_URL): rate limits,
// budgets, usage and document write leases live there. Without REDIS_URL there is none and
// every feature counts locally, as a single server always has.
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { ErrorCode, SiftError } from '../common/errors.js';

export const SHARED_REDIS = Symbol('SHARED_REDIS');

/** How long a start may wait for Redis, and a command for an answer, before it counts as down. */
const CONNECT_TIMEOUT_MS = 3000;
const COMMAND_TIMEOUT_MS = 1000;

export class SharedRedis {
  private readonly logger = new Logger('Redis');
  private lastError: string | null = null;

  constructor(
    readonly client: Redis,
    /** Prefix of every key Sift writes, so several deployments (or tests) can share one Redis. */
    readonly prefix: string,
    private readonly where: string,
  ) {
    client.on('error', (error: Error) => {
      // ioredis reports every failed reconnect; one line per outage is enough.
      if (this.lastError === null) this.logger.warn(`Redis at ${where} is unreachable (${error.message}); shared features fall back as the README's "Scaling out" says, until it is back.`);
      this.lastError = error.message;
    });
    client.on('ready', () => {
      if (this.lastError !== null) this.logger.log(`Redis at ${where} is back.`);
      this.lastError = null;
    });
  }

  key(...parts: string[]): string {
    return `${this.prefix}${parts.join(':')}`;
  }

  /** Whether commands can be sent now; while not, they fail at once rather than queue. */
  get connected(): boolean {
    return this.client.status === 'ready';
  }

  /** For /readyz: 'ok', or why not. */
  async check(): Promise<{ status: 'ok' } | { status: 'unavailable'; detail: string }> {
    try {
      await this.client.ping();
      return { status: 'ok' };
    } catch (error) {
      return { status: 'unavailable', detail: `Redis at ${this.where}: ${this.lastError ?? (error as Error).message}` };
    }
  }

  /** The error a feature that cannot do without Redis answers while it is away. */
  unavailable(what: string, cause: unknown): SiftError {
    return new SiftError(ErrorCode.RedisUnavailable, `${what} needs Redis (REDIS_URL), which cannot be reached right now: ${cause instanceof Error ? cause.message : String(cause)}`);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}

/** Redis's address without its password, for messages. */
function displayUrl(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  parsed.username = '';
  return parsed.toString().replace(/\/$/, '');
}

/**
 * Connects, or throws a start-up error that names REDIS_URL: a replica that cannot reach the
 * shared state must not start counting on its own as if it were alone.
 */
export async function connectSharedRedis(url: string, prefix: string): Promise<SharedRedis> {
  const where = displayUrl(url);
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    // While Redis is away commands fail at once (each feature decides what then), and the
    // connection keeps trying in the background so that it recovers without a restart.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  // ioredis's connect() rejects with "Connection is closed"; the socket's own error says why.
  let firstError: Error | null = null;
  client.once('error', (error: Error) => (firstError = error));
  const shared = new SharedRedis(client, prefix, where);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new Error(`REDIS_URL is set but Redis at ${where} cannot be reached: ${(firstError ?? (error as Error)).message}. Start Redis, fix REDIS_URL, or unset it to run a single server without shared state.`);
  }
  return shared;
}
