// Parser threads: files are detected, decoded, parsed and chunked in a pool of worker
// threads (piscina), so a slow or hostile file never holds up the thread that answers
// requests. Each thread has a heap limit and each file a time limit; a file that exceeds
// either fails alone with FILE_TOO_COMPLEX, and piscina replaces the thread it took down.
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Piscina } from 'piscina';
import { AppConfig } from '../../config/app-config.js';
import { ErrorCode, SiftError } from '../../common/errors.js';
import type { DocumentFormat } from '../document-types.js';
import type { ParseOutcome } from './parse-worker.js';
import type { PrepareFileTask, PreparedFile } from './prepare-file.js';

/** Parser threads that sit idle this long are stopped; the next file starts one again. */
const IDLE_THREAD_MS = 30_000;

/**
 * Run from source (tests, `vitest`), the worker file is TypeScript: Node strips its types,
 * and this hook maps the `.js` specifiers of the sources to their `.ts` files. Built code
 * (`dist/`) needs neither.
 */
const SOURCE_RESOLVE_HOOK = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, next) {
    try { return next(specifier, context); } catch (error) {
      if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context);
      throw error;
    }
  },
});`)}`;

function workerOptions(): { filename: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const filename = new URL(fromSource ? './parse-worker.ts' : './parse-worker.js', import.meta.url).href;
  return { filename, execArgv: fromSource ? ['--experimental-transform-types', '--no-warnings=ExperimentalWarning', '--import', SOURCE_RESOLVE_HOOK] : [] };
}

export interface ParseSettings {
  workers: number;
  heapMb: number;
  timeoutMs: number;
}

export class ParsePool {
  private readonly pool: Piscina<PrepareFileTask, ParseOutcome>;

  constructor(private readonly settings: ParseSettings) {
    this.pool = new Piscina({
      ...workerOptions(),
      minThreads: 0,
      maxThreads: settings.workers,
      idleTimeout: IDLE_THREAD_MS,
      // Young generation stays V8's default; the old generation is where documents live.
      resourceLimits: { maxOldGenerationSizeMb: settings.heapMb },
    });
  }

  /** `onParsed` hears the format of a file that got past type detection, parsed or not. */
  async prepare(task: PrepareFileTask, onParsed?: (format: DocumentFormat) => void): Promise<PreparedFile> {
    let outcome: ParseOutcome;
    try {
      outcome = await this.pool.run(task, { signal: AbortSignal.timeout(this.settings.timeoutMs) });
    } catch (error) {
      throw this.failure(error, task.source);
    }
    if (outcome.ok) {
      onParsed?.(outcome.file.format);
      return outcome.file;
    }
    if (outcome.format) onParsed?.(outcome.format);
    throw new SiftError(outcome.error.code, outcome.error.message, outcome.error.details);
  }

  /** What a thread that ran out of heap or time, or died, means for this one file. */
  private failure(error: unknown, source: string): SiftError {
    const { heapMb, timeoutMs } = this.settings;
    const failure = error as { name?: string; code?: string; message?: string };
    if (failure.name === 'AbortError') {
      return new SiftError(ErrorCode.FileTooComplex, `"${source}" took longer than ${timeoutMs} ms to parse, and was stopped; split the file, or raise PARSE_TIMEOUT_MS.`, {
        limit: 'PARSE_TIMEOUT_MS',
        timeoutMs,
      });
    }
    if (failure.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return new SiftError(ErrorCode.FileTooComplex, `"${source}" needs more than the ${heapMb} MiB of memory a parser thread has; split the file, or raise PARSE_HEAP_MB.`, {
        limit: 'PARSE_HEAP_MB',
        heapMb,
      });
    }
    return new SiftError(ErrorCode.FileTooComplex, `The parser thread stopped while reading "${source}" (${failure.message ?? String(error)}); the file could not be parsed.`, {
      limit: 'parser',
    });
  }

  /** Threads running now (for tests and metrics). */
  get threads(): number {
    return this.pool.threads.length;
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}

/** The pool the application uses, sized from the configuration and stopped with it. */
@Injectable()
export class ParserThreads extends ParsePool implements OnApplicationShutdown {
  constructor(config: AppConfig) {
    super(config.parsing);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
