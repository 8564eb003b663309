// A Qdrant store for one test: its own collection prefix, so tests sharing a Qdrant server
// never see each other's data, and a cleanup that drops every Qdrant collection it made.
import { randomUUID } from 'node:crypto';
import { QdrantClient } from '@qdrant/js-client-rest';
import { QdrantVectorStore } from '../../src/store/qdrant/qdrant-vector-store.js';
import type { ConformanceSubject } from '../conformance/vector-store-conformance.js';

export function makeQdrantSubject(url: string, apiKey?: string): ConformanceSubject & { store: QdrantVectorStore; prefix: string; cleanup: () => Promise<void> } {
  const prefix = `sift_test_${randomUUID().slice(0, 8)}_`;
  const store = new QdrantVectorStore({ url, ...(apiKey ? { apiKey } : {}), layout: { collectionPrefix: prefix } });
  return {
    store,
    prefix,
    async cleanup() {
      const client = new QdrantClient({ url, ...(apiKey ? { apiKey } : {}), checkCompatibility: false });
      const { collections } = await client.getCollections();
      for (const { name } of collections) if (name.startsWith(prefix)) await client.deleteCollection(name);
    },
  };
}
