// The embedded store's in-memory lexical index over its life: a build whose reads stay
// O(slice), writes that reach it without a rebuild, other processes that only open or read
// the file, and a restart that reads the saved index back instead of the text.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteVectorStore } from '../../src/store/sqlite/sqlite-vector-store.js';
import type { ChunkRecord, DocumentWrite, SearchPathReport } from '../../src/store/vector-store.js';
import { buildServer } from '../helpers/built-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function doc(source: string, text: string, collection = 'docs'): DocumentWrite {
  const chunk: ChunkRecord = { ordinal: 0, text, headingPath: [], start: 0, end: text.length, tokenCount: 5, contentHash: createHash('sha256').update(text).digest('hex') };
  return { id: `id-${collection}-${source}`, collection, source, title: null, format: 'text', contentHash: chunk.contentHash, sizeBytes: text.length, metadata: { n: source }, chunks: [chunk] };
}

const texts = ['Otters hold hands while sleeping.', 'Sea otters use stones as tools.', 'Bees dance to tell the hive about flowers.', 'The stock market closed higher.'];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function searched(store: SqliteVectorStore, query: string, filter?: Record<string, string>) {
  let path: SearchPathReport | undefined;
  const hits = await store.searchLexical('docs', query, { limit: 10, filter, onLexicalPath: (reported) => (path = reported) });
  return { sources: hits.map((hit) => hit.document.source), scores: hits.map((hit) => Number(hit.score.toFixed(6))), path: path! };
}

