// Deterministic point ids. Qdrant accepts only unsigned integers and UUIDs as point ids, so
// every Sift key (a collection name, a document, one version of one chunk) is hashed into a
// name-based UUID (RFC 9562 version 5 layout over SHA-1). The same key gives the same id on
// every replica, which makes retried writes idempotent and lets any replica address a point
// without asking Qdrant first.
import { createHash } from 'node:crypto';

// Fixed namespace so that Sift's ids never collide with v5 ids made from the same names elsewhere.
const SIFT_NAMESPACE = Buffer.from('6d3f0c2e9b1a4e57a2c1f0d4b8e93a61', 'hex');

export function nameBasedUuid(...parts: Array<string | number>): string {
  const hash = createHash('sha1').update(SIFT_NAMESPACE);
  // A separator that cannot occur inside the parts keeps ("ab","c") apart from ("a","bc").
  for (const part of parts) hash.update(String(part)).update('\u0000');
  const bytes = hash.digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const collectionRecordId = (collection: string): string => nameBasedUuid('collection', collection);

export const documentRecordId = (collection: string, documentId: string): string => nameBasedUuid('document', collection, documentId);

/** One point per chunk *per version*: a new version never overwrites the one search may still be reading. */
export const chunkPointId = (collection: string, documentId: string, version: number, ordinal: number): string =>
  nameBasedUuid('chunk', collection, documentId, version, ordinal);
