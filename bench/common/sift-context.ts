// Boots Sift's pipeline without HTTP over a fresh temporary data directory and feeds it a
// BEIR corpus through the normal ingestion code. The evaluation and the benchmark both
// start here, so they measure the code users run, not a copy of it.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config.js';
import { CoreModule } from '../../src/core.module.js';
import { IngestionService } from '../../src/ingestion/ingestion.service.js';
import { SearchService } from '../../src/retrieval/search.service.js';
import { VECTOR_STORE, type VectorStore } from '../../src/store/vector-store.js';
import type { CorpusDocument } from '../eval/beir-dataset.js';

export interface SiftContext {
  app: INestApplicationContext;
  ingestion: IngestionService;
  search: SearchService;
  store: VectorStore;
  dataDir: string;
  /** Closes the store; removes the data directory unless asked to keep it. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * The settings every measurement pins, whatever the shell or .env says: a temporary data
 * directory and no model in the loop (lexical retrieval, extractive answers), so figures
 * never silently include network calls or cost. A caller that measures a model or another
 * store says so explicitly through `env`, which wins over these.
 */
export const MEASURED_SETUP = {
  SIFT_STORE: 'sqlite',
  EMBEDDINGS_PROVIDER: 'none',
  RERANK_PROVIDER: 'none',
  GENERATION_PROVIDER: 'none',
} as const;

/** `existingDataDir` opens a data directory another context filled (and leaves it in place). */
export async function openSiftContext(env: Record<string, string | undefined> = {}, existingDataDir?: string): Promise<SiftContext> {
  const dataDir = existingDataDir ?? mkdtempSync(join(tmpdir(), 'sift-bench-'));
  let app: INestApplicationContext;
  try {
    const config = loadConfig({ ...process.env, ...MEASURED_SETUP, ...env, DATA_DIR: dataDir });
    app = await NestFactory.createApplicationContext(CoreModule.forRoot(config), { logger: ['error', 'warn'] });
  } catch (error) {
    if (!existingDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    app,
    ingestion: app.get(IngestionService),
    search: app.get(SearchService),
    store: app.get<VectorStore>(VECTOR_STORE),
    dataDir,
    async close(options) {
      await app.close();
      if (!options?.keepData && !existingDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface IngestedCorpus {
  documents: number;
  chunks: number;
  /** Documents with neither title nor text: nothing to index. */
  skipped: number;
  /** Source name as stored -> corpus id (they differ only if the id needed normalising). */
  sourceToId: Map<string, string>;
  ms: number;
}

/** Documents per bulk write: large enough to amortise a commit, small enough to bound memory. */
const INGEST_BATCH = 256;

/**
 * Ingests each document as title + text through `ingestTexts`, the bulk path a corpus
 * loader uses (one store transaction per batch). A document whose text is empty is indexed
 * by its title alone.
 */
export async function ingestCorpus(
  ingestion: IngestionService,
  collection: string,
  corpus: AsyncIterable<CorpusDocument> | Iterable<CorpusDocument>,
  onProgress?: (documents: number) => void,
): Promise<IngestedCorpus> {
  const started = performance.now();
  const result: IngestedCorpus = { documents: 0, chunks: 0, skipped: 0, sourceToId: new Map(), ms: 0 };
  let batch: CorpusDocument[] = [];
  const flush = async () => {
    const outcomes = await ingestion.ingestTexts(
      batch.map((doc) => ({ collection, source: doc.id, title: doc.title === '' ? null : doc.title, text: doc.text.trim() === '' ? doc.title : doc.text })),
    );
    outcomes.forEach((outcome, index) => {
      if (outcome instanceof Error) throw new Error(`Document "${batch[index]!.id}" could not be ingested: ${outcome.message}`);
      result.sourceToId.set(outcome.source, batch[index]!.id);
      result.documents += 1;
      result.chunks += outcome.chunkCount;
    });
    const before = result.documents - batch.length;
    if (onProgress && Math.floor(result.documents / 1000) > Math.floor(before / 1000)) onProgress(result.documents);
    batch = [];
  };
  for await (const doc of corpus) {
    if ((doc.text.trim() === '' ? doc.title : doc.text).trim() === '') {
      result.skipped += 1;
      continue;
    }
    batch.push(doc);
    if (batch.length === INGEST_BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  result.ms = performance.now() - started;
  return result;
}

/** passageKey(chunk text) -> corpus id for every chunk of a collection, for judges that read prompts. */
export async function chunkOwners(store: VectorStore, collection: string, sourceToId: Map<string, string>, key: (text: string) => string): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  for (let offset = 0; ; offset += 1000) {
    const { documents } = await store.listDocuments(collection, { limit: 1000, offset });
    if (documents.length === 0) break;
    for (const document of documents) {
      for (const chunk of await store.getChunks(collection, document.id)) owners.set(key(chunk.text), sourceToId.get(document.source) ?? document.source);
    }
  }
  return owners;
}

/**
 * Builds the store's in-memory search index, as a server does in the background after a
 * load (the embedded store; other stores have none). In-process loops of searches never
 * yield to the event loop, so without this they would measure the FTS5 fallback only.
 * Returns the build time in ms.
 */
export async function warmSearch(store: VectorStore, collection: string): Promise<number> {
  const started = performance.now();
  await (store as { warmLexicalIndex?: (name: string) => Promise<void> }).warmLexicalIndex?.(collection);
  return performance.now() - started;
}
