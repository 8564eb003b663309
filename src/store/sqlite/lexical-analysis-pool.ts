// Threads that analyse chunk text for an index build. Analysis is most of a build's cost, so
// the store's thread reads slices and adds what the threads counted: a build uses every core
// (400k chunks: 5.0 s, against 6.7 s on the event loop alone). Threads, not processes: the
// rows cross by structured clone and the counts come back transferred, and a slice of bounded
// rows cannot run a thread out of heap. workerpool hands a thread its next slice only when the
// event loop takes the last result, so under load the cache counts slices itself as well
// (lexical-index-cache.ts).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';
import type { ChunkTextRow } from './lexical-index-build.js';
import type { CountedChunks } from './lexical-index.js';

const WORKER_FILE = new URL('./lexical-analysis-worker.js', import.meta.url);
/** More threads than this gain nothing a request would not miss. */
const MAX_THREADS = 4;

/** Whether analysis threads can run here (the compiled worker file exists; not from the TypeScript sources). */
export function analysisThreadsAvailable(): boolean {
  return WORKER_FILE.protocol === 'file:' && existsSync(fileURLToPath(WORKER_FILE));
}

export interface AnalysisPool {
  /** Threads that count in parallel: how many slices a build keeps in flight, twice over. */
  readonly threads: number;
  count(rows: ChunkTextRow[]): Promise<CountedChunks>;
  close(): Promise<void>;
}

/** A pool for one build, one thread per core (at most four); closed when the build ends. */
export function openAnalysisPool(): AnalysisPool {
  const threads = Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
  const pool = workerpool.pool(fileURLToPath(WORKER_FILE), { workerType: 'thread', maxWorkers: threads, workerTerminateTimeout: 1_000 });
  return {
    threads,
    count: (rows) => pool.exec('count', [rows]) as Promise<CountedChunks>,
    close: () => pool.terminate(true).then(() => undefined),
  };
}
