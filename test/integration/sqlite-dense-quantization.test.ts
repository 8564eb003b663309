// The embedded store with bit-quantized dense search, on a real SQLite file: an existing store
// gains its bit table without losing anything, writes and deletes keep both tables in step,
// and searches (filters and collections included) answer as the exact store does.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DenseSettings } from '../../src/store/sqlite/dense-vectors.js';
import { bitVectorTableName, rescoreVectorTableName, vectorTableName } from '../../src/store/sqlite/schema.js';
import { SqliteVectorStore } from '../../src/store/sqlite/sqlite-vector-store.js';
import type { ChunkRecord, DocumentWrite, ScoredChunk } from '../../src/store/vector-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const DIMENSION = 16;
const EXACT: DenseSettings = { quantization: 'none', oversampling: 10 };
// Enough candidates to cover these small collections: the quantized answer must equal the exact one.
const BIT: DenseSettings = { quantization: 'bit', oversampling: 50 };

/** A unit vector from a seed (a small LCG): the same for the same seed on every run. */
function vectorFor(seed: number): Float32Array {
  let state = seed * 2654435761 + 1;
  const values = Array.from({ length: DIMENSION }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32 - 0.5;
  });
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (value) => value / norm);
}

function chunk(ordinal: number, text: string, seed: number): ChunkRecord {
  return { ordinal, text, headingPath: [], start: 0, end: text.length, tokenCount: 2, contentHash: createHash('sha256').update(text).digest('hex'), embedding: vectorFor(seed) };
}

function doc(collection: string, source: string, seeds: number[], metadata: DocumentWrite['metadata'] = {}): DocumentWrite {
  return {
    id: `${collection}-${source}`,
    collection,
    source,
    title: null,
    format: 'text',
    contentHash: createHash('sha256').update(seeds.join(',')).digest('hex'),
    sizeBytes: 10,
    metadata,
    embeddingModel: 'test-16d',
    chunks: seeds.map((seed, ordinal) => chunk(ordinal, `${source} part ${ordinal}`, seed)),
  };
}

/** 30 documents of 2 chunks in "docs" (every third one `lang: de`), 10 in "other". */
async function fill(store: SqliteVectorStore): Promise<void> {
  await store.putDocuments(Array.from({ length: 30 }, (_, d) => doc('docs', `d${d}.txt`, [d * 2, d * 2 + 1], { lang: d % 3 === 0 ? 'de' : 'en' })));
  await store.putDocuments(Array.from({ length: 10 }, (_, d) => doc('other', `o${d}.txt`, [500 + d])));
}

const answer = (hits: ScoredChunk[]) => hits.map((hit) => ({ text: hit.chunk.text, score: Number(hit.score.toFixed(6)) }));

