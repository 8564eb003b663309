// Turns one file into a stored document: check the name; in a parser process, decide the type
// from name and content, parse and chunk; then write in one store transaction. Identical
// re-uploads are detected by fingerprint before any parsing and rewrite nothing.
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ErrorCode, SiftError, isSiftError } from '../common/errors.js';
import { assertCollectionName } from '../common/collection-name.js';
import { VECTOR_STORE, type DocumentMetadata, type DocumentWrite, type VectorStore, type WriteOutcome } from '../store/vector-store.js';
import { inSpan, recordSpan } from '../observability/spans.js';
import { documentFingerprint, documentIdFor } from './document-identity.js';
import { chunkDocument } from './chunking/chunker.js';
import { parseDocument } from './parsers/parse-document.js';
import { ParserProcesses } from './parse-pool/parse-pool.js';
import type { PreparedFile } from './parse-pool/prepare-file.js';
import { sanitizeSourceName } from './source-name.js';
import { EmbeddingService } from '../embeddings/embedding.service.js';
import { UsageMeters } from '../usage/usage-meters.js';
import type { UsageMeter } from '../usage/usage-meter.js';
import { IngestionStats } from './ingestion-stats.js';
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

interface PreparedWrite {
  document: DocumentWrite;
  meter: UsageMeter;
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
    private readonly stats: IngestionStats,
    private readonly parser: ParserProcesses,
  ) {}

  /** What decides `unchanged`, beyond the bytes: chunking and the embedding model. */
  private fingerprintOf(bytes: Uint8Array, metadata: DocumentMetadata, title: string | null = null): string {
    return documentFingerprint(bytes, metadata, this.config.chunking, title, this.embeddings.modelId);
  }

  async ingestFile(file: FileToIngest): Promise<IngestResult> {
    const collection = assertCollectionName(file.collection);
    const source = sanitizeSourceName(file.fileName);
    const attributes = { 'sift.collection': collection, 'sift.ingest.source': source, 'sift.ingest.bytes': file.bytes.byteLength };
    return inSpan('ingest.file', attributes, async (span) => {
      const result = await this.ingestCheckedFile(collection, source, file);
      span.setAttributes({ 'sift.ingest.status': result.status, 'sift.ingest.chunks': result.chunkCount });
      return result;
    });
  }

  private async ingestCheckedFile(collection: string, source: string, file: FileToIngest): Promise<IngestResult> {
    const metadata = file.metadata ?? {};
    const fingerprint = this.fingerprintOf(file.bytes, metadata);
    const unchanged = await this.unchangedDocument(collection, source, fingerprint);
    if (unchanged) return unchanged;

    // Detecting, decoding, parsing and chunking happen in a parser process, within limits.
    const { docxMaxExpandedBytes, htmlMaxDepth } = this.config.parsing;
    const prepared = await inSpan('parse', {}, async (span) => {
      const parsed = await this.parser.prepare({ source, bytes: file.bytes, chunking: this.config.chunking, limits: { docxMaxExpandedBytes, htmlMaxDepth } }, (format) =>
        this.stats.recordParsed(format),
      );
      span.setAttribute('sift.ingest.format', parsed.format);
      // Chunking ran in the same parser-process call; its span comes from that process's own timings.
      if (parsed.chunking) recordSpan('chunk', parsed.chunking.startedAt, parsed.chunking.endedAt, { 'sift.ingest.chunks': parsed.chunks.length });
      return parsed;
    });
    return this.write(collection, source, prepared, fingerprint, file.bytes.byteLength, metadata);
  }

  /**
   * What `ingestFile` would answer for these bytes, decided by the fingerprint alone: nothing
   * is parsed or written (the ingest CLI's --dry-run). A file that would fail to parse is
   * still `created` or `updated` here.
   */
  async planFile(file: FileToIngest): Promise<{ documentId: string; source: string; status: IngestStatus }> {
    const collection = assertCollectionName(file.collection);
    const source = sanitizeSourceName(file.fileName);
    const existing = await this.store.findDocumentBySource(collection, source);
    const documentId = documentIdFor(collection, source);
    if (!existing) return { documentId, source, status: 'created' };
    const unchanged = existing.contentHash === this.fingerprintOf(file.bytes, file.metadata ?? {});
    return { documentId, source, status: unchanged ? 'unchanged' : 'updated' };
  }

  /** Ingests text that arrives already extracted (evaluation corpora, other pipelines). */
  async ingestText(input: TextToIngest): Promise<IngestResult> {
    const [result] = await this.ingestTexts([input]);
    if (result instanceof SiftError) throw result;
    return result!;
  }

  /**
   * The bulk form of `ingestText`, for corpora: documents are prepared one by one and
   * written in one store transaction, which is several times faster for small documents.
   * If that write fails, they are written one at a time, so each document still lands
   * whole or not at all and one bad document does not keep the others out.
   */
  async ingestTexts(inputs: TextToIngest[]): Promise<Array<IngestResult | SiftError>> {
    const results: Array<IngestResult | SiftError> = [];
    const pending: Array<{ index: number; prepared: PreparedWrite }> = [];
    for (const [index, input] of inputs.entries()) {
      try {
        const collection = assertCollectionName(input.collection);
        const source = sanitizeSourceName(input.source);
        const metadata = input.metadata ?? {};
        const bytes = new TextEncoder().encode(input.text);
        const fingerprint = this.fingerprintOf(bytes, metadata, input.title);
        const unchanged = await this.unchangedDocument(collection, source, fingerprint);
        if (unchanged) {
          results[index] = unchanged;
          continue;
        }
        this.stats.recordParsed('text');
        // Already-extracted text from a trusted caller (a corpus loader): chunked in this thread.
        const parsed = parseDocument('text', input.text, source);
        const prepared = { format: parsed.format, title: input.title, chunks: chunkDocument(parsed, this.config.chunking) };
        pending.push({ index, prepared: await this.prepareWrite(collection, source, prepared, fingerprint, bytes.byteLength, metadata) });
      } catch (error) {
        if (!isSiftError(error)) throw error;
        results[index] = error;
      }
    }
    const together = await this.store.putDocuments(pending.map((entry) => entry.prepared.document)).catch(() => null);
    for (const [position, { index, prepared }] of pending.entries()) {
      if (together) {
        results[index] = this.resultOf(prepared, together[position]!);
        continue;
      }
      try {
        results[index] = this.resultOf(prepared, await this.store.putDocument(prepared.document));
      } catch (error) {
        if (!isSiftError(error)) throw error;
        results[index] = error;
      }
    }
    return results;
  }

  private async unchangedDocument(collection: string, source: string, fingerprint: string): Promise<IngestResult | null> {
    const existing = await this.store.findDocumentBySource(collection, source);
    if (existing?.contentHash !== fingerprint) return null;
    this.stats.recordUnchanged();
    return { documentId: existing.id, source, status: 'unchanged', chunkCount: existing.chunkCount };
  }

  private async write(
    collection: string,
    source: string,
    parsed: PreparedFile,
    fingerprint: string,
    sizeBytes: number,
    metadata: DocumentMetadata,
  ): Promise<IngestResult> {
    const prepared = await this.prepareWrite(collection, source, parsed, fingerprint, sizeBytes, metadata);
    return this.resultOf(prepared, await inSpan('store', { 'sift.collection': collection }, () => this.store.putDocument(prepared.document)));
  }

  /** With a model configured, embeds: everything but the store write. */
  private async prepareWrite(
    collection: string,
    source: string,
    parsed: PreparedFile,
    fingerprint: string,
    sizeBytes: number,
    metadata: DocumentMetadata,
  ): Promise<PreparedWrite> {
    const { chunks } = parsed;
    // Embeddings come before the write: if the provider fails, nothing of this version lands.
    const meter = this.meters.start();
    const embedded = this.embeddings.model ? await inSpan('embed', { 'sift.ingest.chunks': chunks.length }, () => this.embed(collection, parsed.title, chunks, meter)) : chunks;
    const document: DocumentWrite = {
      id: documentIdFor(collection, source),
      collection,
      source,
      title: parsed.title,
      format: parsed.format,
      contentHash: fingerprint,
      sizeBytes,
      metadata,
      chunks: embedded,
      ...(this.embeddings.modelId ? { embeddingModel: this.embeddings.modelId } : {}),
    };
    return { document, meter };
  }

  private resultOf(prepared: PreparedWrite, status: WriteOutcome): IngestResult {
    const usage = prepared.meter.summary();
    const { id, source, chunks } = prepared.document;
    return { documentId: id, source, status, chunkCount: chunks.length, ...(usage.stages.length > 0 ? { usage } : {}) };
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
