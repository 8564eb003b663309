// The embedded store: one SQLite file (WAL) under the data directory. Every document write
// is a single transaction, so a document lands whole or not at all and search never sees a
// mix of two versions.
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrorCode, SiftError } from '../../common/errors.js';
import { analyze, analyzeQuery } from '../../retrieval/lexical-analyzer.js';
import type {
  CollectionInfo,
  DocumentOrder,
  DocumentWrite,
  MetadataFilter,
  Page,
  ScoredChunk,
  SearchOptions,
  StoredChunk,
  StoredDocument,
  VectorStore,
  WriteOutcome,
} from '../vector-store.js';
import { CHUNKS_AFTER_SQL, CHUNKS_IN_ORDER_SQL, workerBuildsAvailable, type ChunkTextRow } from './lexical-index-build.js';
import { analysisThreadsAvailable } from './lexical-analysis-pool.js';
import { LexicalIndexCache, type IndexBuildMode, type IndexOrigin, type LexicalChange } from './lexical-index-cache.js';
import { DenseVectors, dropQuantizedTables, MAX_KNN, type DenseSettings, type VectorRow } from './dense-vectors.js';
import { filterKey, metadataFilterSql } from './metadata-filter-sql.js';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';

const SORT_COLUMNS: Record<NonNullable<DocumentOrder['sort']>, string> = {
  source: 'source',
  updatedAt: 'updated_at',
  createdAt: 'created_at',
  chunkCount: 'chunk_count',
  sizeBytes: 'size_bytes',
};

interface DocumentRow {
  id: string;
  collection: string;
  source: string;
  title: string | null;
  format: string;
  content_hash: string;
  size_bytes: number;
  metadata: string;
  chunk_count: number;
  version: number;
  created_at: string;
  updated_at: string;
}

interface ChunkRow {
  id: number;
  document_id: string;
  ordinal: number;
  text: string;
  heading_path: string;
  page: number | null;
  start_offset: number;
  end_offset: number;
  token_count: number;
  content_hash: string;
}

interface ScoredRow extends ChunkRow {
  source: string;
  title: string | null;
  metadata: string;
  version: number;
  score: number;
}

/** What a search result carries of its document. */
type DocumentFields = Pick<ScoredRow, 'source' | 'title' | 'metadata' | 'version'>;
/** Documents whose fields the store keeps between searches (about 200 bytes each); past it, it starts over. */
const MAX_CACHED_DOCUMENTS = 50_000;

interface CollectionRow {
  name: string;
  created_at: string;
  embedding_model: string | null;
  embedding_dimension: number | null;
  document_count: number;
  chunk_count: number;
  revision: number;
}

/** Per-field BM25 weights: a hit in a title or heading says more about topic than one in the body. */
export interface LexicalWeights {
  title: number;
  heading: number;
  body: number;
}

// Equal weights on purpose. FTS5's bm25() adds a term's weighted hits over the columns and
// normalises by the chunk's whole length, so equal weights score a chunk like BM25 over
// title + heading + body as one text: the "flat" setup behind the strongest published BM25
// baselines (Anserini's SciFact 0.679). On SciFact a title weight of 2 moved nDCG@10 by
// +0.001, within noise; a higher weight is a bet on titles being informative, which a
// general default should not make. (A uniform weight w would act as k1 / w, so leaving all at
// 1 also leaves k1 at FTS5's 1.2, which measured 0.009 better than Anserini's 0.9 here.)
const DEFAULT_WEIGHTS: LexicalWeights = { title: 1, heading: 1, body: 1 };
const MAX_CACHED_STATEMENTS = 100;
/** Beside the SQLite file: one saved lexical index per searched collection. */
const LEXICAL_INDEX_DIRECTORY = 'lexical-index';


/** The one FTS term that marks a collection: hex keeps any collection name a single token. */
function collectionMarker(collection: string): string {
  return `c${Buffer.from(collection, 'utf8').toString('hex')}`;
}

