// Keeps each searched collection's in-memory BM25 index current: dropped when the
// collection changes (here or in another process), rebuilt in the background in slices
// once writes settle. Until an index is ready, callers answer from FTS5.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { analyze } from '../../retrieval/lexical-analyzer.js';
import { LexicalIndex } from './lexical-index.js';

export interface ChunkTextRow {
  id: number;
  text: string;
  heading_path: string;
  title: string | null;
}

/** What the cache needs from the store: chunk text in id order, and SQLite's data_version. */
export interface LexicalIndexSource {
  isOpen(): boolean;
  /** Up to `limit` chunks of the collection with an id above `afterId`, by id. */
  chunksAfter(collection: string, afterId: number, limit: number): ChunkTextRow[];
  /** Changes whenever another connection commits to the database file. */
  dataVersion(): number;
}

// Chunks read per slice while building, between yields to the event loop: about 50 ms of
// work, so requests arriving during a rebuild wait at most that long.
const SLICE = 256;
// Quiet time after the last write before a searched collection's index is rebuilt.
const REBUILD_AFTER_WRITES_MS = 250;
// How often a search asks SQLite whether another connection has written.
const DATA_VERSION_CHECK_MS = 20;

export class LexicalIndexCache {
  private readonly ready = new Map<string, LexicalIndex>();
  /** Bumped whenever a collection's chunks change; a build for an older generation is dropped. */
  private readonly generations = new Map<string, number>();
  private readonly building = new Set<string>();
  /** Rebuilds waiting for a burst of writes to a searched collection to settle. */
  private readonly rebuildTimers = new Map<string, NodeJS.Timeout>();
  private seenDataVersion = -1;
  private dataVersionCheckedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly source: LexicalIndexSource) {}

  /** The collection's index if it is current; otherwise starts a build and returns null. */
  indexFor(collection: string): LexicalIndex | null {
    this.checkForeignWrites();
    const index = this.ready.get(collection);
    if (index) return index;
    if (!this.building.has(collection)) void this.build(collection, this.generationOf(collection));
    return null;
  }

  /** Builds the collection's index now and waits for it (tests and warm-ups). */
  async warm(collection: string): Promise<void> {
    this.checkForeignWrites();
    if (!this.ready.has(collection)) await this.build(collection, this.generationOf(collection));
  }

  /** Called before a write to the collection: no search may read an index that lacks it. */
  invalidate(collection: string): void {
    // A collection someone searches gets its index back soon after writes stop, so the next
    // searches need not wait for it; one nobody searched (a CLI load) is left alone.
    const searched = this.ready.has(collection) || this.building.has(collection) || this.rebuildTimers.has(collection);
    this.ready.delete(collection);
    this.generations.set(collection, this.generationOf(collection) + 1);
    if (searched) this.scheduleRebuild(collection);
  }

  close(): void {
    for (const timer of this.rebuildTimers.values()) clearTimeout(timer);
    this.rebuildTimers.clear();
    this.ready.clear();
  }

  private checkForeignWrites(): void {
    // Asked at most every few milliseconds: under load the pragma showed in profiles, and a
    // stale index can only miss a just-written chunk briefly — rows it names that are gone
    // are dropped when the chunks are read, so replaced text is never served.
    const now = performance.now();
    if (now - this.dataVersionCheckedAt < DATA_VERSION_CHECK_MS) return;
    this.dataVersionCheckedAt = now;
    const version = this.source.dataVersion();
    if (version === this.seenDataVersion) return;
    this.seenDataVersion = version;
    for (const collection of new Set([...this.ready.keys(), ...this.building])) this.invalidate(collection);
  }

  private generationOf(collection: string): number {
    return this.generations.get(collection) ?? 0;
  }

  private scheduleRebuild(collection: string): void {
    clearTimeout(this.rebuildTimers.get(collection));
    const timer = setTimeout(() => {
      this.rebuildTimers.delete(collection);
      if (!this.source.isOpen() || this.ready.has(collection)) return;
      if (this.building.has(collection)) this.scheduleRebuild(collection);
      else void this.build(collection, this.generationOf(collection));
    }, REBUILD_AFTER_WRITES_MS);
    // A pending rebuild must not keep a CLI process alive.
    timer.unref();
    this.rebuildTimers.set(collection, timer);
  }

  /** Reads the collection's chunks in slices, yielding between them so requests keep flowing. */
  private async build(collection: string, generation: number): Promise<void> {
    this.building.add(collection);
    try {
      const index = new LexicalIndex();
      let lastId = 0;
      for (;;) {
        if (!this.source.isOpen() || this.generationOf(collection) !== generation) return;
        const rows = this.source.chunksAfter(collection, lastId, SLICE);
        if (rows.length === 0) break;
        for (const row of rows) {
          const headingPath = JSON.parse(row.heading_path) as string[];
          // FTS5 counts the collection marker in a row's length; counted here too, the two paths rank alike.
          index.add({ id: row.id, terms: [...analyze(row.title ?? ''), ...analyze(headingPath.join(' ')), ...analyze(row.text)], extraLength: 1 });
        }
        lastId = rows.at(-1)!.id;
        await yieldToEventLoop();
      }
      if (this.source.isOpen() && this.generationOf(collection) === generation) this.ready.set(collection, index.seal());
    } finally {
      this.building.delete(collection);
    }
  }
}
