// A document is identified by collection + source name, so its id is derived from them:
// the same file gets the same id on every upload and in every store (Qdrant needs UUIDs).
import { createHash } from 'node:crypto';
import type { ChunkingOptions } from './document-types.js';
import type { DocumentMetadata } from '../store/vector-store.js';

function sha256(...parts: Array<string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

export function documentIdFor(collection: string, source: string): string {
  const hex = sha256('sift-document', collection, source);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// Bump when parsing or chunking changes what a file turns into, so re-uploads re-index.
const PIPELINE_VERSION = '1';

/**
 * What decides whether a re-upload is `unchanged`: the bytes, the metadata given with them,
 * the chunking settings and the embedding model. Any of them changing means the stored
 * chunks are stale.
 */
export function documentFingerprint(
  bytes: Uint8Array,
  metadata: DocumentMetadata,
  chunking: ChunkingOptions,
  title: string | null = null,
  embeddingModel: string | null = null,
): string {
  const sortedMetadata = JSON.stringify(Object.fromEntries(Object.entries(metadata).sort(([a], [b]) => a.localeCompare(b))));
  return sha256(PIPELINE_VERSION, `${chunking.chunkTokens}/${chunking.overlapTokens}`, embeddingModel ?? 'no-embeddings', sortedMetadata, title ?? '', bytes);
}
