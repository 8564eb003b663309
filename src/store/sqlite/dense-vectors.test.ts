// Dense k-NN on sqlite-vec tables: the bit-quantized pass with exact rescoring against the
// exact scan, on small seeded sets in an in-memory database.
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, describe, expect, it } from 'vitest';
import { DenseVectors, type DenseSettings, type VectorRow } from './dense-vectors.js';
import { bitVectorTableName, rescoreVectorTableName, SCHEMA_SQL, vectorTableName } from './schema.js';

const DIMENSION = 32;

/** Seeded unit vectors (mulberry32), so every run sees the same set. */
function unitVectors(count: number, dimension: number, seed: number): Float32Array[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32 - 0.5;
  };
  return Array.from({ length: count }, () => {
    const vector = Float32Array.from({ length: dimension }, random);
    const norm = Math.hypot(...vector);
    return vector.map((value) => value / norm);
  });
}

const databases: Database.Database[] = [];
afterEach(() => {
  for (const db of databases.splice(0)) db.close();
});

/** The store's schema with one document per collection, so a fill can find each chunk's collection. */
function openDatabase(): Database.Database {
  const db = new Database(':memory:');
  sqliteVec.load(db);
  db.exec(SCHEMA_SQL);
  for (const collection of ['a', 'b']) {
    db.prepare("INSERT INTO collections (name, created_at) VALUES (?, '')").run(collection);
    db.prepare("INSERT INTO documents VALUES (?, ?, ?, NULL, 'text', '', 0, '{}', 0, 1, '', '')").run(collection, collection, collection);
  }
  databases.push(db);
  return db;
}

const owners = new WeakMap<DenseVectors, Database.Database>();
const databaseOf = (dense: DenseVectors) => owners.get(dense)!;

function denseOn(database: Database.Database, settings: DenseSettings): DenseVectors {
  const dense = new DenseVectors(database, (sql) => database.prepare(sql), settings);
  owners.set(dense, database);
  return dense;
}

/** 120 vectors in collection "a" (ids 1-120), 80 in "b" (ids 1001-1080). */
function fill(dense: DenseVectors, dimension = DIMENSION): VectorRow[] {
  const rows = [
    ...unitVectors(120, dimension, 1).map((embedding, i) => ({ chunkId: i + 1, collection: 'a', embedding })),
    ...unitVectors(80, dimension, 2).map((embedding, i) => ({ chunkId: 1001 + i, collection: 'b', embedding })),
  ];
  dense.ensureTables(dimension);
  dense.insert(dimension, rows);
  for (const row of rows) databaseOf(dense).prepare("INSERT INTO chunks VALUES (?, ?, 0, '', '[]', NULL, 0, 0, 0, '')").run(row.chunkId, row.collection);
  return rows;
}

const rowIds = (db: Database.Database, table: string) => db.prepare(`SELECT chunk_id FROM ${table} ORDER BY chunk_id`).pluck().all();