describe('SqliteVectorStore with SQLITE_DENSE_QUANTIZATION=bit', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let file: string;
  const opened: SqliteVectorStore[] = [];
  const open = (dense: DenseSettings) => {
    const store = new SqliteVectorStore(file, { dense });
    opened.push(store);
    return store;
  };
  /** The chunk ids in the float and the bit table, read through a connection of the test's own. */
  const tableIds = () => {
    const db = new Database(file, { readonly: true });
    sqliteVec.load(db);
    try {
      const ids = (table: string) => db.prepare(`SELECT chunk_id FROM ${table} ORDER BY chunk_id`).pluck().all() as number[];
      return { float: ids(vectorTableName(DIMENSION)), bit: ids(bitVectorTableName(DIMENSION)), rescore: ids(rescoreVectorTableName(DIMENSION)) };
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    dir = makeTempDir();
    file = `${dir.path}/sift.sqlite`;
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    dir.remove();
  });

  it('fills the bit table of a store written without it, keeping every chunk, and answers as exact search does', async () => {
    const before = open(EXACT);
    await fill(before);
    const queries = [1, 7, 42, 99].map((seed) => vectorFor(seed + 1000));
    const want = await Promise.all(queries.map(async (query) => answer(await before.searchDense('docs', query, { limit: 10 }))));
    const wantFiltered = answer(await before.searchDense('docs', queries[0]!, { limit: 5, filter: { lang: 'de' } }));
    await before.close();

    const after = open(BIT);
    const ids = tableIds();
    expect(ids.float).toHaveLength(70);
    expect(ids.bit).toEqual(ids.float);
    expect(ids.rescore).toEqual(ids.float);
    expect(await after.getCollection('docs')).toMatchObject({ documentCount: 30, chunkCount: 60, embeddingDimension: DIMENSION });
    for (const [i, query] of queries.entries()) expect(answer(await after.searchDense('docs', query, { limit: 10 }))).toEqual(want[i]);
    expect(answer(await after.searchDense('docs', queries[0]!, { limit: 5, filter: { lang: 'de' } }))).toEqual(wantFiltered);
    expect((await after.searchDense('other', queries[0]!, { limit: 20 })).map((hit) => hit.document.source).every((source) => source.startsWith('o'))).toBe(true);
  });

  it('says which dense path answered, for the trace', async () => {
    const exact = open(EXACT);
    await fill(exact);
    const reported: unknown[] = [];
    await exact.searchDense('docs', vectorFor(1), { limit: 5, onDensePath: (path) => reported.push(path) });
    await exact.close();
    const bit = open(BIT);
    await bit.searchDense('docs', vectorFor(1), { limit: 5, onDensePath: (path) => reported.push(path) });
    expect(reported).toEqual([{ path: 'exact' }, { path: 'bit', reason: 'bit first pass over 50× the candidates, rescored exactly' }]);
  });

  it('keeps the float and the bit table in step through replacements, deletes and a deleted collection', async () => {
    const store = open(BIT);
    await fill(store);
    await store.putDocument(doc('docs', 'd1.txt', [900, 901, 902]));
    await store.deleteDocument('docs', 'docs-d2.txt');
    await store.deleteCollection('other');
    const ids = tableIds();
    expect(ids.float).toHaveLength(60 - 2 + 3 - 2);
    expect(ids.bit).toEqual(ids.float);
    expect(ids.rescore).toEqual(ids.float);
    // The replaced document's new vectors are found, the deleted ones are not.
    const hits = await store.searchDense('docs', vectorFor(901), { limit: 3 });
    expect(hits[0]).toMatchObject({ chunk: { text: 'd1.txt part 1' } });
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    expect((await store.searchDense('docs', vectorFor(4), { limit: 60 })).some((hit) => hit.document.source === 'd2.txt')).toBe(false);
  });

  it('keeps the bit table in step when a store without quantization writes to the same file', async () => {
    // The quantized store's first write makes both tables; the plain store writes the rest.
    await open(BIT).putDocument(doc('docs', 'first.txt', [777]));
    const plain = open(EXACT);
    await fill(plain);
    await plain.deleteDocument('docs', 'docs-d5.txt');
    const ids = tableIds();
    expect(ids.float).toHaveLength(69);
    expect(ids.bit).toEqual(ids.float);
    expect(ids.rescore).toEqual(ids.float);
  });

  it('rebuilds the bit table after a build from before it (user_version 3) wrote past it', async () => {
    await fill(open(BIT));
    await opened.pop()!.close();
    // What an older build does: it sets user_version back to 3 and writes only the float table.
    const db = new Database(file);
    sqliteVec.load(db);
    db.pragma('user_version = 3');
    db.prepare(`DELETE FROM ${vectorTableName(DIMENSION)} WHERE chunk_id = 1`).run();
    db.close();

    const store = open(BIT);
    const ids = tableIds();
    expect(ids.float).toHaveLength(69);
    expect(ids.bit).toEqual(ids.float);
    expect(ids.rescore).toEqual(ids.float);
    expect(await store.getCollection('docs')).toMatchObject({ documentCount: 30 });
  });
});