function toStoredDocument(row: DocumentRow): StoredDocument {
  return {
    id: row.id,
    collection: row.collection,
    source: row.source,
    title: row.title,
    format: row.format,
    contentHash: row.content_hash,
    sizeBytes: row.size_bytes,
    metadata: parseMetadata(row.metadata),
    chunkCount: row.chunk_count,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toStoredChunk(row: ChunkRow): StoredChunk {
  return {
    id: String(row.id),
    documentId: row.document_id,
    ordinal: row.ordinal,
    text: row.text,
    headingPath: parseHeadingPath(row.heading_path),
    page: row.page,
    start: row.start_offset,
    end: row.end_offset,
    tokenCount: row.token_count,
    contentHash: row.content_hash,
  };
}

// Most chunks have no heading path and most documents no metadata: a search reads 30 rows,
// and a literal is cheaper than parsing '[]' or '{}' each time (a new value either way).
function parseHeadingPath(json: string): string[] {
  return json === '[]' ? [] : (JSON.parse(json) as string[]);
}

function parseMetadata(json: string): StoredDocument['metadata'] {
  return json === '{}' ? {} : (JSON.parse(json) as StoredDocument['metadata']);
}

/**
 * Fetched rows as scored chunks in the hits' order, each with its document's fields; a hit
 * whose row or document was not found (gone meanwhile, or filtered out) is left out.
 */
function inHitOrder<Row extends ChunkRow>(hits: ReadonlyArray<{ id: number; score: number }>, rows: readonly Row[], documentOf: (row: Row) => DocumentFields | undefined): ScoredChunk[] {
  const byId = new Map<number, Row>();
  for (const row of rows) byId.set(row.id, row);
  const found: ScoredChunk[] = [];
  for (const hit of hits) {
    const row = byId.get(hit.id);
    const document = row && documentOf(row);
    if (row && document) found.push(toScoredChunk(row, document, hit.score));
  }
  return found;
}

function toScoredChunk(row: ChunkRow, document: DocumentFields, score: number): ScoredChunk {
  return {
    chunk: toStoredChunk(row),
    document: {
      id: row.document_id,
      source: document.source,
      title: document.title,
      metadata: parseMetadata(document.metadata),
      version: document.version,
    },
    score,
  };
}

/**
 * Brings a file written by an earlier schema version up to date, in one transaction. A file
 * that is current is not written at all: any commit, even of an unchanged user_version, is a
 * change other connections see (data_version).
 */
function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    // A new file: SCHEMA_SQL made every table as this version has it.
    if (version === 0 || version > SCHEMA_VERSION) return;
    if (version < 2) {
      db.exec(`ALTER TABLE collections ADD COLUMN document_count INTEGER NOT NULL DEFAULT 0;
               ALTER TABLE collections ADD COLUMN chunk_count INTEGER NOT NULL DEFAULT 0;
               UPDATE collections SET
                 document_count = (SELECT count(*) FROM documents WHERE documents.collection = collections.name),
                 chunk_count = (SELECT coalesce(sum(chunk_count), 0) FROM documents WHERE documents.collection = collections.name);`);
    }
    if (version < 3) db.exec('ALTER TABLE collections ADD COLUMN revision INTEGER NOT NULL DEFAULT 0');
    if (version < 4) dropQuantizedTables(db);
  })();
}

