// The embedded store against a real SQLite file: transactions, replacement, deletion,
// filters and vectors, as the services rely on them.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { SCHEMA_SQL } from '../../src/store/sqlite/schema.js';
import { SqliteVectorStore } from '../../src/store/sqlite/sqlite-vector-store.js';
import type { ChunkRecord, DocumentWrite } from '../../src/store/vector-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function chunk(ordinal: number, text: string, embedding?: number[]): ChunkRecord {
  return {
    ordinal,
    text,
    headingPath: ['Guide', `Part ${ordinal}`],
    start: 0,
    end: text.length,
    tokenCount: text.split(' ').length,
    contentHash: createHash('sha256').update(text).digest('hex'),
    ...(embedding ? { embedding: Float32Array.from(embedding) } : {}),
  };
}

function doc(overrides: Partial<DocumentWrite> & Pick<DocumentWrite, 'source' | 'chunks'>): DocumentWrite {
  return {
    id: `id-${overrides.collection ?? 'docs'}-${overrides.source}`,
    collection: 'docs',
    title: null,
    format: 'text',
    contentHash: createHash('sha256').update(overrides.chunks.map((c) => c.text).join('\n')).digest('hex'),
    sizeBytes: 100,
    metadata: {},
    ...overrides,
  };
}

describe('SqliteVectorStore', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: SqliteVectorStore;

  beforeEach(() => {
    dir = makeTempDir();
    store = new SqliteVectorStore(`${dir.path}/sift.sqlite`);
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it("answers searches with the document's current title, metadata and version after writes here, in another connection, and after the collection is recreated", async () => {
    // Through the in-memory index, whose results are read by chunk id (FTS5 joins the documents itself).
    const found = async () => {
      await store.warmLexicalIndex('docs');
      let path: string | undefined;
      const hits = await store.searchLexical('docs', 'otters', { limit: 5, onLexicalPath: (reported) => (path = reported.path) });
      expect(path).toBe('index');
      return hits.map((hit) => [hit.document.title, hit.document.metadata, hit.document.version]);
    };
    await store.putDocument(doc({ source: 'a.txt', title: 'First', metadata: { team: 'a' }, chunks: [chunk(0, 'Otters hold hands.')] }));
    expect(await found()).toEqual([['First', { team: 'a' }, 1]]);
    await store.putDocument(doc({ source: 'a.txt', title: 'Second', metadata: { team: 'b' }, chunks: [chunk(0, 'Otters hold hands.')] }));
    expect(await found()).toEqual([['Second', { team: 'b' }, 2]]);
    // Another connection (the ingest CLI, another worker) rewrites the document's row under the same chunk.
    const other = new Database(`${dir.path}/sift.sqlite`);
    other.prepare("UPDATE documents SET title = 'Third', version = 3 WHERE source = 'a.txt'").run();
    other.close();
    expect(await found()).toEqual([['Third', { team: 'b' }, 3]]);
    await store.deleteCollection('docs');
    await store.putDocument(doc({ source: 'a.txt', title: 'Again', chunks: [chunk(0, 'Otters hold hands.')] }));
    expect(await found()).toEqual([['Again', {}, 1]]);
  });

  it('creates the collection on first write and finds chunks by BM25', async () => {
    await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'Otters hold hands while sleeping.'), chunk(1, 'Bees dance to share directions.')] }));
    await store.putDocument(doc({ source: 'b.txt', chunks: [chunk(0, 'The stock market closed higher.')] }));

    const hits = await store.searchLexical('docs', 'why do otters sleep holding hands', { limit: 5 });
    expect(hits[0]?.chunk.text).toBe('Otters hold hands while sleeping.');
    expect(hits[0]?.document.source).toBe('a.txt');
    expect(hits.every((hit) => hit.score > 0)).toBe(true);
    const [info] = await store.listCollections();
    expect(info).toMatchObject({ name: 'docs', documentCount: 2, chunkCount: 3 });
  });

  it('replaces every chunk of an earlier version in one write', async () => {
    expect(await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'The old launch date was March.')] }))).toBe('created');
    expect(await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'The new launch date is June.')] }))).toBe('updated');

    expect(await store.searchLexical('docs', 'March', { limit: 5 })).toEqual([]);
    const hits = await store.searchLexical('docs', 'launch date', { limit: 5 });
    expect(hits.map((hit) => hit.chunk.text)).toEqual(['The new launch date is June.']);
    expect(hits[0]?.document.version).toBe(2);
  });

  it('leaves the earlier version intact when a write fails midway', async () => {
    await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'alpha original', [1, 0, 0]), chunk(1, 'beta original', [0, 1, 0])] }));
    // The third chunk's vector has the wrong dimension: the insert throws after two chunks went in.
    const broken = doc({ source: 'a.txt', chunks: [chunk(0, 'alpha replaced', [1, 0, 0]), chunk(1, 'beta replaced', [0, 1, 0]), chunk(2, 'gamma', [1, 1])] });
    await expect(store.putDocument(broken)).rejects.toThrow(/dimension/);

    expect(await store.searchLexical('docs', 'replaced', { limit: 5 })).toEqual([]);
    const original = await store.searchLexical('docs', 'original', { limit: 5 });
    expect(original).toHaveLength(2);
    const stored = await store.findDocumentBySource('docs', 'a.txt');
    expect(stored).toMatchObject({ version: 1, chunkCount: 2 });
  });

  it('keeps a failed first write from leaving the document or its collection behind', async () => {
    await expect(store.putDocument(doc({ source: 'x.txt', chunks: [chunk(0, 'one', [1, 0]), chunk(1, 'two', [1, 0, 0])] }))).rejects.toThrow();
    expect(await store.listCollections()).toEqual([]);
    expect(await store.findDocumentBySource('docs', 'x.txt')).toBeNull();
  });

  it('deletes a document and its chunks', async () => {
    await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'zebra stripes')] }));
    const stored = await store.findDocumentBySource('docs', 'a.txt');
    expect(await store.deleteDocument('docs', stored!.id)).toBe(true);
    expect(await store.deleteDocument('docs', stored!.id)).toBe(false);
    expect(await store.searchLexical('docs', 'zebra', { limit: 5 })).toEqual([]);
    expect(await store.getChunks('docs', stored!.id)).toEqual([]);
  });

  it('keeps collections apart and deletes one whole', async () => {
    await store.putDocument(doc({ collection: 'red', source: 'a.txt', chunks: [chunk(0, 'shared words here')] }));
    await store.putDocument(doc({ collection: 'blue', source: 'a.txt', chunks: [chunk(0, 'shared words there')] }));
    expect((await store.searchLexical('red', 'shared words', { limit: 5 })).map((h) => h.chunk.text)).toEqual(['shared words here']);

    expect(await store.deleteCollection('red')).toBe(true);
    expect(await store.searchLexical('red', 'shared', { limit: 5 })).toEqual([]);
    expect(await store.searchLexical('blue', 'shared', { limit: 5 })).toHaveLength(1);
    expect((await store.listCollections()).map((c) => c.name)).toEqual(['blue']);
  });

  it('filters on metadata with equality and any-of', async () => {
    await store.putDocument(doc({ source: 'en.txt', metadata: { lang: 'en', year: 2024, draft: false }, chunks: [chunk(0, 'solar panels')] }));
    await store.putDocument(doc({ source: 'de.txt', metadata: { lang: 'de', year: 2023, draft: true }, chunks: [chunk(0, 'solar panels')] }));
    await store.putDocument(doc({ source: 'fr.txt', metadata: { lang: 'fr', year: 2024, draft: false }, chunks: [chunk(0, 'solar panels')] }));

    const sources = async (filter: Record<string, string | number | boolean | Array<string | number>>) =>
      (await store.searchLexical('docs', 'solar', { limit: 10, filter })).map((hit) => hit.document.source).sort();
    expect(await sources({ lang: 'en' })).toEqual(['en.txt']);
    expect(await sources({ lang: ['en', 'de'] })).toEqual(['de.txt', 'en.txt']);
    expect(await sources({ year: 2024, draft: false })).toEqual(['en.txt', 'fr.txt']);
    expect(await sources({ draft: true })).toEqual(['de.txt']);
    expect(await sources({ source: 'fr.txt' })).toEqual(['fr.txt']);
  });

  it('ranks by BM25 and applies the limit after the filter, not before', async () => {
    await store.putDocument(doc({ source: 'best.txt', metadata: { lang: 'de' }, chunks: [chunk(0, 'solar solar solar panels')] }));
    await store.putDocument(doc({ source: 'good.txt', metadata: { lang: 'en' }, chunks: [chunk(0, 'solar panels on roofs and other things')] }));
    await store.putDocument(doc({ source: 'weak.txt', metadata: { lang: 'en' }, chunks: [chunk(0, 'panels of wood, glass, steel and other things')] }));

    const unfiltered = await store.searchLexical('docs', 'solar panels', { limit: 3 });
    expect(unfiltered.map((hit) => hit.document.source)).toEqual(['best.txt', 'good.txt', 'weak.txt']);
    expect(unfiltered[0]!.score).toBeGreaterThan(unfiltered[1]!.score);
    const filtered = await store.searchLexical('docs', 'solar panels', { limit: 1, filter: { lang: 'en' } });
    expect(filtered.map((hit) => hit.document.source)).toEqual(['good.txt']);
  });

  it('finds nearest vectors and refuses a query of another dimension', async () => {
    await store.putDocument(doc({ source: 'v.txt', embeddingModel: 'test-3d', chunks: [chunk(0, 'east', [1, 0, 0]), chunk(1, 'north', [0, 1, 0])] }));
    const hits = await store.searchDense('docs', Float32Array.from([0.9, 0.1, 0]), { limit: 2 });
    expect(hits.map((hit) => hit.chunk.text)).toEqual(['east', 'north']);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    await expect(store.searchDense('docs', Float32Array.from([1, 0]), { limit: 2 })).rejects.toThrow(/re-index/);
  });

  it('survives reopening the file', async () => {
    await store.putDocument(doc({ source: 'keep.txt', chunks: [chunk(0, 'durable words')] }));
    await store.close();
    store = new SqliteVectorStore(`${dir.path}/sift.sqlite`);
    expect(await store.searchLexical('docs', 'durable', { limit: 1 })).toHaveLength(1);
  });

  it('treats FTS operator characters in queries as plain words', async () => {
    await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'near or and not')] }));
    await expect(store.searchLexical('docs', 'NEAR( "x" AND * OR ^ -', { limit: 5 })).resolves.toBeDefined();
    expect(await store.searchLexical('docs', '*** ((( ', { limit: 5 })).toEqual([]);
  });
});

