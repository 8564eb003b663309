// The Qdrant store: chunks as points with a dense and a sparse (BM25) vector, Sift
// collections as a tenant key, and documents' bookkeeping in a registry collection, so that
// any number of stateless app replicas can share one Qdrant cluster (see qdrant-layout.ts).
//
// Replacing a document never shows a mix of versions. A write (1) upserts the new version's
// points under new ids, (2) flips the document's registry record to the new version (one
// point, atomic), (3) deletes the older versions' points. Search keeps only hits whose
// version is the one the registry calls current, so between (1) and (3), or after a crash
// left stale points behind, readers see exactly one version; a crash before (2) leaves the
// old version in place and the new points invisible until the next write removes them.
import { ErrorCode, SiftError } from '../../common/errors.js';
import type {
  CollectionInfo,
  DocumentMetadata,
  DocumentOrder,
  DocumentWrite,
  HybridSearchOptions,
  Page,
  ScoredChunk,
  SearchOptions,
  StoredChunk,
  StoredDocument,
  VectorStore,
  WriteOutcome,
} from '../vector-store.js';
import { sortDocuments } from '../document-order.js';
import { chunkPoint, readChunkPayload, toStoredChunk } from './chunk-points.js';
import { isNotFound, QdrantConnection, type QdrantConnectionOptions } from './qdrant-connection.js';
import { allOf, matchValue, metadataConditions, metadataPath } from './qdrant-filter.js';
import { DEFAULT_LAYOUT, DENSE_VECTOR, QdrantLayout, SPARSE_VECTOR, type PayloadIndex, type QdrantLayoutOptions } from './qdrant-layout.js';
import { nextOffset, type QdrantCondition, type QdrantCreateCollection, type QdrantFilter, type QdrantPoint, type QdrantQueryRequest } from './qdrant-types.js';
import { qdrantFusion } from './qdrant-rrf.js';
import { Registry, type CollectionRecord } from './registry.js';
import { DEFAULT_BM25, querySparseVector, type Bm25Parameters } from './sparse-bm25.js';

export interface QdrantVectorStoreOptions extends QdrantConnectionOptions {
  layout?: Partial<QdrantLayoutOptions>;
  bm25?: Bm25Parameters;
}

// Points per upsert request: large enough to amortise the round trip, small enough for a 32 MB request limit with 3072-d vectors.
const UPSERT_BATCH = 256;
const SCROLL_PAGE = 512;
// Search asks for more than it returns so that stale points (a replacement in flight) do not leave a page short.
const MAX_SEARCH_ATTEMPTS = 4;
// Payload indexes for metadata keys are created as keys appear; past this many per chunk
// collection, further keys are still filterable, only without an index.
const MAX_METADATA_INDEXES = 64;

interface RawHit {
  id: string | number;
  score: number;
  payload?: Record<string, unknown> | null;
}

function embeddingDimension(document: DocumentWrite): number | null {
  let dimension: number | null = null;
  for (const chunk of document.chunks) {
    if (!chunk.embedding) continue;
    if (dimension === null) dimension = chunk.embedding.length;
    else if (chunk.embedding.length !== dimension) {
      throw new SiftError(
        ErrorCode.EmbeddingMismatch,
        `Chunk ${chunk.ordinal} has a ${chunk.embedding.length}-dimensional vector; the document's other chunks have ${dimension} dimensions.`,
      );
    }
  }
  return dimension;
}

function metadataIndexSchema(value: DocumentMetadata[string]): PayloadIndex['schema'] {
  if (typeof value === 'string') return 'keyword';
  if (typeof value === 'boolean') return 'bool';
  return Number.isInteger(value) ? 'integer' : 'float';
}

export class QdrantVectorStore implements VectorStore {
  private readonly connection: QdrantConnection;
  private readonly layout: QdrantLayout;
  private readonly registry: Registry;
  private readonly bm25: Bm25Parameters;
  /** Qdrant collections this process has made sure of, by name. */
  private readonly ensured = new Map<string, Promise<void>>();
  private readonly metadataIndexes = new Map<string, Set<string>>();

  constructor(options: QdrantVectorStoreOptions) {
    this.connection = new QdrantConnection(options);
    this.layout = new QdrantLayout({ ...DEFAULT_LAYOUT, ...options.layout });
    this.registry = new Registry(this.connection, this.layout);
    this.bm25 = options.bm25 ?? DEFAULT_BM25;
    this.connection.onMissingCollection = (name) => {
      this.ensured.delete(name);
      this.metadataIndexes.delete(name);
    };
  }

