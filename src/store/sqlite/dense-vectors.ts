// The embedded store's dense vectors: sqlite-vec tables written with the chunks, and k-NN over
// them. Exact k-NN compares the query with every float vector of the collection (3 KB each at
// 768 dimensions), so its cost grows with the collection. With `bit` quantization a first pass
// ranks one sign bit per dimension by Hamming distance (32× fewer bytes, popcount instead of
// float arithmetic), keeps k × oversampling candidates, and rescores those against their float
// vectors: scores stay exact cosine, only the candidate set is approximate. Why those tables
// are plain ones is in schema.ts.
//
// Quantized tables, once made, are kept in step by every writer whatever its own setting, so a
// server with quantization and an ingest CLI without it can share one file.
import type Database from 'better-sqlite3';
import type { SearchPathReport } from '../vector-store.js';
import { bitVectorTableName, QUANTIZED_TABLES_SQL, quantizedTablesSql, rescoreVectorTableName, vectorTableName, vectorTableSql } from './schema.js';

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

export const DEFAULT_DENSE_SETTINGS: DenseSettings = { quantization: 'none', oversampling: 160 };
// sqlite-vec's upper bound on k for one KNN query.
export const MAX_KNN = 4096;
/** Rescoring costs ~5 µs a candidate: this bounds a filtered query's pass at about 50 ms. */
const MAX_CANDIDATES = 10_000;

const FLOAT_TABLE_PATTERN = /^chunk_vectors_(\d+)$/;

/** Bits are packed in whole bytes: quantization needs a dimension divisible by 8 (every real embedding model's is). */
const quantizable = (dimension: number) => dimension % 8 === 0;

const nearestFirst = (a: DenseHit, b: DenseHit) => a.distance - b.distance || a.id - b.id;

const blob = (vector: Float32Array) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);

/** Drops every quantized table (the float vec0 tables stay): the next open with quantization refills them. */
export function dropQuantizedTables(db: Database.Database): void {
  for (const name of db.prepare(QUANTIZED_TABLES_SQL).pluck().all() as string[]) db.exec(`DROP TABLE ${name}`);
}

export class DenseVectors {
  constructor(
    private readonly db: Database.Database,
    private readonly statement: (sql: string) => Database.Statement,
    private readonly settings: DenseSettings = DEFAULT_DENSE_SETTINGS,
  ) {}

  /**
   * With quantization on, gives every float table that has none its quantized tables, filled
   * from the float vectors in one transaction (a store written before quantization, or with it
   * off). Writes nothing when every table is there, so opening a current file changes nothing.
   */
  fillMissingQuantizedTables(): void {
    if (this.settings.quantization !== 'bit') return;
    for (const dimension of this.floatDimensions()) {
      if (!quantizable(dimension) || this.isQuantized(dimension)) continue;
      this.db.transaction(() => {
        // Another process may have filled them while this one waited for the write lock.
        if (this.isQuantized(dimension)) return;
        this.db.exec(quantizedTablesSql(dimension));
        if (!this.copyFromVectorChunks(dimension)) {
          // vec0's own scan hands out each vector by a point read that walks its chunk's blob
          // from the start: ~150 s at 400k chunks, against ~5 s reading the chunks whole.
          this.db.exec(`DELETE FROM ${bitVectorTableName(dimension)}; DELETE FROM ${rescoreVectorTableName(dimension)};`);
          this.db.exec(
            `INSERT INTO ${rescoreVectorTableName(dimension)} (chunk_id, embedding) SELECT chunk_id, embedding FROM ${vectorTableName(dimension)};
             INSERT INTO ${bitVectorTableName(dimension)} (collection, chunk_id, bits)
               SELECT d.collection, f.chunk_id, vec_quantize_binary(f.embedding)
               FROM ${rescoreVectorTableName(dimension)} f JOIN chunks c ON c.id = f.chunk_id JOIN documents d ON d.id = c.document_id;`,
          );
        }
      }).immediate();
    }
  }

  /**
   * Fills the quantized tables from vec0's shadow tables, one chunk blob (up to 1,024 vectors)
   * at a time: a live slot's bit in `validity`, its id in `rowids` (int64), its vector at the
   * same slot in `vectors`. That layout is sqlite-vec 0.1's, not its API, so the copy is checked
   * against vec0 itself (row count, and the first and last vector read through vec0); false
   * when the layout is not what this expects, and the caller takes the slow path.
   */
  private copyFromVectorChunks(dimension: number): boolean {
    const table = vectorTableName(dimension);
    const bytes = dimension * 4;
    try {
      const chunks = this.db.prepare(`SELECT chunk_id, size, partition00 AS collection, validity, rowids FROM ${table}_chunks ORDER BY chunk_id`);
      const vectorsOf = this.db.prepare(`SELECT vectors FROM ${table}_vector_chunks00 WHERE rowid = ?`).pluck();
      const copy = this.db.prepare(`INSERT INTO ${rescoreVectorTableName(dimension)} (chunk_id, embedding) VALUES (?, ?)`);
      const bits = this.db.prepare(`INSERT INTO ${bitVectorTableName(dimension)} (collection, chunk_id, bits) VALUES (?, ?, vec_quantize_binary(?))`);
      let copied = 0;
      const ids: number[] = [];
      // all(), not iterate(): better-sqlite3 allows no write while a statement is being read. A
      // chunk's row is small (its ids and validity, ~8 KB); its vectors are read one chunk at a time.
      for (const chunk of chunks.all() as Array<{ chunk_id: number; size: number; collection: string; validity: Buffer; rowids: Buffer }>) {
        const vectors = vectorsOf.get(chunk.chunk_id) as Buffer | undefined;
        if (!vectors || vectors.length < chunk.size * bytes || chunk.rowids.length < chunk.size * 8) return false;
        for (let slot = 0; slot < chunk.size; slot++) {
          if ((chunk.validity[slot >> 3]! & (1 << (slot & 7))) === 0) continue;
          const id = Number(chunk.rowids.readBigInt64LE(slot * 8));
          const vector = vectors.subarray(slot * bytes, (slot + 1) * bytes);
          copy.run(id, vector);
          bits.run(chunk.collection, id, vector);
          copied += 1;
          ids.push(id);
        }
      }
      const live = this.db.prepare(`SELECT count(*) FROM ${table}_rowids`).pluck().get() as number;
      if (copied !== live) return false;
      const throughVec0 = this.db.prepare(`SELECT embedding FROM ${table} WHERE chunk_id = ?`).pluck();
      const stored = this.db.prepare(`SELECT embedding FROM ${rescoreVectorTableName(dimension)} WHERE chunk_id = ?`).pluck();
      return [ids[0], ids.at(-1)].every((id) => id === undefined || (throughVec0.get(BigInt(id)) as Buffer).equals(stored.get(id) as Buffer));
    } catch {
      return false;
    }
  }