describe('SqliteVectorStore schema upgrade', () => {
  it('upgrades a version-1 file and counts the documents it already holds', async () => {
    const dir = makeTempDir();
    try {
      const file = `${dir.path}/sift.sqlite`;
      const raw = new Database(file);
      sqliteVec.load(raw);
      // Version 1 had no counters on the collection row (nor the revision of version 3).
      raw.exec(SCHEMA_SQL.replace(/embedding_dimension INTEGER,[\s\S]*?revision INTEGER NOT NULL DEFAULT 0/, 'embedding_dimension INTEGER'));
      raw.pragma('user_version = 1');
      raw.prepare("INSERT INTO collections (name, created_at) VALUES ('old', '2026-01-01')").run();
      raw.prepare(
        "INSERT INTO documents (id, collection, source, title, format, content_hash, size_bytes, metadata, chunk_count, version, created_at, updated_at) VALUES ('d1', 'old', 'a.txt', NULL, 'text', 'h', 1, '{}', 3, 1, 'x', 'x')",
      ).run();
      raw.close();

      const store = new SqliteVectorStore(file);
      expect(await store.getCollection('old')).toMatchObject({ documentCount: 1, chunkCount: 3 });
      await store.putDocument(doc({ collection: 'old', source: 'b.txt', chunks: [chunk(0, 'new text')] }));
      expect(await store.getCollection('old')).toMatchObject({ documentCount: 2, chunkCount: 4 });
      await store.close();
    } finally {
      dir.remove();
    }
  });
});