export class SqliteVectorStore implements VectorStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** In-memory BM25 indexes of searched collections (see lexical-index-cache.ts). */
  private readonly lexicalIndexes: LexicalIndexCache;
  /** The sqlite-vec tables: writes to them and k-NN, exact or quantized (see dense-vectors.ts). */
  private readonly dense: DenseVectors;

  private readonly weights: LexicalWeights;
  /** False: every lexical query goes to FTS5 (no heap for postings, slower queries). */
  private readonly inMemoryIndex: boolean;
  /** Index changes made by the write transaction in progress; handed to the index cache once it commits. */
  private lexicalChanges: LexicalChange[] | null = null;
  /** Search results' document fields by document id, valid while data_version stays documentFieldsVersion. */
  private readonly documentFields = new Map<string, DocumentFields>();
  private documentFieldsVersion = -1;

  constructor(
    readonly filePath: string,
    options: { weights?: LexicalWeights; inMemoryIndex?: boolean; indexBuild?: IndexBuildMode; dense?: DenseSettings } = {},
  ) {
    this.weights = options.weights ?? DEFAULT_WEIGHTS;
    this.inMemoryIndex = options.inMemoryIndex ?? true;
    if (filePath !== ':memory:') mkdirSync(dirname(filePath), { recursive: true });
    this.db = new Database(filePath);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    sqliteVec.load(this.db);
    this.db.exec(SCHEMA_SQL);
    migrate(this.db);
    this.dense = new DenseVectors(this.db, (sql) => this.cachedStatement(sql), options.dense);
    this.dense.fillMissingQuantizedTables();
    this.lexicalIndexes = new LexicalIndexCache(
      {
        isOpen: () => this.db.open,
        chunksAfter: (collection, afterId, limit) => this.cachedStatement(CHUNKS_AFTER_SQL).all(collection, afterId, limit) as ChunkTextRow[],
        dataVersion: () => this.db.pragma('data_version', { simple: true }) as number,
        revisionOf: (collection) => (this.cachedStatement('SELECT revision FROM collections WHERE name = ?').pluck().get(collection) as number | undefined) ?? 0,
        chunkCountOf: (collection) => (this.cachedStatement('SELECT chunk_count FROM collections WHERE name = ?').pluck().get(collection) as number | undefined) ?? 0,
        createdAtOf: (collection) => (this.cachedStatement('SELECT created_at FROM collections WHERE name = ?').pluck().get(collection) as string | undefined) ?? null,
      },
      filePath === ':memory:'
        ? {}
        : {
            directory: join(dirname(filePath), LEXICAL_INDEX_DIRECTORY),
            workerDatabaseFile: options.indexBuild === 'worker' && workerBuildsAvailable() ? filePath : undefined,
            analysisThreads: (options.indexBuild ?? 'threads') === 'threads' && analysisThreadsAvailable(),
          },
    );
  }

  /** The query plans of a build's reads (one pass in a worker, keyset slices on the event loop), for the test that keeps them linear. */
  explainIndexBuildReads(): { inOrder: string[]; after: string[] } {
    const plan = (sql: string, ...params: unknown[]) => (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((row) => row.detail);
    return { inOrder: plan(CHUNKS_IN_ORDER_SQL, 'c'), after: plan(CHUNKS_AFTER_SQL, 'c', 0, 1) };
  }

  /** Runs a write transaction; index changes it made reach the lexical index only once it commits. */
  private write<T>(body: () => T): T {
    const changes: LexicalChange[] = [];
    this.lexicalChanges = changes;
    try {
      const result = this.db.transaction(body).immediate();
      this.lexicalIndexes.apply(changes);
      return result;
    } finally {
      this.lexicalChanges = null;
      this.documentFields.clear();
    }
  }

  /** Bumps the collection's revision (every write does, in its transaction); returns the new one. */
  private bumpRevision(collection: string): number {
    return this.cachedStatement('UPDATE collections SET revision = revision + 1 WHERE name = ? RETURNING revision').pluck().get(collection) as number;
  }

  async checkHealth(): Promise<void> {
    this.cachedStatement('SELECT count(*) FROM collections').get();
  }

  async close(): Promise<void> {
    await this.lexicalIndexes.close();
    if (this.db.open) this.db.close();
  }

  async listCollections(): Promise<CollectionInfo[]> {
    const rows = this.cachedStatement('SELECT * FROM collections ORDER BY name').all() as CollectionRow[];
    return rows.map((row) => this.collectionInfo(row));
  }

  async getCollection(name: string): Promise<CollectionInfo | null> {
    const row = this.cachedStatement('SELECT * FROM collections WHERE name = ?').get(name) as CollectionRow | undefined;
    return row ? this.collectionInfo(row) : null;
  }

  async deleteCollection(name: string): Promise<boolean> {
    this.documentFields.clear();
    return this.db.transaction(() => {
      const row = this.cachedStatement('SELECT * FROM collections WHERE name = ?').get(name) as CollectionRow | undefined;
      if (!row) return false;
      this.lexicalIndexes.forget(name);
      const documentIds = this.cachedStatement('SELECT id FROM documents WHERE collection = ?').pluck().all(name) as string[];
      for (const documentId of documentIds) this.removeChunks(name, documentId, row.embedding_dimension);
      this.cachedStatement('DELETE FROM documents WHERE collection = ?').run(name);
      this.cachedStatement('DELETE FROM collections WHERE name = ?').run(name);
      return true;
    })();
  }

  async findDocumentBySource(collection: string, source: string): Promise<StoredDocument | null> {
    const row = this.cachedStatement('SELECT * FROM documents WHERE collection = ? AND source = ?')
      .get(collection, source) as DocumentRow | undefined;
    return row ? toStoredDocument(row) : null;
  }

  async putDocument(document: DocumentWrite): Promise<WriteOutcome> {
    return this.write(() => this.writeDocument(document));
  }

  /**
   * One transaction for the whole batch: FTS5 flushes its index at every commit (and every
   * savepoint), which dominates the cost of small documents. Any failure rolls back the
   * batch; the caller then writes the documents one by one to find the culprit.
   */
  async putDocuments(documents: DocumentWrite[]): Promise<WriteOutcome[]> {
    return this.write(() => documents.map((document) => this.writeDocument(document)));
  }

  /** The body of a document write; callers run it inside a transaction. */
  private writeDocument(document: DocumentWrite): WriteOutcome {
    const now = new Date().toISOString();
    const collection = this.ensureCollection(document, now);
    const existing = this.cachedStatement('SELECT * FROM documents WHERE collection = ? AND source = ?')
      .get(document.collection, document.source) as DocumentRow | undefined;
    const change = this.startChange(document.collection);
    if (existing) this.removeChunks(document.collection, existing.id, collection.embedding_dimension, change);

    const values = {
      id: existing?.id ?? document.id,
      collection: document.collection,
      source: document.source,
      title: document.title,
      format: document.format,
      content_hash: document.contentHash,
      size_bytes: document.sizeBytes,
      metadata: JSON.stringify(document.metadata),
      chunk_count: document.chunks.length,
      version: (existing?.version ?? 0) + 1,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    this.cachedStatement(
        `INSERT INTO documents (id, collection, source, title, format, content_hash, size_bytes, metadata, chunk_count, version, created_at, updated_at)
         VALUES (@id, @collection, @source, @title, @format, @content_hash, @size_bytes, @metadata, @chunk_count, @version, @created_at, @updated_at)
         ON CONFLICT(id) DO UPDATE SET title = excluded.title, format = excluded.format, content_hash = excluded.content_hash,
           size_bytes = excluded.size_bytes, metadata = excluded.metadata, chunk_count = excluded.chunk_count,
           version = excluded.version, updated_at = excluded.updated_at`,
      )
      .run(values);
    this.insertChunks(values.id, document, collection.embedding_dimension, change);
    // Counts live on the collection row so that reading a collection (every search does)
    // costs one row, not an aggregate over its documents.
    this.cachedStatement('UPDATE collections SET document_count = document_count + ?, chunk_count = chunk_count + ? WHERE name = ?').run(
      existing ? 0 : 1,
      document.chunks.length - (existing?.chunk_count ?? 0),
      document.collection,
    );
    this.finishChange(document.collection, change);
    return existing ? 'updated' : 'created';
  }

  /** A change record for the lexical index when it follows this collection (someone searched it), else null. */
  private startChange(collection: string): LexicalChange | null {
    if (!this.lexicalChanges || !this.lexicalIndexes.tracks(collection)) return null;
    return { collection, revisionBefore: 0, revisionAfter: 0, removedIds: [], added: [] };
  }

  /** Every write ends here: the revision moves whether or not an index follows the collection. */
  private finishChange(collection: string, change: LexicalChange | null): void {
    const revision = this.bumpRevision(collection);
    if (!change) return;
    change.revisionBefore = revision - 1;
    change.revisionAfter = revision;
    this.lexicalChanges!.push(change);
  }

  async listDocuments(collection: string, page: Page & DocumentOrder): Promise<{ documents: StoredDocument[]; total: number }> {
    // Column and direction come from fixed lists, never from the request's text.
    const column = SORT_COLUMNS[page.sort ?? 'source'];
    const direction = page.order === 'desc' ? 'DESC' : 'ASC';
    const rows = this.cachedStatement(`SELECT * FROM documents WHERE collection = ? ORDER BY ${column} ${direction}, source ${direction} LIMIT ? OFFSET ?`)
      .all(collection, page.limit, page.offset) as DocumentRow[];
    const total = this.cachedStatement('SELECT count(*) FROM documents WHERE collection = ?').pluck().get(collection) as number;
    return { documents: rows.map(toStoredDocument), total };
  }

  async getDocument(collection: string, id: string): Promise<StoredDocument | null> {
    const row = this.cachedStatement('SELECT * FROM documents WHERE collection = ? AND id = ?')
      .get(collection, id) as DocumentRow | undefined;
    return row ? toStoredDocument(row) : null;
  }

  async getChunks(collection: string, documentId: string): Promise<StoredChunk[]> {
    const rows = this.cachedStatement(
        `SELECT c.* FROM chunks c JOIN documents d ON d.id = c.document_id
         WHERE d.collection = ? AND c.document_id = ? ORDER BY c.ordinal`,
      )
      .all(collection, documentId) as ChunkRow[];
    return rows.map(toStoredChunk);
  }

  async deleteDocument(collection: string, id: string): Promise<boolean> {
    return this.write(() => {
      const dimension = this.cachedStatement('SELECT embedding_dimension FROM collections WHERE name = ?')
        .pluck()
        .get(collection) as number | null | undefined;
      const found = this.cachedStatement('SELECT chunk_count FROM documents WHERE collection = ? AND id = ?').get(collection, id) as { chunk_count: number } | undefined;
      if (!found) return false;
      const change = this.startChange(collection);
      this.removeChunks(collection, id, dimension ?? null, change);
      this.cachedStatement('DELETE FROM documents WHERE id = ?').run(id);
      this.cachedStatement('UPDATE collections SET document_count = document_count - 1, chunk_count = chunk_count - ? WHERE name = ?').run(found.chunk_count, collection);
      this.finishChange(collection, change);
      return true;
    });
  }

  async searchLexical(collection: string, query: string, options: SearchOptions): Promise<ScoredChunk[]> {
    const terms = analyzeQuery(query);
    if (terms.length === 0) return [];
    const { index, path } = this.inMemoryIndex
      ? this.lexicalIndexes.indexFor(collection)
      : { index: null, path: { path: 'fts5', reason: 'SQLITE_LEXICAL_INDEX=fts5' } };
    if (index) {
      const filter = options.filter && Object.keys(options.filter).length > 0 ? options.filter : null;
      const key = filter ? filterKey(filter) : '';
      if (filter && !index.hasFilterMask(key)) path.reason = 'filtered: first use of this filter since the index changed';
      const allowed = filter ? index.filterMask(key, () => this.chunkIdsPassing(collection, filter)) : undefined;
      options.onLexicalPath?.(path);
      return this.fetchScored(index.search(terms, options.limit, allowed));
    }
    options.onLexicalPath?.(path);
    // Quoted terms cannot be read as FTS5 operators; OR makes it a ranked "any term" query.
    const match = `collection:${collectionMarker(collection)} AND {title heading body}:(${terms.map((t) => `"${t}"`).join(' OR ')})`;
    const filter = metadataFilterSql(options.filter);
    const { title, heading, body } = this.weights;
    // Rank first, fetch after. A query with a common word matches most chunks, and sorting
    // every match together with its text and metadata cost more than scoring it (SciFact,
    // ~8k chunks: ~14 ms -> ~7.5 ms per query). Without a filter the top k come straight out
    // of the FTS index; with one, the join that applies it carries only ids and scores.
    const ranked =
      filter.sql === '1'
        ? `SELECT rowid AS id, -bm25(chunks_fts, 0, ?, ?, ?) AS score
           FROM chunks_fts WHERE chunks_fts MATCH ?
           ORDER BY score DESC, rowid LIMIT ?`
        : `SELECT c.id AS id, -bm25(chunks_fts, 0, ?, ?, ?) AS score
           FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid JOIN documents d ON d.id = c.document_id
           WHERE chunks_fts MATCH ? AND ${filter.sql}
           ORDER BY score DESC, c.id LIMIT ?`;
    const rows = this.cachedStatement(
      `WITH ranked AS (${ranked})
       SELECT c.*, d.source, d.title, d.metadata, d.version, ranked.score AS score
       FROM ranked JOIN chunks c ON c.id = ranked.id JOIN documents d ON d.id = c.document_id
       ORDER BY ranked.score DESC, c.id`,
    ).all(title, heading, body, match, ...filter.params, options.limit) as ScoredRow[];
    return rows.map((row) => toScoredChunk(row, row, row.score));
  }

  /** Ids of the collection's chunks whose document passes the filter. */
  private chunkIdsPassing(collection: string, filter: MetadataFilter): number[] {
    const condition = metadataFilterSql(filter);
    return this.cachedStatement(
      `SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.collection = ? AND ${condition.sql}`,
    )
      .pluck()
      .all(collection, ...condition.params) as number[];
  }

  /** Loads or builds the collection's in-memory index now and waits for it (tests, warm-ups); says from where. */
  async warmLexicalIndex(collection: string): Promise<IndexOrigin | null> {
    return this.inMemoryIndex ? await this.lexicalIndexes.warm(collection) : null;
  }

  /** Chunk rows for ranked ids, in rank order; with a filter, only those whose document passes. */
  private fetchScored(hits: Array<{ id: number; score: number }>, filter?: MetadataFilter): ScoredChunk[] {
    if (hits.length === 0) return [];
    const condition = metadataFilterSql(filter);
    if (condition.sql === '1') return this.fetchScoredUnfiltered(hits);
    // One statement per list length (bounded by the statement cache): a plain IN list reads
    // faster than unpacking a JSON array.
    const rows = this.cachedStatement(
      `SELECT c.*, d.source, d.title, d.metadata, d.version, 0 AS score
       FROM chunks c JOIN documents d ON d.id = c.document_id
       WHERE c.id IN (${hits.map(() => '?').join(', ')}) AND ${condition.sql}`,
    ).all(...hits.map((hit) => hit.id), ...condition.params) as ScoredRow[];
    return inHitOrder(hits, rows, (row) => row);
  }

  /**
   * The chunk rows, then their documents' fields from a cache: the documents are found by a
   * text key, two B-tree searches each, and that join was most of the read (30 chunks at 400k:
   * 0.26 ms joined, 0.06 ms without). The cache is dropped on every write through this
   * connection and whenever another connection has committed (SQLite's data_version).
   */
  private fetchScoredUnfiltered(hits: Array<{ id: number; score: number }>): ScoredChunk[] {
    const rows = this.cachedStatement(`SELECT * FROM chunks WHERE id IN (${hits.map(() => '?').join(', ')})`).all(...hits.map((hit) => hit.id)) as ChunkRow[];
    const fields = this.documentFieldsOf(rows.map((row) => row.document_id));
    return inHitOrder(hits, rows, (row) => fields.get(row.document_id));
  }

  private documentFieldsOf(documentIds: readonly string[]): Map<string, DocumentFields> {
    const version = this.cachedStatement('PRAGMA data_version').pluck().get() as number;
    if (version !== this.documentFieldsVersion || this.documentFields.size > MAX_CACHED_DOCUMENTS) {
      this.documentFields.clear();
      this.documentFieldsVersion = version;
    }
    const missing = [...new Set(documentIds.filter((id) => !this.documentFields.has(id)))];
    if (missing.length > 0) {
      const rows = this.cachedStatement(`SELECT id, source, title, metadata, version FROM documents WHERE id IN (${missing.map(() => '?').join(', ')})`).all(...missing) as Array<DocumentFields & { id: string }>;
      for (const { id, ...document } of rows) this.documentFields.set(id, document);
    }
    return this.documentFields;
  }

  async searchDense(collection: string, vector: Float32Array, options: SearchOptions): Promise<ScoredChunk[]> {
    const info = await this.getCollection(collection);
    if (!info?.embeddingDimension) return [];
    if (vector.length !== info.embeddingDimension) {
      throw new SiftError(
        ErrorCode.EmbeddingMismatch,
        `Collection "${collection}" holds ${info.embeddingDimension}-dimensional vectors from ${info.embeddingModel}; the query vector has ${vector.length}. Query with the same embedding model, or re-index the collection.`,
      );
    }
    // vec0 cannot apply metadata filters inside the KNN scan, so a filtered query looks
    // further and filters after; fetchScored keeps only live chunks that pass.
    const k = Math.min(MAX_KNN, options.filter ? options.limit * 10 : options.limit);
    options.onDensePath?.(this.dense.pathFor(info.embeddingDimension));
    const hits = this.dense.nearest(info.embeddingDimension, collection, vector, k);
    return this.fetchScored(hits.map((hit) => ({ id: hit.id, score: 1 - hit.distance })), options.filter).slice(0, options.limit);
  }

  /** Statements are prepared once per SQL text: preparing costs about as much as a small query. */
  private cachedStatement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      // Filter keys shape the SQL, so the number of texts is open-ended: keep the cache bounded.
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private collectionInfo(row: CollectionRow): CollectionInfo {
    return {
      name: row.name,
      documentCount: row.document_count,
      chunkCount: row.chunk_count,
      createdAt: row.created_at,
      embeddingModel: row.embedding_model,
      embeddingDimension: row.embedding_dimension,
    };
  }

  /** Creates the collection on first write and pins its embedding model and dimension. */
  private ensureCollection(document: DocumentWrite, now: string): CollectionRow {
    const dimension = document.chunks.find((chunk) => chunk.embedding)?.embedding?.length ?? null;
    const model = dimension === null ? null : (document.embeddingModel ?? 'unknown');
    let row = this.cachedStatement('SELECT * FROM collections WHERE name = ?').get(document.collection) as CollectionRow | undefined;
    if (!row) {
      row = { name: document.collection, created_at: now, embedding_model: model, embedding_dimension: dimension, document_count: 0, chunk_count: 0, revision: 0 };
      this.cachedStatement('INSERT INTO collections (name, created_at, embedding_model, embedding_dimension) VALUES (?, ?, ?, ?)').run(row.name, now, model, dimension);
    } else if (dimension !== null && row.embedding_dimension === null) {
      row = { ...row, embedding_model: model, embedding_dimension: dimension };
      this.cachedStatement('UPDATE collections SET embedding_model = ?, embedding_dimension = ? WHERE name = ?').run(model, dimension, row.name);
    } else if (dimension !== null && (row.embedding_dimension !== dimension || row.embedding_model !== model)) {
      throw new SiftError(
        ErrorCode.EmbeddingMismatch,
        `Collection "${row.name}" was indexed with ${row.embedding_model} (${row.embedding_dimension} dimensions), not ${model} (${dimension}). Delete and re-ingest the collection to switch models.`,
      );
    }
    if (row.embedding_dimension !== null) this.dense.ensureTables(row.embedding_dimension);
    return row;
  }

  private insertChunks(documentId: string, document: DocumentWrite, dimension: number | null, change: LexicalChange | null): void {
    const insertChunk = this.cachedStatement(
      `INSERT INTO chunks (document_id, ordinal, text, heading_path, page, start_offset, end_offset, token_count, content_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertTerms = this.cachedStatement('INSERT INTO chunks_fts (rowid, collection, title, heading, body) VALUES (?, ?, ?, ?, ?)');
    const vectors: VectorRow[] = [];
    const marker = collectionMarker(document.collection);
    const title = analyze(document.title ?? '');
    const titleTerms = title.join(' ');
    for (const chunk of document.chunks) {
      const { lastInsertRowid } = insertChunk.run(
        documentId,
        chunk.ordinal,
        chunk.text,
        JSON.stringify(chunk.headingPath),
        chunk.page ?? null,
        chunk.start,
        chunk.end,
        chunk.tokenCount,
        chunk.contentHash,
      );
      const heading = analyze(chunk.headingPath.join(' '));
      const body = analyze(chunk.text);
      insertTerms.run(lastInsertRowid, marker, titleTerms, heading.join(' '), body.join(' '));
      // The same terms the index builds from (indexedTerms), with FTS5's collection marker in the length.
      change?.added.push({ id: Number(lastInsertRowid), terms: [...title, ...heading, ...body], extraLength: 1 });
      if (dimension !== null && chunk.embedding) {
        if (chunk.embedding.length !== dimension) {
          throw new SiftError(ErrorCode.EmbeddingMismatch, `Chunk ${chunk.ordinal} has a ${chunk.embedding.length}-dimensional vector; the collection holds ${dimension}.`);
        }
        vectors.push({ chunkId: Number(lastInsertRowid), collection: document.collection, embedding: chunk.embedding });
      }
    }
    if (dimension !== null) this.dense.insert(dimension, vectors);
  }

  private removeChunks(collection: string, documentId: string, dimension: number | null, change: LexicalChange | null = null): void {
    const chunkIds = this.cachedStatement('SELECT id FROM chunks WHERE document_id = ?').pluck().all(documentId) as number[];
    change?.removedIds.push(...chunkIds);
    const deleteTerms = this.cachedStatement('DELETE FROM chunks_fts WHERE rowid = ?');
    for (const id of chunkIds) deleteTerms.run(id);
    if (dimension !== null) this.dense.remove(dimension, collection, chunkIds);
    this.cachedStatement('DELETE FROM chunks WHERE document_id = ?').run(documentId);
  }
}
