// One chunk as one Qdrant point: deterministic id, named vectors and the payload search
// filters on and answers with. Document fields that filters use (source, metadata) are
// copied onto each chunk because Qdrant filters cannot join; they are written with the
// chunk's version and so never disagree with it.
import type { ChunkRecord, DocumentWrite, StoredChunk } from '../vector-store.js';
import { chunkPointId } from './point-ids.js';
import { DENSE_VECTOR, SPARSE_VECTOR } from './qdrant-layout.js';
import type { QdrantPayload, QdrantPoint } from './qdrant-types.js';
import { documentSparseVector, type Bm25Parameters } from './sparse-bm25.js';

export interface ChunkPayload {
  collection: string;
  documentId: string;
  version: number;
  ordinal: number;
  text: string;
  headingPath: string[];
  page: number | null;
  start: number;
  end: number;
  tokenCount: number;
  contentHash: string;
  source: string;
  metadata: DocumentWrite['metadata'];
}

export function chunkPoint(document: DocumentWrite, documentId: string, version: number, chunk: ChunkRecord, bm25: Bm25Parameters): QdrantPoint {
  const payload: ChunkPayload = {
    collection: document.collection,
    documentId,
    version,
    ordinal: chunk.ordinal,
    text: chunk.text,
    headingPath: chunk.headingPath,
    page: chunk.page ?? null,
    start: chunk.start,
    end: chunk.end,
    tokenCount: chunk.tokenCount,
    contentHash: chunk.contentHash,
    source: document.source,
    metadata: document.metadata,
  };
  const vector: Record<string, number[] | { indices: number[]; values: number[] }> = {};
  const sparse = documentSparseVector({ title: document.title, headingPath: chunk.headingPath, text: chunk.text }, bm25);
  // A chunk with no analyzable term (empty, or only stop words) gets no sparse vector at all.
  if (sparse.indices.length > 0) vector[SPARSE_VECTOR] = sparse;
  if (chunk.embedding) vector[DENSE_VECTOR] = Array.from(chunk.embedding);
  return { id: chunkPointId(document.collection, documentId, version, chunk.ordinal), vector, payload: { ...payload } };
}

export function readChunkPayload(payload: QdrantPayload): ChunkPayload {
  return payload as unknown as ChunkPayload;
}

export function toStoredChunk(id: string | number, payload: ChunkPayload): StoredChunk {
  return {
    id: String(id),
    documentId: payload.documentId,
    ordinal: payload.ordinal,
    text: payload.text,
    headingPath: payload.headingPath,
    page: payload.page ?? null,
    start: payload.start,
    end: payload.end,
    tokenCount: payload.tokenCount,
    contentHash: payload.contentHash,
  };
}
