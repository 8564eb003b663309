// Uploaded files live on disk under DATA_DIR/spool, never in memory as a batch. Multer
// writes each incoming file to spool/incoming; a synchronous upload reads the files one at a
// time and deletes them afterwards; a background job takes its files into a batch of its own
// that stays until the job is final, so a restart can resume it. Alone, a batch is a folder
// spool/batches/{id}; with REDIS_URL each file goes where every replica can read it: small
// ones into Redis, larger ones into JOB_SPOOL_DIR/batches/{id}.
import { Inject, Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config.js';
import { SINGLE_PROCESS, type ProcessRole } from '../cluster/process-role.js';
import { SHARED_REDIS, type SharedRedis } from '../shared-state/shared-redis.js';

const SPOOL_DIR = 'spool';

/**
 * Where multer writes incoming upload files (it needs the path before the app starts). Each
 * worker of a cluster has its own folder, so one that restarts clears only its own.
 */
export function incomingSpoolDir(dataDir: string, role: ProcessRole = SINGLE_PROCESS): string {
  const incoming = join(dataDir, SPOOL_DIR, 'incoming');
  return role.clustered ? join(incoming, `worker-${role.slot}`) : incoming;
}

/** A file as multer wrote it to spool/incoming. */
export interface ReceivedFile {
  fileName: string;
  path: string;
  sizeBytes: number;
}

/**
 * Where a job's spooled file is kept: `local` is this server's DATA_DIR/spool (the only place
 * without REDIS_URL); with REDIS_URL, `redis` (files up to JOB_SPOOL_REDIS_MAX_BYTES) and
 * `shared` (JOB_SPOOL_DIR) can be read by whichever replica runs the job.
 */
export type SpoolPlace = 'local' | 'shared' | 'redis';

/** A file kept for a job. */
export interface SpooledFile {
  fileName: string;
  spoolName: string;
  sizeBytes: number;
  /** Absent on jobs stored before there was a choice: `local`. */
  place?: SpoolPlace;
}

@Injectable()
export class UploadSpool implements OnModuleInit {
  private readonly logger = new Logger('Ingestion');
  private readonly incoming: string;
  /** The folder that holds every worker's incoming folder (the incoming folder itself when alone). */
  private readonly allIncoming: string;
  private readonly batches: string;
  private readonly sharedBatches: string | null;
  private readonly redisMaxBytes: number;
  private readonly retentionSeconds: number;
  private readonly role: ProcessRole;

  constructor(
    config: AppConfig,
    @Optional() @Inject(SHARED_REDIS) private readonly redis: SharedRedis | null = null,
  ) {
    this.role = config.role;
    this.incoming = incomingSpoolDir(config.dataDir, config.role);
    this.allIncoming = incomingSpoolDir(config.dataDir);
    this.batches = join(config.dataDir, SPOOL_DIR, 'batches');
    this.sharedBatches = redis && config.jobs.spoolDir ? join(config.jobs.spoolDir, 'batches') : null;
    this.redisMaxBytes = redis ? config.jobs.spoolRedisMaxBytes : -1;
    this.retentionSeconds = config.jobs.retentionHours * 3600;
  }

  /** Files of requests that a stop cut off belong to no request any more. */
  async onModuleInit(): Promise<void> {
    // Alone on the data directory, every worker's leftovers can go; else only this worker's.
    const leftovers = this.role.startsAlone ? this.allIncoming : this.incoming;
    await rm(leftovers, { recursive: true, force: true });
    await mkdir(this.incoming, { recursive: true });
    await mkdir(this.batches, { recursive: true });
    if (this.sharedBatches) await mkdir(this.sharedBatches, { recursive: true });
    if (this.redis && !this.sharedBatches) {
      this.logger.warn(
        `JOB_SPOOL_DIR is unset: upload files over ${this.redisMaxBytes} bytes (JOB_SPOOL_REDIS_MAX_BYTES) stay on this replica's disk, so if it stops mid-job another replica marks the job interrupted instead of resuming it.`,
      );
    }
  }

  readReceived(file: ReceivedFile): Promise<Buffer> {
    return readFile(file.path);
  }

  /** Deletes received files; those a batch took are already gone, which is fine. */
  async discardReceived(files: ReceivedFile[]): Promise<void> {
    await Promise.all(files.map((file) => rm(file.path, { force: true })));
  }

  private placeFor(sizeBytes: number): SpoolPlace {
    if (sizeBytes <= this.redisMaxBytes) return 'redis';
    return this.sharedBatches ? 'shared' : 'local';
  }

  private folder(place: 'local' | 'shared', batch: string): string {
    return join(place === 'shared' ? this.sharedBatches! : this.batches, batch);
  }

  private redisKey(batch: string, file: SpooledFile): string {
    return this.redis!.key('spool', batch, file.spoolName);
  }

  /**
   * Moves received files into a new batch, each to its place. With REDIS_URL and Redis away:
   * REDIS_UNAVAILABLE, and nothing is kept.
   */
  async adopt(files: ReceivedFile[]): Promise<{ batch: string; files: SpooledFile[] }> {
    if (this.redis && !this.redis.connected) throw this.redis.unavailable('An upload that becomes a background job', new Error(`Redis is ${this.redis.client.status}`));
    const batch = randomUUID();
    const spooled: SpooledFile[] = [];
    try {
      for (const [index, file] of files.entries()) {
        const kept: SpooledFile = { fileName: file.fileName, spoolName: String(index), sizeBytes: file.sizeBytes, place: this.placeFor(file.sizeBytes) };
        await this.keep(batch, file, kept);
        spooled.push(kept);
      }
    } catch (error) {
      await this.removeBatch(batch, spooled).catch(() => undefined);
      throw error;
    }
    return { batch, files: spooled };
  }

  private async keep(batch: string, received: ReceivedFile, file: SpooledFile): Promise<void> {
    if (file.place === 'redis') {
      const bytes = await readFile(received.path);
      try {
        await this.redis!.client.set(this.redisKey(batch, file), bytes, 'EX', this.retentionSeconds);
      } catch (error) {
        throw this.redis!.unavailable('An upload that becomes a background job (its spooled files)', error);
      }
      await rm(received.path, { force: true });
      return;
    }
    const folder = this.folder(file.place ?? 'local', batch);
    await mkdir(folder, { recursive: true });
    const target = join(folder, file.spoolName);
    try {
      // The same disk: a rename, no copy.
      await rename(received.path, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      // JOB_SPOOL_DIR on another file system (a shared volume).
      await copyFile(received.path, target);
      await rm(received.path, { force: true });
    }
  }

  async read(batch: string, file: SpooledFile): Promise<Buffer> {
    if (file.place !== 'redis') return readFile(join(this.folder(file.place ?? 'local', batch), file.spoolName));
    let bytes: Buffer | null;
    try {
      bytes = await this.redis!.client.getBuffer(this.redisKey(batch, file));
    } catch (error) {
      throw this.redis!.unavailable(`Reading the spooled copy of "${file.fileName}"`, error);
    }
    if (!bytes) throw new Error(`The spooled copy of "${file.fileName}" is gone from Redis.`);
    return bytes;
  }

  async discard(batch: string, file: SpooledFile): Promise<void> {
    if (file.place === 'redis') await this.redis!.client.del(this.redisKey(batch, file));
    else await rm(join(this.folder(file.place ?? 'local', batch), file.spoolName), { force: true });
  }

  /** Deletes a batch wherever its files are. */
  async removeBatch(batch: string, files: SpooledFile[]): Promise<void> {
    await rm(this.folder('local', batch), { recursive: true, force: true });
    if (this.sharedBatches) await rm(this.folder('shared', batch), { recursive: true, force: true });
    const inRedis = files.filter((file) => file.place === 'redis').map((file) => this.redisKey(batch, file));
    if (inRedis.length > 0) await this.redis!.client.del(...inRedis);
  }

  /** Why these files of a batch cannot be read back as they were spooled, or null when they can. */
  async problemWith(batch: string, files: SpooledFile[]): Promise<string | null> {
    for (const file of files) {
      const size = await this.sizeOf(batch, file);
      if (size === null) {
        // With replicas, a file kept on one replica's own disk cannot be read by another.
        const where = this.redis && (file.place ?? 'local') === 'local' ? ' from this replica (it was kept on the disk of the replica that took the upload: set JOB_SPOOL_DIR to a folder every replica shares)' : '';
        return `the spooled copy of "${file.fileName}" is gone${where}`;
      }
      if (size !== file.sizeBytes) return `the spooled copy of "${file.fileName}" has ${size} bytes, not ${file.sizeBytes}`;
    }
    return null;
  }

  private async sizeOf(batch: string, file: SpooledFile): Promise<number | null> {
    if (file.place !== 'redis') return (await stat(join(this.folder(file.place ?? 'local', batch), file.spoolName)).catch(() => null))?.size ?? null;
    const key = this.redisKey(batch, file);
    const [exists, length] = await Promise.all([this.redis!.client.exists(key), this.redis!.client.strlen(key)]);
    return exists === 1 ? length : null;
  }

  /**
   * Removes batch folders on this server's disk that no unfinished job refers to (left behind
   * by a stop at a bad moment). Only when this process starts alone: another worker may have
   * just adopted a batch for a job it has not stored yet. The shared folder is left alone for
   * the same reason: another replica may be adopting into it right now.
   */
  async removeBatchesExcept(keep: ReadonlySet<string>): Promise<void> {
    if (!this.role.startsAlone) return;
    const folders = await readdir(this.batches).catch(() => [] as string[]);
    await Promise.all(folders.filter((folder) => !keep.has(folder)).map((folder) => rm(join(this.batches, folder), { recursive: true, force: true })));
  }
}
