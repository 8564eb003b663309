// Building a collection's lexical index from its chunk rows: the code a build runs wherever
// it runs. countChunkRows is the analysis of a slice, in an analysis thread
// (lexical-analysis-pool.ts, the default) or on the event loop; with SQLITE_INDEX_BUILD=worker
// the whole build runs in a worker thread (lexical-index-worker.ts) over one read transaction:
// a consistent snapshot, at a revision the cache then replays later writes from. Where no
// thread can start (an in-memory database, or the sources run untranspiled by the test
// runner) the cache builds on the event loop in slices.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { analyzeForIndex, analyzeToTermIdsView, TERM_ID_LIMIT, termOfId, termTableGeneration } from '../../retrieval/ascii-analyzer.js';
import { LexicalIndex, MAX_TF, type CountedChunks, type LexicalIndexState } from './lexical-index.js';

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

/**
 * Analyses chunk rows (ascending ids) into counted chunks for LexicalIndex.addCounted: the
 * work of a build that can run in any thread. FTS5 counts the collection marker in a row's
 * length; counted here too, so the two paths rank alike.
 */
export function countChunkRows(rows: readonly ChunkTextRow[]): CountedChunks {
  const generation = termTableGeneration();
  const counted = countByTermIds(rows);
  // The analyzer's table started over during the batch: its ids before and after differ.
  return termTableGeneration() === generation ? counted : countByTerms(rows);
}

function fieldsOf(row: ChunkTextRow): string[] {
  return [row.title ?? '', row.heading_path === '[]' ? '' : (JSON.parse(row.heading_path) as string[]).join(' '), row.text];
}

// Per thread, indexed by the analyzer's term ids; every entry a batch sets is reset before it returns.
const countById = new Uint32Array(TERM_ID_LIMIT);
const vocabularyIndexById = new Int32Array(TERM_ID_LIMIT).fill(-1);

/**
 * Counts by the fast analyzer's term ids: no string is touched but one per distinct term of
 * the batch. Plain loops over typed arrays: this is the inner loop of a build, and a version
 * with closures and growing arrays cost as much again as the analysis.
 */
function countByTermIds(rows: readonly ChunkTextRow[]): CountedChunks {
  const vocabulary: string[] = [];
  const vocabularyIds: number[] = [];
  const count = rows.length;
  const ids = new Float64Array(count);
  const lengths = new Uint32Array(count);
  const ends = new Uint32Array(count);
  let termIndexes = new Uint32Array(1 << 16);
  let tfs = new Uint16Array(1 << 16);
  let touched = new Int32Array(1024);
  let postings = 0;
  for (let c = 0; c < count; c++) {
    const row = rows[c]!;
    let length = 1;
    let distinct = 0;
    for (const field of fieldsOf(row)) {
      const termIds = analyzeToTermIdsView(field);
      length += termIds.length;
      if (distinct + termIds.length > touched.length) touched = grownTo(touched, distinct + termIds.length);
      for (let k = 0; k < termIds.length; k++) {
        const id = termIds[k]!;
        const before = countById[id]!;
        if (before === 0) touched[distinct++] = id;
        countById[id] = before + 1;
      }
    }
    if (postings + distinct > termIndexes.length) {
      termIndexes = grownTo(termIndexes, postings + distinct);
      tfs = grownTo(tfs, postings + distinct);
    }
    for (let j = 0; j < distinct; j++) {
      const id = touched[j]!;
      let local = vocabularyIndexById[id]!;
      if (local < 0) {
        local = vocabulary.push(termOfId(id)) - 1;
        vocabularyIndexById[id] = local;
        vocabularyIds.push(id);
      }
      termIndexes[postings] = local;
      tfs[postings++] = Math.min(MAX_TF, countById[id]!);
      countById[id] = 0;
    }
    ids[c] = row.id;
    lengths[c] = length;
    ends[c] = postings;
  }
  for (const id of vocabularyIds) vocabularyIndexById[id] = -1;
  return { ids, lengths, ends, vocabulary, termIndexes: termIndexes.slice(0, postings), tfs: tfs.slice(0, postings) };
}

function grownTo<T extends Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Uint16Array<ArrayBuffer>>(array: T, needed: number): T {
  const next = new (array.constructor as new (length: number) => T)(Math.max(needed, array.length * 2));
  next.set(array);
  return next;
}

/** The same counts by term strings, for a batch during which the analyzer's ids changed. */
function countByTerms(rows: readonly ChunkTextRow[]): CountedChunks {
  const vocabulary: string[] = [];
  const indexOf = new Map<string, number>();
  const ids = new Float64Array(rows.length);
  const lengths = new Uint32Array(rows.length);
  const ends = new Uint32Array(rows.length);
  const termIndexes: number[] = [];
  const tfs: number[] = [];
  rows.forEach((row, c) => {
    const counts = new Map<number, number>();
    let length = 1;
    for (const field of fieldsOf(row)) {
      const terms = analyzeForIndex(field);
      length += terms.length;
      for (const term of terms) {
        let local = indexOf.get(term);
        if (local === undefined) {
          local = vocabulary.push(term) - 1;
          indexOf.set(term, local);
        }
        counts.set(local, (counts.get(local) ?? 0) + 1);
      }
    }
    for (const [local, count] of counts) {
      termIndexes.push(local);
      tfs.push(Math.min(MAX_TF, count));
    }
    ids[c] = row.id;
    lengths[c] = length;
    ends[c] = termIndexes.length;
  });
  return { ids, lengths, ends, vocabulary, termIndexes: Uint32Array.from(termIndexes), tfs: Uint16Array.from(tfs) };
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
