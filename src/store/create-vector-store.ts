// Picks the store adapter named by SIFT_STORE; the rest of Sift only sees the VectorStore port.
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { SqliteVectorStore } from './sqlite/sqlite-vector-store.js';
import type { VectorStore } from './vector-store.js';

export const SQLITE_FILE_NAME = 'sift.sqlite';

export function createVectorStore(config: AppConfig): VectorStore {
  switch (config.values.SIFT_STORE) {
    case 'sqlite':
      return new SqliteVectorStore(join(config.dataDir, SQLITE_FILE_NAME));
  }
}
