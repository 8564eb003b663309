// Names for the parts of Qdrant's REST schema this adapter speaks, taken from the client's
// generated OpenAPI types so that a field the server does not know fails to compile.
import type { Schemas } from '@qdrant/js-client-rest';

export type QdrantFilter = Schemas['Filter'];
export type QdrantCondition = Schemas['Condition'];
export type QdrantPoint = Schemas['PointStruct'];
export type QdrantPayload = Record<string, unknown>;
export type QdrantPointId = Schemas['ExtendedPointId'];
export type QdrantQueryRequest = Schemas['QueryRequest'];
export type QdrantPrefetch = Schemas['Prefetch'];
export type QdrantCreateCollection = Schemas['CreateCollection'];
export type QdrantPayloadSchema = Schemas['PayloadFieldSchema'];

/** The scroll cursor Qdrant hands back: a point id, or nothing when the scroll is done. */
export function nextOffset(next: unknown): string | number | undefined {
  return typeof next === 'string' || typeof next === 'number' ? next : undefined;
}
