// The CLI's default target: Sift's own modules in this process (no HTTP), writing DATA_DIR.
// SQLite's WAL lets it run beside a server that uses the same DATA_DIR.
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import type { AppConfig } from '../src/config/app-config.js';
import { CoreModule } from '../src/core.module.js';
import { ingestOne, type FileOutcome } from '../src/ingestion/batch-ingest.js';
import { IngestionService } from '../src/ingestion/ingestion.service.js';
import { IngestionStats } from '../src/ingestion/ingestion-stats.js';
import { isSiftError } from '../src/common/errors.js';
import { VECTOR_STORE, type DocumentMetadata, type VectorStore } from '../src/store/vector-store.js';
import type { CollectionEntry, IngestTarget, PlannedOutcome } from './ingest-target.js';
import type { SelectedFile } from './select-files.js';
import type { StoredEntry } from './sync-scope.js';

const PAGE_SIZE = 1000;

export class LocalTarget implements IngestTarget {
  readonly description: string;
  private readonly ingestion: IngestionService;
  private readonly store: VectorStore;
  private readonly stats: IngestionStats;

  private constructor(
    private readonly context: INestApplicationContext,
    config: AppConfig,
    private readonly onUnexpected: (error: unknown, file: string) => void,
  ) {
    this.description = `data in ${config.dataDir}`;
    this.ingestion = context.get(IngestionService);
    this.store = context.get<VectorStore>(VECTOR_STORE);
    this.stats = context.get(IngestionStats);
  }

  static async open(config: AppConfig, onUnexpected: (error: unknown, file: string) => void): Promise<LocalTarget> {
    const context = await NestFactory.createApplicationContext(CoreModule.forRoot(config), { logger: ['error', 'warn'] });
    return new LocalTarget(context, config, onUnexpected);
  }

  async listCollections(): Promise<CollectionEntry[]> {
    return (await this.store.listCollections()).map(({ name, documentCount, chunkCount, embeddingModel, createdAt }) => ({ name, documentCount, chunkCount, embeddingModel, createdAt }));
  }

  async listDocuments(collection: string): Promise<StoredEntry[]> {
    const entries: StoredEntry[] = [];
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const { documents, total } = await this.store.listDocuments(collection, { limit: PAGE_SIZE, offset });
      entries.push(...documents.map(({ id, source, chunkCount, sizeBytes, updatedAt }) => ({ id, source, chunkCount, sizeBytes, updatedAt })));
      if (documents.length === 0 || offset + PAGE_SIZE >= total) return entries;
    }
  }

  ingest(file: SelectedFile, collection: string, metadata: DocumentMetadata): Promise<FileOutcome> {
    // The bytes are read here, one file per slot of --concurrency, and hashed before any
    // parsing: an unchanged file costs a read, a hash and one lookup.
    return ingestOne(
      { fileName: file.source, path: file.absolutePath },
      async ({ fileName, path }) => this.ingestion.ingestFile({ collection, fileName, bytes: await readFile(path), metadata }),
      (error) => this.onUnexpected(error, file.source),
    );
  }

  async plan(file: SelectedFile, collection: string, metadata: DocumentMetadata): Promise<PlannedOutcome> {
    try {
      const planned = await this.ingestion.planFile({ collection, fileName: file.source, bytes: await readFile(file.absolutePath), metadata });
      return { file: file.source, documentId: planned.documentId, status: planned.status };
    } catch (error) {
      if (!isSiftError(error)) throw error;
      return { file: file.source, status: 'failed', error: { code: error.code, message: `"${file.source}": ${error.message}` } };
    }
  }

  async deleteDocument(collection: string, id: string): Promise<void> {
    await this.store.deleteDocument(collection, id);
  }

  parsedFiles(): number {
    return this.stats.snapshot().parsed;
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
