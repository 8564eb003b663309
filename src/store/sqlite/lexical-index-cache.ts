// Keeps each searched collection's in-memory BM25 index current. Only real changes count:
// every write to a collection bumps its `revision` in SQLite, and an index knows the revision
// it reflects. Writes through this store reach the index as changes after they commit (new
// chunks into its delta segment, removed ones as tombstones); a revision moved by another
// process (the ingest CLI writing a changed file) means the index missed something, and it
// is rebuilt. Opening the file, reads, and writes to other collections leave it alone.
//
// A built index is saved to a file per collection (lexical-index-file.ts) once writes settle
// and when the store closes, so a restart reads it back instead of re-analysing the text.
// A build reads the chunks in one pass of keyset slices (analysed by threads from 20,000
// chunks) and takes about half of the event loop's time while requests are waiting, so it
// finishes under load; until an index is ready, callers answer from FTS5.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep, setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { openAnalysisPool, type AnalysisPool } from './lexical-analysis-pool.js';
import { buildInWorker, countChunkRows, type BuiltLexicalIndex, type ChunkTextRow, type WorkerBuild } from './lexical-index-build.js';
import { LexicalIndex, type CountedChunks, type IndexedChunk } from './lexical-index.js';
import { readLexicalIndexFile, removeLexicalIndexFile, writeLexicalIndexFile } from './lexical-index-file.js';

/** What the cache needs from the store. */
export interface LexicalIndexSource {
  isOpen(): boolean;
  /** Up to `limit` chunks of the collection with an id above `afterId`, by id. */
  chunksAfter(collection: string, afterId: number, limit: number): ChunkTextRow[];
  /** Changes whenever another connection commits to the database file. */
  dataVersion(): number;
  /** The collection's write counter (0 for one that does not exist). */
  revisionOf(collection: string): number;
  /** The collection's chunks (0 for one that does not exist). */
  chunkCountOf(collection: string): number;
  /** When the collection was created: with the name, what tells a recreated collection from the one deleted. */
  createdAtOf(collection: string): string | null;
}

/** One committed write to a collection, as the index takes it. */
export interface LexicalChange {
  collection: string;
  /** The collection's revision before and after the write: an index at `revisionBefore` may take it. */
  revisionBefore: number;
  revisionAfter: number;
  removedIds: number[];
  added: IndexedChunk[];
}

export type IndexOrigin = 'file' | 'worker' | 'threads' | 'event-loop';

/**
 * Where a build from text runs (SQLITE_INDEX_BUILD): `threads`, slices read here and analysed
 * by a thread per core; `event-loop`, all here; `worker`, one worker thread with its own
 * connection (experimental).
 */
export type IndexBuildMode = 'threads' | 'event-loop' | 'worker';

/** Which lexical path answers a query, and why when it is not the index. */
export interface LexicalPath {
  path: 'index' | 'fts5';
  reason?: string;
}

export interface LexicalIndexCacheOptions {
  /** Where index files live; none: nothing is saved (an in-memory database). */
  directory?: string;
  /** The database file, when builds may run in a worker thread over their own connection; else they run on the event loop. */
  workerDatabaseFile?: string;
  /** Builds on the event loop hand the analysis of each slice to threads (lexical-analysis-pool.ts). */
  analysisThreads?: boolean;
}

interface Entry {
  /** Set once the index is ready. */
  index: LexicalIndex | null;
  /** The collection revision the index reflects. */
  revision: number;
  /** Why there is no index yet, for the trace. */
  reason: string;
  /** Writes committed while the index was loading or building, replayed onto it at the end. */
  pending: LexicalChange[];
  /** Changed since it was last saved. */
  dirty: boolean;
  saving: Promise<void> | null;
  /** Where the ready index came from: its saved file, or a build from the text (in a worker thread, with analysis threads, or on the event loop alone). */
  origin: IndexOrigin | null;
  /** The background computation of the ready index's search tables (LexicalIndex.prepareSearch). */
  preparing: Promise<void> | null;
}

/** Chunks read per statement while building (a keyset slice; each costs O(slice)). */
const ROWS_PER_READ = 512;
/**
 * Chunks per slice sent to an analysis thread: each comes back with its own vocabulary, which
 * this thread maps to term ids, so larger slices repeat fewer lookups (a few ms of the loop each).
 */
const ROWS_PER_THREAD_SLICE = 2048;
/**
 * A build waiting this long for a thread's slice, or kept from the event loop this long by
 * requests, counts the slices that are not back yet itself (a thread counts one in ~30 ms).
 */
