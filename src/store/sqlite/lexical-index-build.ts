// Building a collection's lexical index from its chunk rows: the code a build runs wherever
// it runs. On a database file it runs in a worker thread (lexical-index-worker.ts), off the
// event loop that serves requests, over one read transaction: a consistent snapshot, at a
// revision the cache then replays later writes from. Where there is no worker to start (an
// in-memory database, or the sources run untranspiled by the test runner) the cache builds
// on the event loop in slices instead.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { analyzeForIndex } from '../../retrieval/ascii-analyzer.js';
import { LexicalIndex, type LexicalIndexState } from './lexical-index.js';

export interface ChunkTextRow {
  id: number;
  text: string;
  heading_path: string;
  title: string | null;
}

/** A build's result: the index and the collection revision its snapshot saw. */
export interface BuiltLexicalIndex {
  revision: number;
  index: LexicalIndex;
}

/** Adds one chunk row (chunks come in ascending id order). */
export function addChunkRow(index: LexicalIndex, row: ChunkTextRow): void {
  const headingPath = JSON.parse(row.heading_path) as string[];
  // FTS5 counts the collection marker in a row's length; counted here too, the two paths rank alike.
  index.add({ id: row.id, terms: [...analyzeForIndex(row.title ?? ''), ...analyzeForIndex(headingPath.join(' ')), ...analyzeForIndex(row.text)], extraLength: 1 });
}

// The chunks of one collection in id order. CROSS JOIN keeps chunks the outer loop (a walk of
// the rowid B-tree, each document found by key), so reading a collection is linear; left to
// itself the planner starts from the collection's documents and sorts all their chunks, which
// made the keyset slices of a build quadratic (7 minutes at 371k chunks).
export const CHUNKS_IN_ORDER_SQL = `SELECT c.id, c.text, c.heading_path, d.title FROM chunks c CROSS JOIN documents d ON d.id = c.document_id
  WHERE d.collection = ? ORDER BY c.id`;
/** The same read in keyset slices, for a build on the event loop: each slice costs O(slice). */
export const CHUNKS_AFTER_SQL = `SELECT c.id, c.text, c.heading_path, d.title FROM chunks c CROSS JOIN documents d ON d.id = c.document_id
  WHERE d.collection = ? AND c.id > ? ORDER BY c.id LIMIT ?`;

const WORKER_FILE = new URL('./lexical-index-worker.js', import.meta.url);

/** Whether builds can run in a worker thread here (the compiled worker file exists). */
export function workerBuildsAvailable(): boolean {
  return WORKER_FILE.protocol === 'file:' && existsSync(fileURLToPath(WORKER_FILE));
}

export interface WorkerBuild {
  result: Promise<BuiltLexicalIndex>;
  /** Stops the build (the store is closing); its promise then rejects. */
  cancel(): void;
}

/** Builds the collection's index in a worker thread over its own read-only connection. */
export function buildInWorker(databaseFile: string, collection: string): WorkerBuild {
  const worker = new Worker(WORKER_FILE, { workerData: { databaseFile, collection } });
  const result = new Promise<BuiltLexicalIndex>((resolve, reject) => {
    worker.once('message', (message: { revision: number; state: LexicalIndexState }) => {
      try {
        resolve({ revision: message.revision, index: LexicalIndex.fromState(message.state) });
      } catch (error) {
        reject(error as Error);
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the index build worker exited with code ${code}`)));
  });
  return { result, cancel: () => void worker.terminate() };
}
