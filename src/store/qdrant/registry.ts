// Sift's own bookkeeping kept in Qdrant, so that app replicas hold no state: one payload-only
// point per Sift collection (its embedding model and dimension) and one per document (source,
// metadata, chunk count and, above all, the version whose chunks are current). Flipping a
// document's version is one point upsert, which Qdrant applies atomically.
import type { CollectionInfo, DocumentMetadata, StoredDocument } from '../vector-store.js';
import { allOf, matchValue } from './qdrant-filter.js';
import type { QdrantConnection } from './qdrant-connection.js';
import type { QdrantLayout } from './qdrant-layout.js';
import { nextOffset, type QdrantFilter, type QdrantPayload } from './qdrant-types.js';
import { collectionRecordId, documentRecordId } from './point-ids.js';

export interface CollectionRecord {
  name: string;
  createdAt: string;
  embeddingModel: string | null;
  embeddingDimension: number | null;
}

const SCROLL_PAGE = 1000;

function toCollectionRecord(payload: QdrantPayload): CollectionRecord {
  return {
    name: payload['name'] as string,
    createdAt: payload['createdAt'] as string,
    embeddingModel: (payload['embeddingModel'] as string | null | undefined) ?? null,
    embeddingDimension: (payload['embeddingDimension'] as number | null | undefined) ?? null,
  };
}

function toStoredDocument(payload: QdrantPayload): StoredDocument {
  return {
    id: payload['id'] as string,
    collection: payload['collection'] as string,
    source: payload['source'] as string,
    title: (payload['title'] as string | null | undefined) ?? null,
    format: payload['format'] as string,
    contentHash: payload['contentHash'] as string,
    sizeBytes: payload['sizeBytes'] as number,
    metadata: (payload['metadata'] as DocumentMetadata | undefined) ?? {},
    chunkCount: payload['chunkCount'] as number,
    version: payload['version'] as number,
    createdAt: payload['createdAt'] as string,
    updatedAt: payload['updatedAt'] as string,
  };
}

export class Registry {
  constructor(
    private readonly connection: QdrantConnection,
    private readonly layout: QdrantLayout,
  ) {}

  private get name(): string {
    return this.layout.registry;
  }

  async getCollection(name: string): Promise<CollectionRecord | null> {
    const [point] = await this.connection.call('read a collection record', (client) =>
      client.retrieve(this.name, { ids: [collectionRecordId(name)], with_payload: true, with_vector: false }),
    );
    return point?.payload ? toCollectionRecord(point.payload) : null;
  }

  async listCollections(): Promise<CollectionRecord[]> {
    const payloads = await this.scrollAll(allOf(matchValue('kind', 'collection')));
    return payloads.map(toCollectionRecord).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async putCollection(record: CollectionRecord): Promise<void> {
    await this.connection.call('write a collection record', (client) =>
      client.upsert(this.name, {
        wait: true,
        points: [{ id: collectionRecordId(record.name), vector: {}, payload: { kind: 'collection', ...record } }],
      }),
    );
  }

  async deleteCollection(name: string): Promise<void> {
    await this.connection.call('delete a collection record', (client) =>
      client.delete(this.name, { wait: true, points: [collectionRecordId(name)] }),
    );
    await this.connection.call('delete the document records of a collection', (client) =>
      client.delete(this.name, { wait: true, filter: allOf(matchValue('kind', 'document'), matchValue('collection', name)) }),
    );
  }

  async countDocuments(collection: string): Promise<number> {
    const { count } = await this.connection.call('count documents', (client) =>
      client.count(this.name, { filter: allOf(matchValue('kind', 'document'), matchValue('collection', collection)), exact: true }),
    );
    return count;
  }

  async getDocument(collection: string, id: string): Promise<StoredDocument | null> {
    return (await this.getDocuments(collection, [id])).get(id) ?? null;
  }

  /** Current records of several documents of one collection, by id; absent ids are missing from the map. */
  async getDocuments(collection: string, ids: string[]): Promise<Map<string, StoredDocument>> {
    const found = new Map<string, StoredDocument>();
    if (ids.length === 0) return found;
    const points = await this.connection.call('read document records', (client) =>
      client.retrieve(this.name, { ids: ids.map((id) => documentRecordId(collection, id)), with_payload: true, with_vector: false }),
    );
    for (const point of points) {
      if (!point.payload) continue;
      const document = toStoredDocument(point.payload);
      found.set(document.id, document);
    }
    return found;
  }

  async findDocumentBySource(collection: string, source: string): Promise<StoredDocument | null> {
    const { points } = await this.connection.call('find a document by source', (client) =>
      client.scroll(this.name, {
        filter: allOf(matchValue('kind', 'document'), matchValue('collection', collection), matchValue('source', source)),
        limit: 1,
        with_payload: true,
        with_vector: false,
      }),
    );
    return points[0]?.payload ? toStoredDocument(points[0].payload) : null;
  }

  /** Every document of a collection, ordered by source. Qdrant orders scrolls by id or by numeric fields only, so the order is made here. */
  async listDocuments(collection: string): Promise<StoredDocument[]> {
    const payloads = await this.scrollAll(allOf(matchValue('kind', 'document'), matchValue('collection', collection)));
    return payloads.map(toStoredDocument).sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  }

  /** Makes `document.version` the current one: a single point upsert, so readers see the old version or the new one. */
  async putDocument(document: StoredDocument): Promise<void> {
    await this.connection.call('write a document record', (client) =>
      client.upsert(this.name, {
        wait: true,
        points: [{ id: documentRecordId(document.collection, document.id), vector: {}, payload: { kind: 'document', ...document } }],
      }),
    );
  }

  async deleteDocument(collection: string, id: string): Promise<void> {
    await this.connection.call('delete a document record', (client) =>
      client.delete(this.name, { wait: true, points: [documentRecordId(collection, id)] }),
    );
  }

  toCollectionInfo(record: CollectionRecord, counts: { documents: number; chunks: number }): CollectionInfo {
    return {
      name: record.name,
      documentCount: counts.documents,
      chunkCount: counts.chunks,
      createdAt: record.createdAt,
      embeddingModel: record.embeddingModel,
      embeddingDimension: record.embeddingDimension,
    };
  }

  private async scrollAll(filter: QdrantFilter): Promise<QdrantPayload[]> {
    const payloads: QdrantPayload[] = [];
    let offset: string | number | undefined;
    do {
      const page = await this.connection.call('list registry records', (client) =>
        client.scroll(this.name, { filter, limit: SCROLL_PAGE, with_payload: true, with_vector: false, ...(offset === undefined ? {} : { offset }) }),
      );
      for (const point of page.points) if (point.payload) payloads.push(point.payload);
      offset = nextOffset(page.next_page_offset);
    } while (offset !== undefined);
    return payloads;
  }
}
