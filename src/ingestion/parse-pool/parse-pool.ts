// Parser processes: files are detected, decoded, parsed and chunked in a pool of child
// processes (workerpool), so a slow or hostile file never holds up the server that answers
// requests. Processes, not threads: a worker thread that hits its heap limit can take the
// whole server down with it (V8 aborts the process when the limit is reached faster than it
// can stop the thread), while a child process that runs out of heap dies alone. Each process
// has a heap limit and each file a time limit; a file that exceeds either fails alone with
// FILE_TOO_COMPLEX, and the pool starts a fresh process for the next file.
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';
import { AppConfig } from '../../config/app-config.js';
import { ErrorCode, SiftError } from '../../common/errors.js';
import type { DocumentFormat } from '../document-types.js';
import type { ParseOutcome } from './parse-worker.js';
import type { PrepareFileTask, PreparedFile } from './prepare-file.js';

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

function processOptions(heapMb: number): { script: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(fromSource ? './parse-worker.ts' : './parse-worker.js', import.meta.url));
  const source = fromSource ? ['--experimental-transform-types', '--no-warnings=ExperimentalWarning', '--import', SOURCE_RESOLVE_HOOK] : [];
  return { script, execArgv: [...source, `--max-old-space-size=${heapMb}`] };
}

export interface ParseSettings {
  workers: number;
  heapMb: number;
  timeoutMs: number;
}

export class ParsePool {
  private readonly pool: workerpool.Pool;

  constructor(private readonly settings: ParseSettings) {
    const { script, execArgv } = processOptions(settings.heapMb);
    this.pool = workerpool.pool(script, {
      workerType: 'process',
      minWorkers: 0,
      maxWorkers: settings.workers,
      workerTerminateTimeout: 1_000,
      // Structured clone, so file bytes and chunk arrays cross as they are, not as JSON.
      forkOpts: { execArgv, serialization: 'advanced', env: { ...process.env, SIFT_PARSER_PROCESS: '1' } },
    });
  }

  /** `onParsed` hears the format of a file that got past type detection, parsed or not. */
  async prepare(task: PrepareFileTask, onParsed?: (format: DocumentFormat) => void): Promise<PreparedFile> {
    let outcome: ParseOutcome;
    try {
      outcome = (await this.pool.exec('prepare', [task]).timeout(this.settings.timeoutMs)) as ParseOutcome;
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

  /** What a process that ran out of heap or time, or died, means for this one file. */
  private failure(error: unknown, source: string): SiftError {
    const { heapMb, timeoutMs } = this.settings;
    const failure = error as { name?: string; message?: string };
    if (failure.name === 'TimeoutError') {
      return new SiftError(ErrorCode.FileTooComplex, `"${source}" took longer than ${timeoutMs} ms to parse, and was stopped; split the file, or raise PARSE_TIMEOUT_MS.`, {
        limit: 'PARSE_TIMEOUT_MS',
        timeoutMs,
      });
    }
    // V8 aborts a process whose heap is full: SIGABRT, or exit code 134 where a shell reports it.
    if (/terminated Unexpectedly/.test(failure.message ?? '') && /SIGABRT|exitCode: `134`/.test(failure.message ?? '')) {
      return new SiftError(ErrorCode.FileTooComplex, `"${source}" needs more than the ${heapMb} MiB of memory a parser process has; split the file, or raise PARSE_HEAP_MB.`, {
        limit: 'PARSE_HEAP_MB',
        heapMb,
      });
    }
    return new SiftError(ErrorCode.FileTooComplex, `The parser process stopped while reading "${source}" (${(failure.message ?? String(error)).split('\n')[0]}); the file could not be parsed.`, {
      limit: 'parser',
    });
  }

  close(): Promise<void> {
    return this.pool.terminate().then(() => undefined);
  }
}

/** The pool the application uses, sized from the configuration and stopped with it. */
@Injectable()
export class ParserProcesses extends ParsePool implements OnApplicationShutdown {
  constructor(config: AppConfig) {
    super(config.parsing);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
