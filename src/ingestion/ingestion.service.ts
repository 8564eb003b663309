// Turns one file into a stored document: check the name, decide the type from name and
// content, parse, chunk and write in one store transaction. Identical re-uploads are
// detected by fingerprint before any parsing and rewrite nothing.
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import { assertCollectionName } from '../common/collection-name.js';
import { VECTOR_STORE, type DocumentMetadata, type VectorStore } from '../store/vector-store.js';
import { decodeText, detectFormat } from './detect-format.js';
import { documentFingerprint, documentIdFor } from './document-identity.js';
import { isBinaryFormat, type ParsedDocument } from './document-types.js';
import { chunkDocument } from './chunking/chunker.js';
import { parseDocument, parseDocumentBytes } from './parsers/parse-document.js';
import { sanitizeSourceName } from './source-name.js';
import { EmbeddingService } from '../embeddings/embedding.service.js';
import { UsageMeters } from '../usage/usage-meters.js';
import type { UsageSummary } from '../usage/usage-record.js';
import type { ChunkDraft } from './document-types.js';

export type IngestStatus = 'created' | 'updated' | 'unchanged';

export interface IngestResult {
  documentId: string;
  source: string;
  status: IngestStatus;
  chunkCount: number;
  /** Model calls made for this document (embeddings), when any. */
  usage?: UsageSummary;
}

export interface FileToIngest {
  collection: string;
  fileName: string;
  bytes: Uint8Array;
  metadata?: DocumentMetadata;
}

export interface TextToIngest {
  collection: string;
  source: string;
  title: string | null;
  text: string;
  metadata?: DocumentMetadata;
}

@Injectable()
export class IngestionService {
  constructor(
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    private readonly config: AppConfig,
    private readonly embeddings: EmbeddingService,
    private readonly meters: UsageMeters,
  ) {}

  /** What decides `unchanged`, beyond the bytes: chunking and the embedding model. */
  private fingerprintOf(bytes: Uint8Array, metadata: DocumentMetadata, title: string | null = null): string {
    return documentFingerprint(bytes, metadata, this.config.chunking, title, this.embeddings.modelId);
  }

  async ingestFile(file: FileToIngest): Promise<IngestResult> {
    const collection = assertCollectionName(file.collection);
    const source = sanitizeSourceName(file.fileName);
    const metadata = file.metadata ?? {};
    const fingerprint = this.fingerprintOf(file.bytes, metadata);
    const unchanged = await this.unchangedDocument(collection, source, fingerprint);
    if (unchanged) return unchanged;

    const format = await detectFormat(source, file.bytes);
    // Binary formats are containers with their own encodings inside; only text formats are decoded here.
    const parsed = isBinaryFormat(format)
      ? await parseDocumentBytes(format, file.bytes, source)
      : parseDocument(format, decodeText(file.bytes, source), source);
    return this.write(collection, source, parsed, fingerprint, file.bytes.byteLength, metadata);
  }

  /** Ingests text that arrives already extracted (evaluation corpora, other pipelines). */
  async ingestText(input: TextToIngest): Promise<IngestResult> {
    const collection = assertCollectionName(input.collection);
    const source = sanitizeSourceName(input.source);
    const metadata = input.metadata ?? {};
    const bytes = new TextEncoder().encode(input.text);
    const fingerprint = this.fingerprintOf(bytes, metadata, input.title);
    const unchanged = await this.unchangedDocument(collection, source, fingerprint);
    if (unchanged) return unchanged;

    const parsed = { ...parseDocument('text', input.text, source), title: input.title };
    return this.write(collection, source, parsed, fingerprint, bytes.byteLength, metadata);
  }

  private async unchangedDocument(collection: string, source: string, fingerprint: string): Promise<IngestResult | null> {
    const existing = await this.store.findDocumentBySource(collection, source);
    if (existing?.contentHash !== fingerprint) return null;
    return { documentId: existing.id, source, status: 'unchanged', chunkCount: existing.chunkCount };
  }

  private async write(
    collection: string,
    source: string,
    parsed: ParsedDocument,
    fingerprint: string,
    sizeBytes: number,
    metadata: DocumentMetadata,
  ): Promise<IngestResult> {
    const chunks = chunkDocument(parsed, this.config.chunking);
    const documentId = documentIdFor(collection, source);
    // Embeddings come before the write: if the provider fails, nothing of this version lands.
    const meter = this.meters.start();
    const embedded = this.embeddings.model ? await this.embed(collection, parsed.title, chunks, meter) : chunks;
    const status = await this.store.putDocument({
      id: documentId,
      collection,
      source,
      title: parsed.title,
      format: parsed.format,
      contentHash: fingerprint,
      sizeBytes,
      metadata,
      chunks: embedded,
      ...(this.embeddings.modelId ? { embeddingModel: this.embeddings.modelId } : {}),
    });
    const usage = meter.summary();
    return { documentId, source, status, chunkCount: chunks.length, ...(usage.stages.length > 0 ? { usage } : {}) };
  }

  private async embed(collection: string, title: string | null, chunks: ChunkDraft[], meter: ReturnType<UsageMeters['start']>) {
    // The title and heading path give a passage the context its own words may lack.
    const texts = chunks.map((chunk) => [title, chunk.headingPath.join(' > '), chunk.text].filter(Boolean).join('\n'));
    const info = await this.store.getCollection(collection);
    if (info?.embeddingModel && info.embeddingModel !== this.embeddings.modelId) {
      // Checked before embedding, so a mismatch costs no model call.
      throw new SiftError(
        ErrorCode.EmbeddingMismatch,
        `Collection "${collection}" was embedded with ${info.embeddingModel}, not ${this.embeddings.modelId}. Configure the same model, or delete the collection and re-ingest its documents.`,
      );
    }
    const knownDimension = info?.embeddingModel === this.embeddings.modelId ? info.embeddingDimension : null;
    const vectors = await this.embeddings.embedPassages(texts, meter, knownDimension);
    return chunks.map((chunk, index) => ({ ...chunk, embedding: vectors[index]! }));
  }
}