describe('SqliteVectorStore lexical index lifecycle', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: SqliteVectorStore;
  beforeEach(async () => {
    dir = makeTempDir();
    store = new SqliteVectorStore(join(dir.path, 'sift.sqlite'));
    await store.putDocuments(texts.map((text, i) => doc(`d${i}.txt`, text)));
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('reads chunks for a build in rowid order, one document lookup each, with no sort', () => {
    const { inOrder, after } = store.explainIndexBuildReads();
    const documentByKey = expect.stringMatching(/^SEARCH d USING INDEX .* \(id=\?\)$/);
    // One pass (a worker's build): a walk of the chunks' rowid B-tree.
    expect(inOrder).toEqual(['SCAN c', documentByKey]);
    // Keyset slices (a build on the event loop): each starts where the last ended.
    expect(after).toEqual(['SEARCH c USING INTEGER PRIMARY KEY (rowid>?)', documentByKey]);
    expect([...inOrder, ...after].join(' ')).not.toMatch(/TEMP B-TREE/);
  });

  it('says which path answered and why', async () => {
    expect((await searched(store, 'otters')).path).toEqual({ path: 'fts5', reason: expect.stringMatching(/index building/) });
    expect(await store.warmLexicalIndex('docs')).toBe('event-loop');
    expect((await searched(store, 'otters')).path).toEqual({ path: 'index' });
    expect((await searched(store, 'otters', { n: 'd1.txt' })).path).toEqual({ path: 'index', reason: expect.stringMatching(/filtered: first use/) });
    expect((await searched(store, 'otters', { n: 'd1.txt' })).path).toEqual({ path: 'index' });
    const ftsOnly = new SqliteVectorStore(join(dir.path, 'sift.sqlite'), { inMemoryIndex: false });
    let path: SearchPathReport | undefined;
    await ftsOnly.searchLexical('docs', 'otters', { limit: 3, onLexicalPath: (reported) => (path = reported) });
    expect(path).toEqual({ path: 'fts5', reason: 'SQLITE_LEXICAL_INDEX=fts5' });
    await ftsOnly.close();
  });

  it('takes writes into the index at once, ranking as FTS5 does over the new collection', async () => {
    await store.warmLexicalIndex('docs');
    await store.putDocument(doc('d4.txt', 'Otters and bees, an unlikely pair of friends.'));
    await store.putDocument(doc('d0.txt', 'Pandas sleep most of the day.'));
    await store.deleteDocument('docs', 'id-docs-d3.txt');
    const after = await searched(store, 'otters sleeping bees market');
    expect(after.path).toEqual({ path: 'index' });
    const ftsOnly = new SqliteVectorStore(join(dir.path, 'sift.sqlite'), { inMemoryIndex: false });
    const fromFts = (await ftsOnly.searchLexical('docs', 'otters sleeping bees market', { limit: 10 })).map((hit) => [hit.document.source, Number(hit.score.toFixed(6))]);
    await ftsOnly.close();
    expect(after.sources.map((source, i) => [source, after.scores[i]])).toEqual(fromFts);
    expect(after.sources).toContain('d4.txt');
    expect(after.sources).not.toContain('d3.txt');
  });

  it('has the search tables of its long lists computed by the time warm() returns, after a build and after a restart', async () => {
    // Long lists (128 postings or more) get their tables between requests; none left for queries.
    await store.putDocuments(Array.from({ length: 300 }, (_, i) => doc(`common${i}.txt`, `Otters and common words, number ${i}.`)));
    const tablesLeft = () => {
      const { index } = (store as unknown as { lexicalIndexes: { indexFor(c: string): { index: { prepareSearch(deadline: number): boolean } | null } } }).lexicalIndexes.indexFor('docs');
      return index ? !index.prepareSearch(performance.now() - 1) : null;
    };
    await store.warmLexicalIndex('docs');
    expect(tablesLeft()).toBe(false);
    await store.close();
    store = new SqliteVectorStore(join(dir.path, 'sift.sqlite'));
    expect(await store.warmLexicalIndex('docs')).toBe('file');
    expect(tablesLeft()).toBe(false);
    expect((await searched(store, 'otters common')).sources).toHaveLength(10);
  });

  it('reads a saved index back after a restart, and rebuilds one that is stale or damaged', async () => {
    await store.warmLexicalIndex('docs');
    await store.putDocument(doc('d4.txt', 'Otters again, written before the restart.'));
    const before = await searched(store, 'otters');
    await store.close();
    store = new SqliteVectorStore(join(dir.path, 'sift.sqlite'));
    expect(await store.warmLexicalIndex('docs')).toBe('file');
    expect(await searched(store, 'otters')).toEqual(before);

    // A write the saved file never saw (this store closes without it being searched again).
    await store.close();
    const writer = new SqliteVectorStore(join(dir.path, 'sift.sqlite'));
    await writer.putDocument(doc('d5.txt', 'Otters written while nobody searched.'));
    await writer.close();
    store = new SqliteVectorStore(join(dir.path, 'sift.sqlite'));
    expect(await store.warmLexicalIndex('docs')).toBe('event-loop');
    expect((await searched(store, 'otters')).sources).toContain('d5.txt');

    await store.close();
    const indexDir = join(dir.path, 'lexical-index');
    for (const file of readdirSync(indexDir)) writeFileSync(join(indexDir, file), 'SIFTLEX1 not an index');
    store = new SqliteVectorStore(join(dir.path, 'sift.sqlite'));
    expect(await store.warmLexicalIndex('docs')).toBe('event-loop');
    expect((await searched(store, 'otters')).sources).toContain('d5.txt');
  });
});

describe('SqliteVectorStore lexical index and other processes', () => {
  let build: ReturnType<typeof buildServer>;
  beforeAll(() => {
    build = buildServer();
  }, 60_000);
  afterAll(() => build?.remove());

  let scripts = 0;
  /** Runs a script in a separate Node process with the built store as `SqliteVectorStore`; returns what it printed. */
  function inAnotherProcess(file: string, body: string, indexBuild = 'worker'): string {
    const script = `import { rmSync } from 'node:fs';
      import { SqliteVectorStore } from ${JSON.stringify(join(build.dir, 'src/store/sqlite/sqlite-vector-store.js'))};
      let store = new SqliteVectorStore(${JSON.stringify(file)}, { indexBuild: ${JSON.stringify(indexBuild)} });
      const doc = (collection, source, text) => ({ id: 'id-' + collection + '-' + source, collection, source, title: null, format: 'text', contentHash: text, sizeBytes: 1, metadata: {},
        chunks: [{ ordinal: 0, text, headingPath: [], start: 0, end: text.length, tokenCount: 1, contentHash: text }] });
      ${body}
      await store.close();`;
    // A file, not `-e`: worker threads inherit the flags, and --input-type is refused in one.
    const scriptFile = join(build.dir, `other-process-${++scripts}.mjs`);
    writeFileSync(scriptFile, script);
    return execFileSync(process.execPath, [scriptFile], { cwd: build.dir, stdio: 'pipe', encoding: 'utf8' });
  }

  it('builds with analysis threads by default where the built code runs, ranking as the build on the event loop does', async () => {
    const dir = makeTempDir();
    const file = join(dir.path, 'sift.sqlite');
    const store = new SqliteVectorStore(file, { indexBuild: 'event-loop' });
    try {
      // Past the size from which threads are used, and many slices, so the threads count several at once and their results are put back in order.
      const many = Array.from({ length: 24_000 }, (_, i) => doc(`m${i}.txt`, `${texts[i % texts.length]} note${i % 97} café ${i % 5 === 0 ? 'otters otters' : 'market'}`));
      await store.putDocuments(many);
      expect(await store.warmLexicalIndex('docs')).toBe('event-loop');
      const queries = ['otters sleeping', 'note5 market', 'cafe bees flowers', 'note96 stones tools'];
      const here = await Promise.all(queries.map(async (query) => (await searched(store, query)).sources));
      const child = inAnotherProcess(
        file,
        `const sources = [];
        const search = async () => {
          const found = [];
          for (const query of ${JSON.stringify(queries)}) found.push((await store.searchLexical('docs', query, { limit: 10 })).map((hit) => hit.document.source));
          return found;
        };
        rmSync(${JSON.stringify(join(dir.path, 'lexical-index'))}, { recursive: true, force: true });
        const origin = await store.warmLexicalIndex('docs');
        sources.push(await search());
        // Again with the event loop held 80 ms of every 90 (as by slow requests): the build then counts slices itself too.
        await store.close();
        rmSync(${JSON.stringify(join(dir.path, 'lexical-index'))}, { recursive: true, force: true });
        store = new SqliteVectorStore(${JSON.stringify(file)}, { indexBuild: 'threads' });
        const busy = setInterval(() => { const until = performance.now() + 80; while (performance.now() < until); }, 10);
        const busyOrigin = await store.warmLexicalIndex('docs');
        clearInterval(busy);
        sources.push(await search());
        console.log(JSON.stringify({ origin, busyOrigin, sources }));`,
        'threads',
      );
      expect(JSON.parse(child)).toEqual({ origin: 'threads', busyOrigin: 'threads', sources: [here, here] });
    } finally {
      await store.close();
      dir.remove();
    }
  }, 60_000);

  it('keeps its index when another process opens the file, reads, or writes another collection; rebuilds after a real change', async () => {
    const dir = makeTempDir();
    const file = join(dir.path, 'sift.sqlite');
    const store = new SqliteVectorStore(file);
    try {
      await store.putDocuments(texts.map((text, i) => doc(`d${i}.txt`, text)));
      await store.warmLexicalIndex('docs');
      // The built store, asked to (SQLITE_INDEX_BUILD=worker), builds its index in a worker thread.
      const child = inAnotherProcess(file, `await store.listDocuments('docs', { limit: 10, offset: 0 }); await store.searchLexical('docs', 'otters', { limit: 3 });
        const origin = await store.warmLexicalIndex('docs');
        let path;
        const hits = await store.searchLexical('docs', 'otters', { limit: 3, onLexicalPath: (reported) => (path = reported) });
        await store.putDocument(doc('other', 'x.txt', 'unrelated words'));
        console.log(JSON.stringify({ origin, path, sources: hits.map((hit) => hit.document.source) }));`);
      expect(JSON.parse(child)).toEqual({ origin: 'worker', path: { path: 'index' }, sources: (await searched(store, 'otters')).sources });
      await pause(30);
      expect((await searched(store, 'otters')).path).toEqual({ path: 'index' });

      inAnotherProcess(file, `await store.putDocument(doc('docs', 'd9.txt', 'Otters from the command line.'));`);
      await pause(30);
      expect((await searched(store, 'otters')).path).toEqual({ path: 'fts5', reason: expect.stringMatching(/written by another process/) });
      await store.warmLexicalIndex('docs');
      const after = await searched(store, 'otters');
      expect(after.path).toEqual({ path: 'index' });
      expect(after.sources).toContain('d9.txt');
    } finally {
      await store.close();
      dir.remove();
    }
  }, 60_000);
});
