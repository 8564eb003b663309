// The embedded store's dense vectors: sqlite-vec tables written with the chunks, and k-NN over
// them. Exact k-NN compares the query with every float vector of the collection (3 KB each at
// 768 dimensions), so its cost grows with the collection. With `bit` quantization a first pass
// ranks one sign bit per dimension by Hamming distance (32× fewer bytes, popcount instead of
// float arithmetic), keeps k × oversampling candidates, and rescores those against their float
// vectors: scores stay exact cosine, only the candidate set is approximate.
//
// Bit tables, once made, are kept in step by every writer whatever its own setting, so a server
// with quantization and an ingest CLI without it can share one file.
import type Database from 'better-sqlite3';
import { BIT_VECTOR_TABLES_SQL, bitVectorTableName, bitVectorTableSql, vectorTableName, vectorTableSql } from './schema.js';

export type DenseQuantization = 'none' | 'bit';

export interface DenseSettings {
  quantization: DenseQuantization;
  /** Candidates of the quantized pass per result wanted. */
  oversampling: number;
}

export interface DenseHit {
  id: number;
  /** Cosine distance (1 - cosine similarity), exact in both paths. */
  distance: number;
}

export interface VectorRow {
  chunkId: number;
  collection: string;
  embedding: Float32Array;
}

export const DEFAULT_DENSE_SETTINGS: DenseSettings = { quantization: 'none', oversampling: 10 };
// sqlite-vec's upper bound on k for one KNN query.
export const MAX_KNN = 4096;

const FLOAT_TABLE_PATTERN = /^chunk_vectors_(\d+)$/;

/** sqlite-vec packs bits in whole bytes: a bit column needs a dimension divisible by 8 (every real embedding model's is). */
const quantizable = (dimension: number) => dimension % 8 === 0;

const nearestFirst = (a: DenseHit, b: DenseHit) => a.distance - b.distance || a.id - b.id;

const blob = (vector: Float32Array) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);

/** Drops every bit-vector table (their float tables stay): the next open with quantization refills them. */
export function dropBitVectorTables(db: Database.Database): void {
  for (const name of db.prepare(BIT_VECTOR_TABLES_SQL).pluck().all() as string[]) db.exec(`DROP TABLE ${name}`);
}

/**
 * Point lookups of float vectors for rescoring. vec0 keeps about a thousand vectors in one
 * blob (3 MB at 768 dimensions), and reading one vector at an offset walks the blob's overflow
 * pages up to it: through read() calls ~100 µs a vector, through a memory map ~13 µs. The
 * store gives rescoring its own read-only connection with a memory map, so the rest of its
 * reads stay as they are (a map's touched pages count in the process's RSS).
 */
export const RESCORE_MMAP_BYTES = 2 ** 31 - 2 ** 16;

export class DenseVectors {
  /**
   * `rescoreStatement` prepares on the connection rescoring reads from (the store's own when
   * not given); it may see a later commit than the first pass did, so a candidate deleted in
   * between is dropped.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly statement: (sql: string) => Database.Statement,
    private readonly settings: DenseSettings = DEFAULT_DENSE_SETTINGS,
    private readonly rescoreStatement: (sql: string) => Database.Statement = statement,
  ) {}

  /**
   * With quantization on, gives every float table that has none its bit table, filled from
   * the float vectors in one transaction (a store written before quantization, or with it off).
   * Writes nothing when every table is there, so opening a current file changes nothing.
   */
  fillMissingBitTables(): void {
    if (this.settings.quantization !== 'bit') return;
    for (const dimension of this.floatDimensions()) {
      if (!quantizable(dimension) || this.hasBitTable(dimension)) continue;
      this.db.transaction(() => {
        // Another process may have filled it while this one waited for the write lock.
        if (this.hasBitTable(dimension)) return;
        this.db.exec(bitVectorTableSql(dimension));
        this.db.exec(
          `INSERT INTO ${bitVectorTableName(dimension)} (chunk_id, collection, embedding)
           SELECT chunk_id, collection, vec_quantize_binary(embedding) FROM ${vectorTableName(dimension)}`,
        );
      }).immediate();
    }
  }