  async checkHealth(): Promise<void> {
    await this.connection.call('list collections', (client) => client.getCollections());
  }

  async close(): Promise<void> {
    // The REST client holds no resource that needs closing; idle keep-alive sockets time out on their own.
  }

  async listCollections(): Promise<CollectionInfo[]> {
    await this.ensureRegistry();
    const records = await this.registry.listCollections();
    return Promise.all(records.map((record) => this.collectionInfo(record)));
  }

  async getCollection(name: string): Promise<CollectionInfo | null> {
    await this.ensureRegistry();
    const record = await this.registry.getCollection(name);
    return record ? this.collectionInfo(record) : null;
  }

  async deleteCollection(name: string): Promise<boolean> {
    await this.ensureRegistry();
    const record = await this.registry.getCollection(name);
    if (!record) return false;
    // Registry first: once the collection record is gone, nothing reads its chunks any more.
    await this.registry.deleteCollection(name);
    const spaces = new Set([this.layout.chunkSpace(record.embeddingDimension), this.layout.chunkSpace(null)]);
    for (const space of spaces) await this.deletePoints(space, allOf(matchValue('collection', name)), { missingIsFine: true });
    return true;
  }

  async findDocumentBySource(collection: string, source: string): Promise<StoredDocument | null> {
    await this.ensureRegistry();
    return this.registry.findDocumentBySource(collection, source);
  }

