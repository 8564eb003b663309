// Turns one file into a stored document: check the name, decide the type from name and
// content, parse, chunk and write in one store transaction. Identical re-uploads are
// detected by fingerprint before any parsing and rewrite nothing.
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { assertCollectionName } from '../common/collection-name.js';
import { VECTOR_STORE, type DocumentMetadata, type VectorStore } from '../store/vector-store.js';
import { decodeText, detectFormat } from './detect-format.js';
import { documentFingerprint, documentIdFor } from './document-identity.js';
import type { ParsedDocument } from './document-types.js';
import { chunkDocument } from './chunking/chunker.js';
import { parseDocument } from './parsers/parse-document.js';
import { sanitizeSourceName } from './source-name.js';

export type IngestStatus = 'created' | 'updated' | 'unchanged';

export interface IngestResult {
  documentId: string;
  source: string;
  status: IngestStatus;
  chunkCount: number;
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
  ) {}

  async ingestFile(file: FileToIngest): Promise<IngestResult> {
    const collection = assertCollectionName(file.collection);
    const source = sanitizeSourceName(file.fileName);
    const metadata = file.metadata ?? {};
    const fingerprint = documentFingerprint(file.bytes, metadata, this.config.chunking);
    const unchanged = await this.unchangedDocument(collection, source, fingerprint);
    if (unchanged) return unchanged;

    const format = await detectFormat(source, file.bytes);
    const parsed = parseDocument(format, decodeText(file.bytes, source), source);
    return this.write(collection, source, parsed, fingerprint, file.bytes.byteLength, metadata);
  }

  /** Ingests text that arrives already extracted (evaluation corpora, other pipelines). */
  async ingestText(input: TextToIngest): Promise<IngestResult> {
    const collection = assertCollectionName(input.collection);
    const source = sanitizeSourceName(input.source);
    const metadata = input.metadata ?? {};
    const bytes = new TextEncoder().encode(input.text);
    const fingerprint = documentFingerprint(bytes, metadata, this.config.chunking, input.title);
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
    const status = await this.store.putDocument({
      id: documentId,
      collection,
      source,
      title: parsed.title,
      format: parsed.format,
      contentHash: fingerprint,
      sizeBytes,
      metadata,
      chunks,
    });
    return { documentId, source, status, chunkCount: chunks.length };
  }
}