describe('DenseVectors', () => {
  it('returns the exact top k, distances included, when the oversampled pass covers the collection', () => {
    const db = openDatabase();
    const exact = denseOn(db, { quantization: 'none', oversampling: 1 });
    const quantized = denseOn(db, { quantization: 'bit', oversampling: 12 });
    fill(quantized);
    for (const query of unitVectors(20, DIMENSION, 3)) {
      const want = exact.nearest(DIMENSION, 'a', query, 10);
      const got = quantized.nearest(DIMENSION, 'a', query, 10);
      expect(got.map((hit) => hit.id)).toEqual(want.map((hit) => hit.id));
      got.forEach((hit, i) => expect(hit.distance).toBeCloseTo(want[i]!.distance, 6));
    }
  });

  it('ranks by the sign bits first: with no oversampling it misses some of the exact top k', () => {
    const db = openDatabase();
    const exact = denseOn(db, { quantization: 'none', oversampling: 1 });
    const quantized = denseOn(db, { quantization: 'bit', oversampling: 1 });
    fill(quantized);
    const differing = unitVectors(20, DIMENSION, 4).filter((query) => {
      const want = exact.nearest(DIMENSION, 'a', query, 10).map((hit) => hit.id);
      return quantized.nearest(DIMENSION, 'a', query, 10).some((hit, i) => hit.id !== want[i]);
    });
    expect(differing.length).toBeGreaterThan(0);
  });

  it('keeps to the collection asked for, as the exact scan does', () => {
    const db = openDatabase();
    const quantized = denseOn(db, { quantization: 'bit', oversampling: 100 });
    fill(quantized);
    const [query] = unitVectors(1, DIMENSION, 5);
    const inB = quantized.nearest(DIMENSION, 'b', query!, 200);
    expect(inB).toHaveLength(80);
    expect(inB.every((hit) => hit.id > 1000)).toBe(true);
    expect(quantized.nearest(DIMENSION, 'missing', query!, 10)).toEqual([]);
  });

  it('writes and removes a chunk in the float, the bit and the rescoring tables together, whatever its own setting', () => {
    const db = openDatabase();
    const quantized = denseOn(db, { quantization: 'bit', oversampling: 10 });
    fill(quantized);
    // A writer with quantization off (an ingest CLI, say) still keeps the quantized tables in step.
    const plain = denseOn(db, { quantization: 'none', oversampling: 10 });
    plain.remove(DIMENSION, 'a', [1, 2]);
    plain.remove(DIMENSION, 'b', [1001]);
    plain.insert(DIMENSION, [{ chunkId: 5000, collection: 'a', embedding: unitVectors(1, DIMENSION, 6)[0]! }]);
    const floatIds = rowIds(db, vectorTableName(DIMENSION));
    expect(floatIds).toHaveLength(198);
    expect(floatIds).toContain(5000);
    expect(rowIds(db, bitVectorTableName(DIMENSION))).toEqual(floatIds);
    expect(rowIds(db, rescoreVectorTableName(DIMENSION))).toEqual(floatIds);
  });

  it('fills missing quantized tables from the float vectors (deleted ones left out), and answers exactly until then', () => {
    const db = openDatabase();
    const plain = denseOn(db, { quantization: 'none', oversampling: 10 });
    const rows = fill(plain);
    plain.remove(DIMENSION, 'a', [3, 64, 120]);
    const quantized = denseOn(db, { quantization: 'bit', oversampling: 12 });
    const [query] = unitVectors(1, DIMENSION, 7);
    const before = quantized.nearest(DIMENSION, 'a', query!, 10);
    quantized.fillMissingQuantizedTables();
    expect(rowIds(db, bitVectorTableName(DIMENSION))).toEqual(rowIds(db, vectorTableName(DIMENSION)));
    expect(rowIds(db, rescoreVectorTableName(DIMENSION))).toEqual(rowIds(db, vectorTableName(DIMENSION)));
    const collections = db.prepare(`SELECT collection, count(*) AS n FROM ${bitVectorTableName(DIMENSION)} GROUP BY collection ORDER BY collection`).all();
    expect(collections).toEqual([{ collection: 'a', n: 117 }, { collection: 'b', n: 80 }]);
    const copied = db.prepare(`SELECT chunk_id, embedding FROM ${rescoreVectorTableName(DIMENSION)}`).all() as Array<{ chunk_id: number; embedding: Buffer }>;
    const written = new Map(rows.map((row) => [row.chunkId, Buffer.from(row.embedding.buffer, row.embedding.byteOffset, row.embedding.byteLength)]));
    expect(copied.every((row) => written.get(row.chunk_id)?.equals(row.embedding))).toBe(true);
    expect(quantized.nearest(DIMENSION, 'a', query!, 10).map((hit) => hit.id)).toEqual(before.map((hit) => hit.id));
  });

  it('keeps a dimension that bits cannot pack (not a multiple of 8) on the exact scan', () => {
    const db = openDatabase();
    const quantized = denseOn(db, { quantization: 'bit', oversampling: 1 });
    fill(quantized, 12);
    quantized.fillMissingQuantizedTables();
    expect(db.prepare('SELECT name FROM sqlite_master WHERE name = ?').get(bitVectorTableName(12))).toBeUndefined();
    const exact = denseOn(db, { quantization: 'none', oversampling: 1 });
    const [query] = unitVectors(1, 12, 8);
    expect(quantized.nearest(12, 'a', query!, 10)).toEqual(exact.nearest(12, 'a', query!, 10));
  });
});
