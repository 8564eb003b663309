// How Sift's data is laid out in Qdrant, and how those Qdrant collections are created.
//
// Sift collections are a tenant key, not Qdrant collections: Qdrant's own advice for many
// small tenants is one collection with a tenant payload index, which keeps the number of
// Qdrant collections (each with its own segments, WAL and HNSW graphs) fixed however many
// Sift collections there are. Vectors of different sizes cannot share a named vector, so
// there is one chunk collection per embedding dimension, and one for collections that have
// no embeddings yet:
//   <prefix>registry          payload-only points: one per Sift collection, one per document
//   <prefix>chunks_lexical    chunks with only the sparse BM25 vector
//   <prefix>chunks_dense_<n>  chunks with an n-dimensional dense vector and the sparse vector
import type { QdrantCreateCollection, QdrantPayloadSchema } from './qdrant-types.js';

export const DENSE_VECTOR = 'dense';
export const SPARSE_VECTOR = 'bm25';

export type Quantization = 'none' | 'scalar' | 'binary';

export interface QdrantLayoutOptions {
  /** Prepended to every Qdrant collection Sift creates, so several deployments can share a cluster. */
  collectionPrefix: string;
  shardNumber: number;
  replicationFactor: number;
  /** Keeps payloads (chunk text) on disk and out of RAM. */
  onDiskPayload: boolean;
  quantization: Quantization;
}

export const DEFAULT_LAYOUT: QdrantLayoutOptions = {
  collectionPrefix: 'sift_',
  shardNumber: 1,
  replicationFactor: 1,
  onDiskPayload: true,
  quantization: 'none',
};

export interface PayloadIndex {
  field: string;
  schema: QdrantPayloadSchema;
}

export class QdrantLayout {
  constructor(readonly options: QdrantLayoutOptions = DEFAULT_LAYOUT) {}

  get registry(): string {
    return `${this.options.collectionPrefix}registry`;
  }

  /** The Qdrant collection holding the chunks of a Sift collection with this embedding dimension. */
  chunkSpace(dimension: number | null): string {
    return dimension === null ? `${this.options.collectionPrefix}chunks_lexical` : `${this.options.collectionPrefix}chunks_dense_${dimension}`;
  }

  registryDefinition(): QdrantCreateCollection {
    return {
      vectors: {},
      shard_number: this.options.shardNumber,
      replication_factor: this.options.replicationFactor,
    };
  }

  registryIndexes(): PayloadIndex[] {
    return [
      { field: 'kind', schema: 'keyword' },
      { field: 'collection', schema: 'keyword' },
      { field: 'source', schema: 'keyword' },
    ];
  }

  chunkSpaceDefinition(dimension: number | null): QdrantCreateCollection {
    const { shardNumber, replicationFactor, onDiskPayload, quantization } = this.options;
    const definition: QdrantCreateCollection = {
      vectors: dimension === null ? {} : { [DENSE_VECTOR]: { size: dimension, distance: 'Cosine' } },
      // Qdrant's idf modifier supplies BM25's idf at query time from the collection's statistics.
      sparse_vectors: { [SPARSE_VECTOR]: { modifier: 'idf' } },
      shard_number: shardNumber,
      replication_factor: replicationFactor,
      on_disk_payload: onDiskPayload,
    };
    if (dimension !== null && quantization === 'scalar') {
      definition.quantization_config = { scalar: { type: 'int8', quantile: 0.99, always_ram: true } };
    } else if (dimension !== null && quantization === 'binary') {
      definition.quantization_config = { binary: { always_ram: true } };
    }
    return definition;
  }

  chunkIndexes(): PayloadIndex[] {
    return [
      // The tenant index: Qdrant co-locates each tenant's points and plans per-tenant search.
      { field: 'collection', schema: { type: 'keyword', is_tenant: true } },
      { field: 'documentId', schema: 'keyword' },
      { field: 'version', schema: 'integer' },
      { field: 'source', schema: 'keyword' },
    ];
  }
}
