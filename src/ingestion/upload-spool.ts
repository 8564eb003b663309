// Uploaded files live on disk under DATA_DIR/spool, never in memory as a batch. Multer
// writes each incoming file to spool/incoming; a synchronous upload reads the files one at a
// time and deletes them afterwards; a background job takes its files into a batch folder of
// its own (spool/batches/{id}) that stays until the job is final, so a restart can resume it.
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config.js';
import { SINGLE_PROCESS, type ProcessRole } from '../cluster/process-role.js';

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

/** A file kept in a job's batch folder. */
export interface SpooledFile {
  fileName: string;
  spoolName: string;
  sizeBytes: number;
}

@Injectable()
export class UploadSpool implements OnModuleInit {
  private readonly incoming: string;
  /** The folder that holds every worker's incoming folder (the incoming folder itself when alone). */
  private readonly allIncoming: string;
  private readonly batches: string;
  private readonly role: ProcessRole;

  constructor(config: AppConfig) {
    this.role = config.role;
    this.incoming = incomingSpoolDir(config.dataDir, config.role);
    this.allIncoming = incomingSpoolDir(config.dataDir);
    this.batches = join(config.dataDir, SPOOL_DIR, 'batches');
  }

  /** Files of requests that a stop cut off belong to no request any more. */
  async onModuleInit(): Promise<void> {
    // Alone on the data directory, every worker's leftovers can go; else only this worker's.
    const leftovers = this.role.startsAlone ? this.allIncoming : this.incoming;
    await rm(leftovers, { recursive: true, force: true });
    await mkdir(this.incoming, { recursive: true });
    await mkdir(this.batches, { recursive: true });
  }

  readReceived(file: ReceivedFile): Promise<Buffer> {
    return readFile(file.path);
  }

  /** Deletes received files; those a batch took are already gone, which is fine. */
  async discardReceived(files: ReceivedFile[]): Promise<void> {
    await Promise.all(files.map((file) => rm(file.path, { force: true })));
  }

  /** Moves received files into a new batch folder (a rename: no copy, same disk). */
  async adopt(files: ReceivedFile[]): Promise<{ batch: string; files: SpooledFile[] }> {
    const batch = randomUUID();
    const folder = join(this.batches, batch);
    await mkdir(folder, { recursive: true });
    const spooled: SpooledFile[] = [];
    for (const [index, file] of files.entries()) {
      const spoolName = String(index);
      await rename(file.path, join(folder, spoolName));
      spooled.push({ fileName: file.fileName, spoolName, sizeBytes: file.sizeBytes });
    }
    return { batch, files: spooled };
  }

  read(batch: string, file: SpooledFile): Promise<Buffer> {
    return readFile(join(this.batches, batch, file.spoolName));
  }

  async discard(batch: string, file: SpooledFile): Promise<void> {
    await rm(join(this.batches, batch, file.spoolName), { force: true });
  }

  async removeBatch(batch: string): Promise<void> {
    await rm(join(this.batches, batch), { recursive: true, force: true });
  }

  /** Why these files of a batch cannot be read back as they were spooled, or null when they can. */
  async problemWith(batch: string, files: SpooledFile[]): Promise<string | null> {
    for (const file of files) {
      const found = await stat(join(this.batches, batch, file.spoolName)).catch(() => null);
      if (!found) return `the spooled copy of "${file.fileName}" is gone`;
      if (found.size !== file.sizeBytes) return `the spooled copy of "${file.fileName}" has ${found.size} bytes, not ${file.sizeBytes}`;
    }
    return null;
  }

  /**
   * Removes batch folders no unfinished job refers to (left behind by a stop at a bad
   * moment). Only when this process starts alone: another worker may have just adopted a
   * batch for a job it has not stored yet.
   */
  async removeBatchesExcept(keep: ReadonlySet<string>): Promise<void> {
    if (!this.role.startsAlone) return;
    const folders = await readdir(this.batches).catch(() => [] as string[]);
    await Promise.all(folders.filter((folder) => !keep.has(folder)).map((folder) => this.removeBatch(folder)));
  }
}