  /** Qdrant has no multi-point transactions: documents are written one after another. */
  async putDocuments(documents: DocumentWrite[]): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (const document of documents) outcomes.push(await this.putDocument(document));
    return outcomes;
  }

  async putDocument(document: DocumentWrite): Promise<WriteOutcome> {
    // Everything that can be refused is checked before anything is written.
    const dimension = embeddingDimension(document);
    const model = dimension === null ? null : (document.embeddingModel ?? 'unknown');
    await this.ensureRegistry();
    let record = await this.registry.getCollection(document.collection);
    if (record && dimension !== null && record.embeddingDimension !== null) {
      if (record.embeddingDimension !== dimension || record.embeddingModel !== model) {
        throw new SiftError(
          ErrorCode.EmbeddingMismatch,
          `Collection "${record.name}" was indexed with ${record.embeddingModel} (${record.embeddingDimension} dimensions), not ${model} (${dimension}). Delete and re-ingest the collection to switch models.`,
        );
      }
    }
    if (record && dimension !== null && record.embeddingDimension === null) {
      record = await this.adoptEmbeddings(record, model!, dimension);
    }
    const now = new Date().toISOString();
    const collection: CollectionRecord = record ?? { name: document.collection, createdAt: now, embeddingModel: model, embeddingDimension: dimension };
    const space = await this.ensureChunkSpace(collection.embeddingDimension);
    await this.indexMetadataKeys(space, document.metadata);

    const existing = await this.registry.findDocumentBySource(document.collection, document.source);
    const documentId = existing?.id ?? document.id;
    const version = (existing?.version ?? 0) + 1;
    const points = document.chunks.map((chunk) => chunkPoint(document, documentId, version, chunk, this.bm25));
    const thisVersion = this.versionFilter(document.collection, documentId, { eq: version });
    // An earlier attempt at this same version that failed or crashed before its flip may have
    // left points; they must not mix with this attempt's once the version becomes current.
    await this.deletePoints(space, thisVersion);
    try {
      await this.upsertPoints(space, points);
    } catch (error) {
      // Not current, so invisible to search; removing them now is tidiness (the next write does it anyway).
      await this.deletePoints(space, thisVersion).catch(() => undefined);
      throw error;
    }
    if (!record) await this.registry.putCollection(collection);
    // The flip. No clean-up if it fails: a timed-out flip may still have been applied, and
    // then these points are the current version.
    await this.registry.putDocument({
      id: documentId,
      collection: document.collection,
      source: document.source,
      title: document.title,
      format: document.format,
      contentHash: document.contentHash,
      sizeBytes: document.sizeBytes,
      metadata: document.metadata,
      chunkCount: document.chunks.length,
      version,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    });
    // Older versions only: a newer write racing this one keeps its points.
    await this.deletePoints(space, this.versionFilter(document.collection, documentId, { lt: version }));
    return existing ? 'updated' : 'created';
  }

  async listDocuments(collection: string, page: Page & DocumentOrder): Promise<{ documents: StoredDocument[]; total: number }> {
    await this.ensureRegistry();
    const documents = sortDocuments(await this.registry.listDocuments(collection), page);
    return { documents: documents.slice(page.offset, page.offset + page.limit), total: documents.length };
  }

  async getDocument(collection: string, id: string): Promise<StoredDocument | null> {
    await this.ensureRegistry();
    return this.registry.getDocument(collection, id);
  }

  async getChunks(collection: string, documentId: string): Promise<StoredChunk[]> {
    await this.ensureRegistry();
    const [record, document] = await Promise.all([this.registry.getCollection(collection), this.registry.getDocument(collection, documentId)]);
    if (!record || !document) return [];
    const space = await this.ensureChunkSpace(record.embeddingDimension);
    const chunks: StoredChunk[] = [];
    let offset: string | number | undefined;
    do {
      const page = await this.connection.call('read the chunks of a document', (client) =>
        client.scroll(space, {
          filter: this.versionFilter(collection, documentId, { eq: document.version }),
          limit: SCROLL_PAGE,
          with_payload: true,
          with_vector: false,
          ...(offset === undefined ? {} : { offset }),
        }),
      );
      for (const point of page.points) if (point.payload) chunks.push(toStoredChunk(point.id, readChunkPayload(point.payload)));
      offset = nextOffset(page.next_page_offset);
    } while (offset !== undefined);
    return chunks.sort((a, b) => a.ordinal - b.ordinal);
  }

  async deleteDocument(collection: string, id: string): Promise<boolean> {
    await this.ensureRegistry();
    const [record, document] = await Promise.all([this.registry.getCollection(collection), this.registry.getDocument(collection, id)]);
    if (!document) return false;
    await this.registry.deleteDocument(collection, id);
    if (record) {
      const filter = allOf(matchValue('collection', collection), matchValue('documentId', id));
      await this.deletePoints(this.layout.chunkSpace(record.embeddingDimension), filter, { missingIsFine: true });
    }
    return true;
  }

  async searchLexical(collection: string, query: string, options: SearchOptions): Promise<ScoredChunk[]> {
    const sparse = querySparseVector(query);
    if (sparse.indices.length === 0) return [];
    const target = await this.searchTarget(collection);
    if (!target) return [];
    const filter = this.searchFilter(collection, options);
    const params = this.idfCorpus(collection);
    return this.searchVisible(collection, target.space, options.limit, (limit) => ({ query: sparse, using: SPARSE_VECTOR, filter, limit, params }));
  }

  async searchDense(collection: string, vector: Float32Array, options: SearchOptions): Promise<ScoredChunk[]> {
    const target = await this.searchTarget(collection);
    if (!target?.record.embeddingDimension) return [];
    this.assertQueryDimension(target.record, vector);
    const filter = this.searchFilter(collection, options);
    const dense = Array.from(vector);
    return this.searchVisible(collection, target.space, options.limit, (limit) => ({ query: dense, using: DENSE_VECTOR, filter, limit }));
  }

  /**
   * One Query API call: BM25 and dense prefetches fused by Qdrant's RRF (see qdrant-rrf.ts for
   * how Sift's RRF settings map onto Qdrant's). Each prefetch is cut at `limit`, as Sift cuts
   * each list before fusing in process, so the fused ranking is the same one.
   */
  async searchHybrid(collection: string, query: string, vector: Float32Array, options: HybridSearchOptions): Promise<ScoredChunk[]> {
    const target = await this.searchTarget(collection);
    if (!target) return [];
    // A collection without vectors, or a query without terms, leaves one ranking: nothing to fuse.
    if (!target.record.embeddingDimension) return this.searchLexical(collection, query, options);
    this.assertQueryDimension(target.record, vector);
    const sparse = querySparseVector(query);
    if (sparse.indices.length === 0) return this.searchDense(collection, vector, options);
    const filter = this.searchFilter(collection, options);
    const dense = Array.from(vector);
    const fusion = qdrantFusion(options);
    const hits = await this.searchVisible(collection, target.space, options.limit, (fetch) => {
      // Stale points (a replacement in flight) take places in the prefetches too: deepen them by what the last attempt lost.
      const depth = options.limit + (fetch - this.firstFetch(options.limit));
      return {
        prefetch: [
          { query: sparse, using: SPARSE_VECTOR, filter, limit: depth, params: this.idfCorpus(collection) },
          { query: dense, using: DENSE_VECTOR, filter, limit: depth },
        ],
        query: fusion.query,
        limit: fetch,
      };
    });
    return fusion.scale === 1 ? hits : hits.map((hit) => ({ ...hit, score: hit.score * fusion.scale }));
  }

  // --- internals -------------------------------------------------------------------------

  private async collectionInfo(record: CollectionRecord): Promise<CollectionInfo> {
    const [documents, chunks] = await Promise.all([this.registry.countDocuments(record.name), this.countChunks(record)]);
    return this.registry.toCollectionInfo(record, { documents, chunks });
  }

  /**
   * Chunk points of the collection; exact except while a replacement is in flight (both
   * versions counted). The chunk space exists whenever the record does, so a 404 here means
   * it was deleted outside Sift, and that is reported, not counted as zero.
   */
  private async countChunks(record: CollectionRecord): Promise<number> {
    const space = await this.ensureChunkSpace(record.embeddingDimension);
    const { count } = await this.connection.call('count chunks', (client) => client.count(space, { filter: allOf(matchValue('collection', record.name)), exact: true }));
    return count;
  }

  private async searchTarget(collection: string): Promise<{ record: CollectionRecord; space: string } | null> {
    await this.ensureRegistry();
    const record = await this.registry.getCollection(collection);
    if (!record) return null;
    return { record, space: await this.ensureChunkSpace(record.embeddingDimension) };
  }

  private assertQueryDimension(record: CollectionRecord, vector: Float32Array): void {
    if (vector.length !== record.embeddingDimension) {
      throw new SiftError(
        ErrorCode.EmbeddingMismatch,
        `Collection "${record.name}" holds ${record.embeddingDimension}-dimensional vectors from ${record.embeddingModel}; the query vector has ${vector.length}. Query with the same embedding model, or re-index the collection.`,
      );
    }
  }

  /** How many hits the first search attempt asks for: room for some stale points. */
  private firstFetch(limit: number): number {
    return limit + Math.max(limit, 10);
  }

  /**
   * BM25's idf over this Sift collection's chunks only (Qdrant 1.19's IDF corpus), as the
   * embedded store computes it per collection, rather than over every tenant sharing the
   * Qdrant collection.
   */
  private idfCorpus(collection: string): { idf: { corpus: QdrantFilter } } {
    return { idf: { corpus: allOf(matchValue('collection', collection)) } };
  }

  private searchFilter(collection: string, options: SearchOptions): QdrantFilter {
    return allOf(matchValue('collection', collection), ...metadataConditions(options.filter));
  }

  private versionFilter(collection: string, documentId: string, version: { eq: number } | { lt: number }): QdrantFilter {
    const condition: QdrantCondition = 'eq' in version ? matchValue('version', version.eq) : { key: 'version', range: { lt: version.lt } };
    return allOf(matchValue('collection', collection), matchValue('documentId', documentId), condition);
  }

  /**
   * Runs a query and keeps the hits of current document versions, asking for more when
   * stale hits made the page short.
   */
  private async searchVisible(collection: string, space: string, limit: number, request: (limit: number) => QdrantQueryRequest): Promise<ScoredChunk[]> {
    let fetch = this.firstFetch(limit);
    for (let attempt = 1; ; attempt += 1) {
      const { points } = await this.connection.call('search', (client) =>
        client.query(space, { ...request(fetch), with_payload: true, with_vector: false }),
      );
      const visible = await this.visibleHits(collection, points);
      if (visible.length >= limit || points.length < fetch || attempt === MAX_SEARCH_ATTEMPTS) return visible.slice(0, limit);
      fetch *= 4;
    }
  }

  private async visibleHits(collection: string, hits: RawHit[]): Promise<ScoredChunk[]> {
    const payloads = hits.map((hit) => (hit.payload ? readChunkPayload(hit.payload) : null));
    const documentIds = [...new Set(payloads.flatMap((payload) => (payload ? [payload.documentId] : [])))];
    const documents = await this.registry.getDocuments(collection, documentIds);
    const visible: ScoredChunk[] = [];
    hits.forEach((hit, index) => {
      const payload = payloads[index];
      const document = payload ? documents.get(payload.documentId) : undefined;
      if (!payload || !document || document.version !== payload.version) return;
      visible.push({
        chunk: toStoredChunk(hit.id, payload),
        document: { id: document.id, source: document.source, title: document.title, metadata: document.metadata, version: document.version },
        score: hit.score,
      });
    });
    return visible;
  }

  /**
   * A collection that had no embeddings gets its first one: its chunks move from the lexical
   * space to the space of that dimension (sparse vectors only; they keep serving BM25), the
   * collection record flips, then the lexical copies go. Search reads whichever space the
   * record names, so it finds every chunk throughout.
   */
  private async adoptEmbeddings(record: CollectionRecord, model: string, dimension: number): Promise<CollectionRecord> {
    const from = this.layout.chunkSpace(null);
    const to = await this.ensureChunkSpace(dimension);
    const filter = allOf(matchValue('collection', record.name));
    let offset: string | number | undefined;
    do {
      const page = await this.connection.call('read chunks to move', (client) =>
        client.scroll(from, { filter, limit: SCROLL_PAGE, with_payload: true, with_vector: [SPARSE_VECTOR], ...(offset === undefined ? {} : { offset }) }),
      );
      const moved: QdrantPoint[] = page.points.map((point) => {
        const vectors = (point.vector ?? {}) as Record<string, unknown>;
        const sparse = vectors[SPARSE_VECTOR] as { indices: number[]; values: number[] } | undefined;
        return { id: point.id, vector: sparse ? { [SPARSE_VECTOR]: sparse } : {}, payload: point.payload ?? {} };
      });
      await this.upsertPoints(to, moved);
      offset = nextOffset(page.next_page_offset);
    } while (offset !== undefined);
    const adopted: CollectionRecord = { ...record, embeddingModel: model, embeddingDimension: dimension };
    await this.registry.putCollection(adopted);
    await this.deletePoints(from, filter, { missingIsFine: true });
    return adopted;
  }

  private async upsertPoints(space: string, points: QdrantPoint[]): Promise<void> {
    for (let start = 0; start < points.length; start += UPSERT_BATCH) {
      const batch = points.slice(start, start + UPSERT_BATCH);
      await this.connection.call('write chunks', (client) => client.upsert(space, { wait: true, points: batch }));
    }
  }

  private async deletePoints(space: string, filter: QdrantFilter, options: { missingIsFine?: boolean } = {}): Promise<void> {
    try {
      await this.connection.call('delete chunks', (client) => client.delete(space, { wait: true, filter }));
    } catch (error) {
      if (!(options.missingIsFine && isNotFound(error))) throw error;
    }
  }

  private ensureRegistry(): Promise<void> {
    return this.ensure(this.layout.registry, this.layout.registryDefinition(), this.layout.registryIndexes());
  }

  private async ensureChunkSpace(dimension: number | null): Promise<string> {
    const space = this.layout.chunkSpace(dimension);
    await this.ensure(space, this.layout.chunkSpaceDefinition(dimension), this.layout.chunkIndexes());
    return space;
  }

  /** Creates a Qdrant collection and its payload indexes once per process; concurrent replicas may race, which is harmless. */
  private ensure(name: string, definition: QdrantCreateCollection, indexes: PayloadIndex[]): Promise<void> {
    let pending = this.ensured.get(name);
    if (!pending) {
      pending = this.create(name, definition, indexes);
      this.ensured.set(name, pending);
      pending.catch(() => this.ensured.delete(name));
    }
    return pending;
  }

  private async create(name: string, definition: QdrantCreateCollection, indexes: PayloadIndex[]): Promise<void> {
    const exists = async () => (await this.connection.call('check a collection', (client) => client.collectionExists(name))).exists;
    if (!(await exists())) {
      try {
        await this.connection.call('create a collection', (client) => client.createCollection(name, definition));
      } catch (error) {
        // Another replica created it between the check and the create.
        if (!(await exists())) throw error;
      }
    }
    for (const index of indexes) {
      await this.connection.call('create a payload index', (client) =>
        client.createPayloadIndex(name, { wait: true, field_name: index.field, field_schema: index.schema }),
      );
    }
  }

  /** Payload indexes for the metadata keys filters may use, typed from the first value seen. */
  private async indexMetadataKeys(space: string, metadata: DocumentMetadata): Promise<void> {
    let known = this.metadataIndexes.get(space);
    if (!known) this.metadataIndexes.set(space, (known = new Set()));
    for (const [key, value] of Object.entries(metadata)) {
      if (known.has(key) || known.size >= MAX_METADATA_INDEXES || !/^[A-Za-z0-9_.-]{1,64}$/.test(key)) continue;
      known.add(key);
      await this.connection.call('create a metadata index', (client) =>
        client.createPayloadIndex(space, { wait: true, field_name: metadataPath(key), field_schema: metadataIndexSchema(value) }),
      );
    }
  }
}
