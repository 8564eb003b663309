// The embedded store's schema. One SQLite file: documents and chunks as plain tables, an
// FTS5 index over analyzed chunk terms, and one sqlite-vec table per embedding dimension
// (with, when dense quantization is on, the same vectors as sign bits and a float copy beside it).

// 4: bit-quantized vector tables. A build before them sets user_version back to 3 when it
// opens the file and then writes past those tables, so the step to 4 rebuilds them.
export const SCHEMA_VERSION = 4;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS collections (
  name TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  embedding_model TEXT,
  embedding_dimension INTEGER,
  document_count INTEGER NOT NULL DEFAULT 0,
  chunk_count INTEGER NOT NULL DEFAULT 0,
  -- Bumped by every write to the collection, in the write's transaction: what tells an
  -- in-memory or saved lexical index whether it still matches (see lexical-index-cache.ts).
  revision INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS documents (
  id TEXT PRIMARY KEY,
  collection TEXT NOT NULL REFERENCES collections(name) ON DELETE CASCADE,
  source TEXT NOT NULL,
  title TEXT,
  format TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  metadata TEXT NOT NULL,
  chunk_count INTEGER NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (collection, source)
);

CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY,
  document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  text TEXT NOT NULL,
  heading_path TEXT NOT NULL,
  page INTEGER,
  start_offset INTEGER NOT NULL,
  end_offset INTEGER NOT NULL,
  token_count INTEGER NOT NULL,
  content_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks(document_id, ordinal);

-- Analyzed terms only (contentless): the text itself lives in chunks. The collection
-- column holds one marker term so a query can be limited to a collection inside FTS.
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
  collection, title, heading, body,
  content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0'
);
`;

/** sqlite-vec table holding the vectors of one dimension, partitioned by collection. */
export function vectorTableName(dimension: number): string {
  return `chunk_vectors_${dimension}`;
}

export function vectorTableSql(dimension: number): string {
  return `CREATE VIRTUAL TABLE IF NOT EXISTS ${vectorTableName(dimension)} USING vec0(
    chunk_id INTEGER PRIMARY KEY,
    collection TEXT PARTITION KEY,
    embedding FLOAT[${dimension}] distance_metric=cosine
  )`;
}

// The quantized pass keeps its data in plain tables, not vec0 ones: sqlite-vec 0.1.9's KNN
// costs grow with k (a bit-vector KNN over 400k rows: 48 ms at k = 100, 424 ms at k = 800),
// and a vec0 point read walks a 3 MB blob's overflow pages (~0.4 ms a vector at 400k), while
// a scan ordered by Hamming distance costs the same at any k (~58 ms at 400k) and a plain
// row holds a 768-dimensional float vector on one page (~5 µs a lookup).

/** One sign bit per dimension, a collection's rows together: what the quantized first pass scans. */
export function bitVectorTableName(dimension: number): string {
  return `chunk_bits_${dimension}`;
}

/** A copy of the float vectors the quantized pass rescores from, one row (and page) each. */
export function rescoreVectorTableName(dimension: number): string {
  return `chunk_floats_${dimension}`;
}

/** Every quantized-search table in the file, by name (see dense-vectors.ts). */
export const QUANTIZED_TABLES_SQL = `SELECT name FROM sqlite_master WHERE type = 'table' AND (name GLOB 'chunk_bits_[0-9]*' OR name GLOB 'chunk_floats_[0-9]*')`;

export function quantizedTablesSql(dimension: number): string {
  return `CREATE TABLE IF NOT EXISTS ${bitVectorTableName(dimension)} (
    collection TEXT NOT NULL,
    chunk_id INTEGER NOT NULL,
    bits BLOB NOT NULL,
    PRIMARY KEY (collection, chunk_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS ${rescoreVectorTableName(dimension)} (
    chunk_id INTEGER PRIMARY KEY,
    embedding BLOB NOT NULL
  );`;
}
