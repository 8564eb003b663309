// Picks the store adapter named by SIFT_STORE; the rest of Sift only sees the VectorStore port.
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { QdrantVectorStore } from './qdrant/qdrant-vector-store.js';
import { SqliteVectorStore } from './sqlite/sqlite-vector-store.js';
import type { VectorStore } from './vector-store.js';

export const SQLITE_FILE_NAME = 'sift.sqlite';

export function createVectorStore(config: AppConfig): VectorStore {
  const values = config.values;
  switch (values.SIFT_STORE) {
    case 'sqlite':
      return new SqliteVectorStore(join(config.dataDir, SQLITE_FILE_NAME), {
        inMemoryIndex: values.SQLITE_LEXICAL_INDEX === 'memory',
        indexBuild: values.SQLITE_INDEX_BUILD,
        dense: { quantization: values.SQLITE_DENSE_QUANTIZATION, oversampling: values.SQLITE_DENSE_OVERSAMPLING },
      });
    case 'qdrant':
      return new QdrantVectorStore({
        url: values.QDRANT_URL,
        ...(values.QDRANT_API_KEY ? { apiKey: values.QDRANT_API_KEY } : {}),
        timeoutMs: values.QDRANT_TIMEOUT_MS,
        layout: {
          collectionPrefix: values.QDRANT_COLLECTION_PREFIX,
          shardNumber: values.QDRANT_SHARDS,
          replicationFactor: values.QDRANT_REPLICATION_FACTOR,
          quantization: values.QDRANT_QUANTIZATION,
          onDiskPayload: values.QDRANT_ON_DISK_PAYLOAD,
        },
      });
  }
}