describe('SqliteVectorStore in-memory lexical index', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: SqliteVectorStore;
  const texts = [
    'Otters hold hands while sleeping on the water.',
    'Sea otters use stones as tools to open shells.',
    'Bees dance to tell the hive where flowers grow.',
    'The otter population recovered after the fur trade ended.',
    'Stock markets closed higher after the bank spoke.',
  ];

  beforeEach(async () => {
    dir = makeTempDir();
    store = new SqliteVectorStore(`${dir.path}/sift.sqlite`);
    for (const [i, text] of texts.entries()) await store.putDocument(doc({ source: `d${i}.txt`, title: i === 1 ? 'Tool use' : null, chunks: [chunk(0, text)] }));
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  const ranked = async (query: string) => (await store.searchLexical('docs', query, { limit: 10 })).map((hit) => [hit.document.source, Number(hit.score.toFixed(6))]);

  it('ranks as the FTS5 path does once built', async () => {
    const fromFts = await ranked('otters sleeping tools');
    await store.warmLexicalIndex('docs');
    const fromIndex = await ranked('otters sleeping tools');
    expect(fromIndex.map(([source]) => source)).toEqual(fromFts.map(([source]) => source));
    expect(fromIndex.map(([source]) => source).slice(0, 2)).toEqual(['d1.txt', 'd0.txt']);
  });

  it('never serves text a write replaced, and catches up with the write', async () => {
    await store.warmLexicalIndex('docs');
    await store.putDocument(doc({ source: 'd2.txt', chunks: [chunk(0, 'Wasps build paper nests.')] }));
    expect(await ranked('bees hive')).toEqual([]);
    await store.warmLexicalIndex('docs');
    expect((await ranked('wasps')).map(([source]) => source)).toEqual(['d2.txt']);
    expect(await ranked('bees hive')).toEqual([]);
  });

  it('notices writes made by another connection, and never serves text that one replaced', async () => {
    await store.warmLexicalIndex('docs');
    const other = new SqliteVectorStore(`${dir.path}/sift.sqlite`);
    await other.putDocument(doc({ source: 'd2.txt', chunks: [chunk(0, 'Penguins huddle for warmth.')] }));
    await other.close();
    // Straight away: the replaced text is gone even if the index has not caught up yet.
    expect(await ranked('bees hive')).toEqual([]);
    // Within the data_version check interval (20 ms) the index is dropped and FTS5 answers.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await ranked('penguins')).map(([source]) => source)).toEqual(['d2.txt']);
  });
});

describe('SqliteVectorStore filtered search through the in-memory index', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: SqliteVectorStore;

  beforeEach(async () => {
    dir = makeTempDir();
    store = new SqliteVectorStore(`${dir.path}/sift.sqlite`);
    for (let i = 0; i < 12; i++) {
      const metadata = { lang: i % 3 === 0 ? 'de' : 'en', year: 2020 + (i % 4) };
      await store.putDocument(doc({ source: `n${i}.txt`, metadata, chunks: [chunk(0, `Coffee note ${i}: ${'coffee '.repeat(12 - i)}beans from farm ${i}.`)] }));
    }
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  const sources = async (filter: Record<string, string | number | Array<string | number>>) =>
    (await store.searchLexical('docs', 'coffee farm beans', { limit: 5, filter })).map((hit) => [hit.document.source, Number(hit.score.toFixed(6))]);

  it('ranks filtered queries as the FTS5 path does', async () => {
    const filters: Array<Record<string, string | number | Array<string | number>>> = [{ lang: 'de' }, { lang: 'en', year: [2021, 2023] }, { year: 2022 }, { source: 'n4.txt' }, { lang: 'fr' }];
    const fromFts = await Promise.all(filters.map(sources));
    await store.warmLexicalIndex('docs');
    for (const [i, filter] of filters.entries()) {
      const fromIndex = await sources(filter);
      expect(fromIndex.map(([source]) => source)).toEqual(fromFts[i]!.map(([source]) => source));
      // Asked twice: the second answer comes from the index's cached filter.
      expect(await sources(filter)).toEqual(fromIndex);
    }
    expect((await sources({ lang: 'de' })).map(([source]) => source).sort()).toEqual(['n0.txt', 'n3.txt', 'n6.txt', 'n9.txt']);
  });

  it('sees a document whose metadata changed, not the filter result from before', async () => {
    await store.warmLexicalIndex('docs');
    expect((await sources({ lang: 'fr' })).map(([source]) => source)).toEqual([]);
    await store.putDocument(doc({ source: 'n1.txt', metadata: { lang: 'fr' }, chunks: [chunk(0, 'Coffee beans from a French farm.')] }));
    expect((await sources({ lang: 'fr' })).map(([source]) => source)).toEqual(['n1.txt']);
    await store.warmLexicalIndex('docs');
    expect((await sources({ lang: 'fr' })).map(([source]) => source)).toEqual(['n1.txt']);
    expect((await sources({ lang: 'en' })).map(([source]) => source)).not.toContain('n1.txt');
  });
});

describe('SqliteVectorStore without the in-memory index (SQLITE_LEXICAL_INDEX=fts5)', () => {
  it('answers every query, filtered or not, as the in-memory index does', async () => {
    const dir = makeTempDir();
    const indexed = new SqliteVectorStore(`${dir.path}/sift.sqlite`);
    const ftsOnly = new SqliteVectorStore(`${dir.path}/sift.sqlite`, { inMemoryIndex: false });
    try {
      for (let i = 0; i < 12; i++) {
        await indexed.putDocument(doc({ source: `n${i}.txt`, metadata: { lang: i % 2 ? 'en' : 'de' }, chunks: [chunk(0, `Tea note ${i}: ${'tea '.repeat(12 - i)}leaves from garden ${i}.`)] }));
      }
      await indexed.warmLexicalIndex('docs');
      await ftsOnly.warmLexicalIndex('docs');
      for (const filter of [undefined, { lang: 'en' }]) {
        const ranked = async (store: SqliteVectorStore) =>
          (await store.searchLexical('docs', 'tea garden leaves', { limit: 6, filter })).map((hit) => [hit.document.source, Number(hit.score.toFixed(6))]);
        expect(await ranked(ftsOnly)).toEqual(await ranked(indexed));
      }
      // A write through the other connection shows at once: there is no index to catch up.
      await indexed.putDocument(doc({ source: 'n0.txt', chunks: [chunk(0, 'Oolong from a mountain garden.')] }));
      expect((await ftsOnly.searchLexical('docs', 'oolong', { limit: 3 })).map((hit) => hit.document.source)).toEqual(['n0.txt']);
    } finally {
      await ftsOnly.close();
      await indexed.close();
      dir.remove();
    }
  });
});

describe('SqliteVectorStore lexical paths', () => {
  it('scores a collection alike through FTS5 and the in-memory index', async () => {
    const dir = makeTempDir();
    const store = new SqliteVectorStore(`${dir.path}/sift.sqlite`);
    try {
      for (let i = 0; i < 12; i++) {
        await store.putDocument(doc({ source: `n${i}.txt`, chunks: [chunk(0, `Coffee note ${i}: ${'coffee '.repeat(12 - i)}beans from farm ${i}.`)] }));
      }
      const scores = async () => (await store.searchLexical('docs', 'coffee farm beans', { limit: 12 })).map((hit) => [hit.document.source, hit.score]);
      const fromFts = await scores();
      await store.warmLexicalIndex('docs');
      const fromIndex = await scores();
      expect(fromIndex.map(([source]) => source)).toEqual(fromFts.map(([source]) => source));
      fromIndex.forEach(([, score], i) => expect(score).toBeCloseTo(fromFts[i]![1] as number, 6));
    } finally {
      await store.close();
      dir.remove();
    }
  });
});