const CONGESTED_AFTER_MS = 50;
/** Slices read ahead per analysis thread: what the threads count while requests hold the event loop. */
const SLICES_IN_HAND_PER_THREAD = 8;
/** Collections smaller than this build on the event loop alone (~0.3 s at this size). */
const ANALYSIS_THREADS_FROM_CHUNKS = 20_000;
// A build works at least this long per event-loop turn, and as long as the requests before it
// held the loop, up to the maximum: about half of the loop under load. Requests meanwhile are
// answered by FTS5 (~100 ms each at 400k chunks), so a build that ends sooner is what serves
// them best: at 400k under c=8 a cap of 200 ms took 44 s, 1 s takes 17 s.
const MIN_SLICE_MS = 10;
const MAX_SLICE_MS = 1000;
// Event-loop time per turn for computing a ready index's search tables (~0.3 s in all at 400k chunks).
const PREPARE_SLICE_MS = 5;
// Quiet time after the last write before an index is compacted (when due) and saved.
const SAVE_AFTER_WRITES_MS = 1000;
// How often a search asks SQLite whether another connection has written.
const DATA_VERSION_CHECK_MS = 20;

export class LexicalIndexCache {
  private readonly entries = new Map<string, Entry>();
  private readonly saveTimers = new Map<string, NodeJS.Timeout>();
  private readonly workerBuilds = new Set<WorkerBuild>();
  private seenDataVersion = -1;
  private dataVersionCheckedAt = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly source: LexicalIndexSource,
    private readonly options: LexicalIndexCacheOptions = {},
  ) {}

  /** The collection's index if it is current; otherwise starts loading it and says why there is none. */
  indexFor(collection: string): { index: LexicalIndex | null; path: LexicalPath } {
    this.checkForeignWrites();
    const entry = this.entries.get(collection) ?? this.start(collection, 'index building: first search since the start');
    return entry.index ? { index: entry.index, path: { path: 'index' } } : { index: null, path: { path: 'fts5', reason: entry.reason } };
  }

  /** Loads or builds the collection's index now and waits for it (tests, warm-ups, the bench); says where it came from. */
  async warm(collection: string): Promise<IndexOrigin | null> {
    this.checkForeignWrites();
    for (;;) {
      const entry = this.entries.get(collection) ?? this.start(collection, 'index building');
      if (entry.index || this.closed) {
        await entry.preparing;
        return entry.origin;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Whether writes to this collection should be turned into changes (someone searches it). */
  tracks(collection: string): boolean {
    return this.entries.has(collection);
  }

  /** Takes writes that just committed. */
  apply(changes: readonly LexicalChange[]): void {
    for (const change of changes) {
      const entry = this.entries.get(change.collection);
      if (!entry) continue;
      if (!entry.index) {
        entry.pending.push(change);
        continue;
      }
      if (change.revisionBefore !== entry.revision) {
        // Another process wrote in between, and this index never saw it.
        this.start(change.collection, 'index rebuilding: the collection was written by another process');
        continue;
      }
      applyChange(entry.index, change);
      entry.revision = change.revisionAfter;
      entry.dirty = true;
      this.scheduleSave(change.collection);
    }
  }

  /** The collection is gone: its index and its file too. */
  forget(collection: string): void {
    this.entries.delete(collection);
    clearTimeout(this.saveTimers.get(collection));
    this.saveTimers.delete(collection);
    const file = this.fileOf(collection);
    if (file) void removeLexicalIndexFile(file);
  }

  /** Saves what changed since the last save; after this, nothing runs. */
  async close(): Promise<void> {
    this.closed = true;
    for (const build of this.workerBuilds) build.cancel();
    for (const timer of this.saveTimers.values()) clearTimeout(timer);
    this.saveTimers.clear();
    await Promise.all([...this.entries].map(([collection, entry]) => this.save(collection, entry)));
    this.entries.clear();
  }

  private start(collection: string, reason: string): Entry {
    const entry: Entry = { index: null, revision: 0, reason, pending: [], dirty: false, saving: null, origin: null, preparing: null };
    this.entries.set(collection, entry);
    void this.load(collection, entry).catch(() => {
      // A build only fails when the store closed under it; the next search starts over.
      if (this.entries.get(collection) === entry) this.entries.delete(collection);
    });
    return entry;
  }

  private current(collection: string, entry: Entry): boolean {
    return !this.closed && this.source.isOpen() && this.entries.get(collection) === entry;
  }

  /** The saved index when it is still current, else a build from the text; then the writes made meanwhile. */
  private async load(collection: string, entry: Entry): Promise<void> {
    const file = this.fileOf(collection);
    const stored = file ? await readLexicalIndexFile(file, collection) : null;
    if (!this.current(collection, entry)) return;
    if (stored && this.catchUp(stored.index, stored.revision, entry.pending) === this.source.revisionOf(collection)) {
      this.ready(collection, entry, stored.index, 'file', entry.pending.length > 0);
      return;
    }
    for (;;) {
      const built = await this.build(collection, entry);
      if (!built || !this.current(collection, entry)) return;
      // Writes in the snapshot are skipped; the rest must follow on from it.
      if (this.catchUp(built.index, built.revision, entry.pending) === this.source.revisionOf(collection)) {
        this.ready(collection, entry, built.index, built.where, true);
        return;
      }
      // Another process wrote after the snapshot: read again.
    }
  }

  /** A build in a worker thread when there is a file to open, else on the event loop. */
  private async build(collection: string, entry: Entry): Promise<(BuiltLexicalIndex & { where: IndexOrigin }) | null> {
    const file = this.options.workerDatabaseFile;
    if (!file) return this.buildOnEventLoop(collection, entry);
    const build = buildInWorker(file, collection);
    this.workerBuilds.add(build);
    try {
      return { ...(await build.result), where: 'worker' };
    } catch {
      // A worker that could not start or read (no threads left, a locked file): build here.
      return this.closed ? null : await this.buildOnEventLoop(collection, entry);
    } finally {
      this.workerBuilds.delete(build);
    }
  }

  /** Replays changes onto an index at `revision`; the revision reached, or -1 when the chain breaks. */
  private catchUp(index: LexicalIndex, revision: number, changes: readonly LexicalChange[]): number {
    let reached = revision;
    for (const change of changes) {
      if (change.revisionAfter <= reached) continue;
      if (change.revisionBefore !== reached) return -1;
      applyChange(index, change);
      reached = change.revisionAfter;
    }
    return reached;
  }

  private ready(collection: string, entry: Entry, index: LexicalIndex, origin: IndexOrigin, dirty: boolean): void {
    entry.index = index;
    entry.revision = this.source.revisionOf(collection);
    entry.origin = origin;
    entry.pending = [];
    entry.dirty = dirty;
    this.prepare(collection, entry);
    if (dirty) this.scheduleSave(collection);
  }

  /**
   * Computes the index's search tables in slices between requests, so no query pays for them.
   * One loop at a time: a compaction while it runs resets the tables it is filling in.
   */
  private prepare(collection: string, entry: Entry): void {
    if (entry.preparing) return;
    const index = entry.index!;
    entry.preparing = (async () => {
      while (this.current(collection, entry) && entry.index === index && !index.prepareSearch(performance.now() + PREPARE_SLICE_MS)) await yieldToEventLoop();
    })().finally(() => {
      entry.preparing = null;
    });
  }

  /**
   * One pass over the collection's chunks in id order, in keyset slices. Not a snapshot:
   * writes made meanwhile are replayed, and replaying one the slices already read changes
   * nothing. With analysis threads, this thread reads and adds while they count the slices
   * ahead; alone, it counts too, and works each turn of the event loop as long as the requests
   * before it did (within bounds), so under load it still gets about half.
   */
  private async buildOnEventLoop(collection: string, entry: Entry): Promise<(BuiltLexicalIndex & { where: 'threads' | 'event-loop' }) | null> {
    const revision = this.source.revisionOf(collection);
    // Starting the threads costs more than a small collection's whole build.
    if (this.options.analysisThreads && this.source.chunkCountOf(collection) >= ANALYSIS_THREADS_FROM_CHUNKS) {
      const pool = openAnalysisPool();
      const index = new LexicalIndex();
      try {
        return (await this.addSlicesCountedBy(pool, collection, entry, index)) ? { revision, index: index.seal(), where: 'threads' } : null;
      } catch {
        // A thread that could not start or died: this build counts on the event loop instead.
        if (!this.current(collection, entry)) return null;
      } finally {
        void pool.close();
      }
    }
    const index = new LexicalIndex();
    return (await this.addSlicesCountedHere(collection, entry, index)) ? { revision, index: index.seal(), where: 'event-loop' } : null;
  }

  /**
   * Reads slices ahead for the threads to count, and adds what they counted in order. Under
   * load the event loop comes back to the build only between requests (at 400k chunks an FTS5
   * query holds it for ~100 ms), so each turn works for as long as the requests before it held
   * the loop (within bounds): it adds the slices already counted, reads more, and when the next
   * slice is not back yet it counts that one itself. The threads speed a build up; they never
   * hold it back.
   */
  private async addSlicesCountedBy(pool: AnalysisPool, collection: string, entry: Entry, index: LexicalIndex): Promise<boolean> {
    const counting: CountingSlice[] = [];
    let lastId = 0;
    let read = false;
    let budgetMs = MIN_SLICE_MS;
    let congested = false;
    try {
      for (;;) {
        const turnStarted = performance.now();
        do {
          if (!read && counting.length < SLICES_IN_HAND_PER_THREAD * pool.threads) {
            const rows = this.source.chunksAfter(collection, lastId, ROWS_PER_THREAD_SLICE);
            if (rows.length === 0) read = true;
            else {
              lastId = rows.at(-1)!.id;
              counting.push(countingSlice(pool, rows));
            }
            continue;
          }
          const head = counting[0];
          if (!head) return true;
          if (!head.counted && !congested) break;
          counting.shift();
          index.addCounted(head.counted ?? countChunkRows(head.rows));
        } while (performance.now() - turnStarted < budgetMs);
        const next = counting[0];
        const awaited = performance.now();
        await (next && !next.counted ? Promise.race([next.done, sleep(CONGESTED_AFTER_MS)]) : yieldToEventLoop());
        if (!this.current(collection, entry)) return false;
        const away = performance.now() - awaited;
        congested = away >= CONGESTED_AFTER_MS;
        budgetMs = Math.min(MAX_SLICE_MS, Math.max(MIN_SLICE_MS, away));
      }
    } finally {
      // Slices still counting when the build stops fail with the pool; nobody waits for them.
      for (const abandoned of counting) abandoned.done.catch(() => undefined);
    }
  }

  private async addSlicesCountedHere(collection: string, entry: Entry, index: LexicalIndex): Promise<boolean> {
    let lastId = 0;
    let budgetMs = MIN_SLICE_MS;
    for (;;) {
      if (!this.current(collection, entry)) return false;
      const sliceStarted = performance.now();
      do {
        const rows = this.source.chunksAfter(collection, lastId, ROWS_PER_READ);
        if (rows.length === 0) return true;
        index.addCounted(countChunkRows(rows));
        lastId = rows.at(-1)!.id;
      } while (performance.now() - sliceStarted < budgetMs);
      const yielded = performance.now();
      await yieldToEventLoop();
      budgetMs = Math.min(MAX_SLICE_MS, Math.max(MIN_SLICE_MS, performance.now() - yielded));
    }
  }

  private checkForeignWrites(): void {
    // Asked at most every few milliseconds: under load the pragma showed in profiles, and a
    // stale index can only miss a just-written chunk briefly — rows it names that are gone
    // are dropped when the chunks are read.
    const now = performance.now();
    if (now - this.dataVersionCheckedAt < DATA_VERSION_CHECK_MS) return;
    this.dataVersionCheckedAt = now;
    const version = this.source.dataVersion();
    if (version === this.seenDataVersion) return;
    this.seenDataVersion = version;
    for (const [collection, entry] of this.entries) {
      if (entry.index && this.source.revisionOf(collection) !== entry.revision) {
        this.start(collection, 'index rebuilding: the collection was written by another process');
      }
    }
  }

  private scheduleSave(collection: string): void {
    if (this.closed) return;
    clearTimeout(this.saveTimers.get(collection));
    const timer = setTimeout(() => {
      this.saveTimers.delete(collection);
      const entry = this.entries.get(collection);
      if (!entry?.index) return;
      // The merge is one linear pass over the postings; done here, while writes are quiet.
      if (entry.index.compactionDue) {
        entry.index.compact();
        this.prepare(collection, entry);
      }
      void this.save(collection, entry);
    }, SAVE_AFTER_WRITES_MS);
    // A pending save must not keep a CLI process alive; close() saves what is left.
    timer.unref();
    this.saveTimers.set(collection, timer);
  }

  private async save(collection: string, entry: Entry): Promise<void> {
    await entry.saving;
    const file = this.fileOf(collection);
    if (!file || !entry.index || !entry.dirty) return;
    entry.dirty = false;
    const write = writeLexicalIndexFile(file, collection, entry.revision, entry.index).catch(() => {
      // A full disk or a vanished directory costs a rebuild at the next start, nothing more.
      entry.dirty = true;
    });
    entry.saving = write;
    await write;
    entry.saving = null;
  }

  private fileOf(collection: string): string | null {
    if (!this.options.directory) return null;
    // Hashed: any collection name makes a safe, fixed-length file name; a collection deleted
    // and created again (its revision starting over) gets another file.
    const identity = `${collection}\n${this.source.createdAtOf(collection) ?? ''}`;
    return join(this.options.directory, `${createHash('sha256').update(identity).digest('hex').slice(0, 32)}.lexidx`);
  }
}

function applyChange(index: LexicalIndex, change: LexicalChange): void {
  for (const id of change.removedIds) index.remove(id);
  for (const chunk of change.added) index.add(chunk);
}

/** A slice sent to an analysis thread; `counted` is set once it is back. */
interface CountingSlice {
  rows: ChunkTextRow[];
  done: Promise<void>;
  counted?: CountedChunks;
}

function countingSlice(pool: AnalysisPool, rows: ChunkTextRow[]): CountingSlice {
  const slice: CountingSlice = { rows, done: Promise.resolve() };
  slice.done = pool.count(rows).then((counted) => {
    slice.counted = counted;
  });
  return slice;
}