  /** Makes the tables a collection of this dimension writes to; callers run it inside their write transaction. */
  ensureTables(dimension: number): void {
    this.db.exec(vectorTableSql(dimension));
    if (this.settings.quantization === 'bit' && quantizable(dimension)) this.db.exec(bitVectorTableSql(dimension));
  }

  insert(dimension: number, rows: readonly VectorRow[]): void {
    if (rows.length === 0) return;
    const float = this.statement(`INSERT INTO ${vectorTableName(dimension)} (chunk_id, collection, embedding) VALUES (?, ?, ?)`);
    const bit = this.hasBitTable(dimension)
      ? this.statement(`INSERT INTO ${bitVectorTableName(dimension)} (chunk_id, collection, embedding) VALUES (?, ?, vec_quantize_binary(?))`)
      : null;
    for (const row of rows) {
      const id = BigInt(row.chunkId);
      const vector = blob(row.embedding);
      float.run(id, row.collection, vector);
      bit?.run(id, row.collection, vector);
    }
  }

  remove(dimension: number, chunkIds: readonly number[]): void {
    if (chunkIds.length === 0) return;
    const float = this.statement(`DELETE FROM ${vectorTableName(dimension)} WHERE chunk_id = ?`);
    const bit = this.hasBitTable(dimension) ? this.statement(`DELETE FROM ${bitVectorTableName(dimension)} WHERE chunk_id = ?`) : null;
    for (const id of chunkIds) {
      float.run(BigInt(id));
      bit?.run(BigInt(id));
    }
  }

  /** The k chunks of the collection nearest the vector, nearest first (ties by id). */
  nearest(dimension: number, collection: string, vector: Float32Array, k: number): DenseHit[] {
    const query = blob(vector);
    if (this.settings.quantization !== 'bit' || !this.hasBitTable(dimension)) {
      // vec0 takes no ORDER BY but its own (distance alone), so ties are ordered by id here.
      const hits = this.statement(
        `SELECT chunk_id AS id, distance FROM ${vectorTableName(dimension)}
         WHERE embedding MATCH ? AND k = ? AND collection = ?`,
      ).all(query, Math.min(MAX_KNN, k), collection) as DenseHit[];
      return hits.sort(nearestFirst);
    }
    const candidates = this.statement(
      `SELECT chunk_id FROM ${bitVectorTableName(dimension)}
       WHERE embedding MATCH vec_quantize_binary(?) AND k = ? AND collection = ?`,
    )
      .pluck()
      .all(query, Math.min(MAX_KNN, k * this.settings.oversampling), collection) as number[];
    // One point lookup per candidate: vec0 answers `chunk_id = ?` from its rowid index, while
    // `chunk_id IN (...)` (or a KNN limited to them) reads every vector of the table.
    const exact = this.rescoreStatement(`SELECT vec_distance_cosine(embedding, ?) FROM ${vectorTableName(dimension)} WHERE chunk_id = ?`).pluck();
    return candidates
      .flatMap((id) => {
        const distance = exact.get(query, BigInt(id)) as number | undefined;
        return distance === undefined ? [] : [{ id, distance }];
      })
      .sort(nearestFirst)
      .slice(0, k);
  }

  private hasBitTable(dimension: number): boolean {
    return this.statement(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(bitVectorTableName(dimension)) !== undefined;
  }

  private floatDimensions(): number[] {
    const names = this.statement(`SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'chunk_vectors_*'`).pluck().all() as string[];
    return names.flatMap((name) => {
      const match = FLOAT_TABLE_PATTERN.exec(name);
      return match ? [Number(match[1])] : [];
    });
  }
}
