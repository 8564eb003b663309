// The bulk ingest path against a real store: one transaction for the batch when all goes
// well, and when one document cannot be written, the others still land, each whole.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import { CoreModule } from '../../src/core.module.js';
import { SiftError } from '../../src/common/errors.js';
import { IngestionService } from '../../src/ingestion/ingestion.service.js';
import { SearchService } from '../../src/retrieval/search.service.js';
import { VECTOR_STORE, type VectorStore } from '../../src/store/vector-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('IngestionService.ingestTexts', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let app: INestApplicationContext;
  let ingestion: IngestionService;

  beforeEach(async () => {
    dir = makeTempDir();
    app = await NestFactory.createApplicationContext(CoreModule.forRoot(loadConfig({ DATA_DIR: dir.path })), { logger: false });
    ingestion = app.get(IngestionService);
  });
  afterEach(async () => {
    await app.close();
    dir.remove();
  });

  it('writes a batch, reports each document, and says unchanged on a repeat', async () => {
    const batch = ['alpha', 'beta', 'gamma'].map((word) => ({ collection: 'bulk', source: `${word}.txt`, title: word, text: `The ${word} document talks about ${word}.` }));
    const first = await ingestion.ingestTexts(batch);
    expect(first.map((r) => (r instanceof Error ? r.message : r.status))).toEqual(['created', 'created', 'created']);
    const again = await ingestion.ingestTexts(batch);
    expect(again.map((r) => (r instanceof Error ? r.message : r.status))).toEqual(['unchanged', 'unchanged', 'unchanged']);
    const found = await app.get(SearchService).search('bulk', { query: 'beta', topK: 5 });
    expect(found.results.map((r) => r.source)).toEqual(['beta.txt']);
    expect(await app.get<VectorStore>(VECTOR_STORE).getCollection('bulk')).toMatchObject({ documentCount: 3, chunkCount: 3 });
  });

  it('reports a bad document and still lands the others', async () => {
    const results = await ingestion.ingestTexts([
      { collection: 'bulk', source: 'good-1.txt', title: null, text: 'First good text.' },
      { collection: 'bulk', source: '../escape.txt', title: null, text: 'Never stored.' },
      { collection: 'bulk', source: 'empty.txt', title: null, text: '   ' },
      { collection: 'bulk', source: 'good-2.txt', title: null, text: 'Second good text.' },
    ]);
    expect(results.map((r) => (r instanceof SiftError ? r.code : r.status))).toEqual(['created', 'INVALID_SOURCE_NAME', 'NO_TEXT', 'created']);
    const listed = await app.get<VectorStore>(VECTOR_STORE).listDocuments('bulk', { limit: 10, offset: 0 });
    expect(listed.documents.map((d) => d.source)).toEqual(['good-1.txt', 'good-2.txt']);
  });

  it('falls back to one write per document when the batch write fails', async () => {
    const store = app.get<VectorStore>(VECTOR_STORE);
    // The store refuses the batch (as a full disk or a lock timeout would); the documents
    // must still land, one by one.
    store.putDocuments = async () => {
      throw new Error('database is locked');
    };
    const results = await ingestion.ingestTexts([
      { collection: 'bulk', source: 'one.txt', title: null, text: 'One fine text.' },
      { collection: 'bulk', source: 'two.txt', title: null, text: 'Two fine texts.' },
    ]);
    expect(results.map((r) => (r instanceof Error ? r.message : r.status))).toEqual(['created', 'created']);
    expect(await store.getCollection('bulk')).toMatchObject({ documentCount: 2 });
  });
});
