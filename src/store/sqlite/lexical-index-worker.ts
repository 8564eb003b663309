// Worker thread entry: builds one collection's lexical index from the SQLite file and posts
// its arrays back (transferred, not copied). One read transaction holds a snapshot, so the
// index and the revision it reports belong together.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { CHUNKS_IN_ORDER_SQL, countChunkRows, type ChunkTextRow } from './lexical-index-build.js';
import { LexicalIndex } from './lexical-index.js';

const { databaseFile, collection } = workerData as { databaseFile: string; collection: string };
const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
try {
  db.pragma('busy_timeout = 5000');
  const { revision, index } = db.transaction(() => {
    const index = new LexicalIndex();
    const revision = (db.prepare('SELECT revision FROM collections WHERE name = ?').pluck().get(collection) as number | undefined) ?? 0;
    let rows: ChunkTextRow[] = [];
    for (const row of db.prepare(CHUNKS_IN_ORDER_SQL).iterate(collection) as IterableIterator<ChunkTextRow>) {
      rows.push(row);
      if (rows.length === 512) {
        index.addCounted(countChunkRows(rows));
        rows = [];
      }
    }
    index.addCounted(countChunkRows(rows));
    return { revision, index: index.seal() };
  })();
  const state = index.exportState();
  const buffers = new Set<ArrayBuffer>();
  for (const array of [state.ids, state.lengths, state.dead, state.main.starts, state.main.positions, state.main.tfs, state.deltaTerms, state.deltaStarts, state.deltaPositions, state.deltaTfs]) {
    buffers.add(array.buffer as ArrayBuffer);
  }
  parentPort!.postMessage({ revision, state }, [...buffers]);
} finally {
  db.close();
}