  /** Makes the tables a collection of this dimension writes to; callers run it inside their write transaction. */
  ensureTables(dimension: number): void {
    this.db.exec(vectorTableSql(dimension));
    if (this.settings.quantization === 'bit' && quantizable(dimension)) this.db.exec(quantizedTablesSql(dimension));
  }

  insert(dimension: number, rows: readonly VectorRow[]): void {
    if (rows.length === 0) return;
    const float = this.statement(`INSERT INTO ${vectorTableName(dimension)} (chunk_id, collection, embedding) VALUES (?, ?, ?)`);
    const quantized = this.isQuantized(dimension);
    const bits = quantized ? this.statement(`INSERT INTO ${bitVectorTableName(dimension)} (collection, chunk_id, bits) VALUES (?, ?, vec_quantize_binary(?))`) : null;
    const copy = quantized ? this.statement(`INSERT INTO ${rescoreVectorTableName(dimension)} (chunk_id, embedding) VALUES (?, ?)`) : null;
    for (const row of rows) {
      const vector = blob(row.embedding);
      float.run(BigInt(row.chunkId), row.collection, vector);
      bits?.run(row.collection, row.chunkId, vector);
      copy?.run(row.chunkId, vector);
    }
  }

  remove(dimension: number, collection: string, chunkIds: readonly number[]): void {
    if (chunkIds.length === 0) return;
    const float = this.statement(`DELETE FROM ${vectorTableName(dimension)} WHERE chunk_id = ?`);
    const quantized = this.isQuantized(dimension);
    const bits = quantized ? this.statement(`DELETE FROM ${bitVectorTableName(dimension)} WHERE collection = ? AND chunk_id = ?`) : null;
    const copy = quantized ? this.statement(`DELETE FROM ${rescoreVectorTableName(dimension)} WHERE chunk_id = ?`) : null;
    for (const id of chunkIds) {
      float.run(BigInt(id));
      bits?.run(collection, id);
      copy?.run(id);
    }
  }

  /** The k chunks of the collection nearest the vector, nearest first (ties by id). */
  /** Which path nearest() takes for vectors of this dimension, and why when it is not the configured one. */
  pathFor(dimension: number): SearchPathReport {
    if (this.settings.quantization !== 'bit') return { path: 'exact' };
    if (!this.isQuantized(dimension)) return { path: 'exact', reason: `no bit vectors for ${dimension}-dimensional embeddings${dimension % 8 === 0 ? '' : ' (not a multiple of 8)'}` };
    return { path: 'bit', reason: `bit first pass over ${this.settings.oversampling}× the candidates, rescored exactly` };
  }

  nearest(dimension: number, collection: string, vector: Float32Array, k: number): DenseHit[] {
    const query = blob(vector);
    if (this.settings.quantization !== 'bit' || !this.isQuantized(dimension)) {
      // vec0 takes no ORDER BY but its own (distance alone), so ties are ordered by id here.
      const hits = this.statement(
        `SELECT chunk_id AS id, distance FROM ${vectorTableName(dimension)}
         WHERE embedding MATCH ? AND k = ? AND collection = ?`,
      ).all(query, Math.min(MAX_KNN, k), collection) as DenseHit[];
      return hits.sort(nearestFirst);
    }
    const candidates = this.statement(
      `SELECT chunk_id FROM ${bitVectorTableName(dimension)} WHERE collection = ?
       ORDER BY vec_distance_hamming(vec_bit(bits), vec_quantize_binary(?)) LIMIT ?`,
    )
      .pluck()
      .all(collection, query, Math.min(MAX_CANDIDATES, k * this.settings.oversampling)) as number[];
    const exact = this.statement(`SELECT vec_distance_cosine(embedding, ?) FROM ${rescoreVectorTableName(dimension)} WHERE chunk_id = ?`).pluck();
    return candidates
      .map((id) => ({ id, distance: exact.get(query, id) as number }))
      .sort(nearestFirst)
      .slice(0, k);
  }

  private isQuantized(dimension: number): boolean {
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
