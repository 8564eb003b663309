// Progress while the CLI runs: a bar on a terminal (on stderr, so stdout stays clean for
// results), or one line per file when the output is a pipe or a log, which greps well.
import cliProgress from 'cli-progress';
import type { FileOutcome } from '../src/ingestion/batch-ingest.js';
import type { PlannedOutcome } from './ingest-target.js';
import type { StoredEntry } from './sync-scope.js';

export interface ProgressReporter {
  start(total: number): void;
  file(outcome: FileOutcome | PlannedOutcome, dryRun: boolean): void;
  deleted(entry: StoredEntry, dryRun: boolean): void;
  stop(): void;
}

const PLANNED_VERB = { created: 'create', updated: 'update', unchanged: 'unchanged', failed: 'failed' } as const;

export function formatOutcome(outcome: FileOutcome | PlannedOutcome, dryRun = false): string {
  if (outcome.status === 'failed') {
    // The message starts with the file's name for API clients; the line already shows it.
    const message = outcome.error.message.startsWith(`"${outcome.file}": `) ? outcome.error.message.slice(outcome.file.length + 4) : outcome.error.message;
    return `failed     ${outcome.file}  ${outcome.error.code}: ${message}`;
  }
  if (dryRun) return `${PLANNED_VERB[outcome.status].padEnd(10)} ${outcome.file}`;
  const chunks = 'chunkCount' in outcome ? outcome.chunkCount : 0;
  return `${outcome.status.padEnd(10)} ${outcome.file}  (${chunks} chunk${chunks === 1 ? '' : 's'})`;
}

export function formatDeletion(entry: StoredEntry, dryRun: boolean): string {
  return `${(dryRun ? 'delete' : 'deleted').padEnd(10)} ${entry.source}`;
}

/** One line per file and per deletion; silent when `log` is null (JSON mode writes none). */
export class LineReporter implements ProgressReporter {
  constructor(private readonly log: ((line: string) => void) | null) {}
  start(): void {}
  file(outcome: FileOutcome | PlannedOutcome, dryRun: boolean): void {
    this.log?.(formatOutcome(outcome, dryRun));
  }
  deleted(entry: StoredEntry, dryRun: boolean): void {
    this.log?.(formatDeletion(entry, dryRun));
  }
  stop(): void {}
}

/** A bar with the counts so far; failures are printed above it as they happen. */
export class BarReporter implements ProgressReporter {
  private readonly bars: cliProgress.MultiBar;
  private bar: cliProgress.SingleBar | null = null;
  private readonly counts = { created: 0, updated: 0, unchanged: 0, failed: 0 };

  constructor(stream: NodeJS.WritableStream) {
    this.bars = new cliProgress.MultiBar(
      {
        stream,
        format: '{bar} {value}/{total} files | {created} created {updated} updated {unchanged} unchanged {failed} failed | ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: false,
        barsize: 20,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  start(total: number): void {
    this.bar = this.bars.create(total, 0, this.counts);
  }

  file(outcome: FileOutcome | PlannedOutcome, dryRun: boolean): void {
    this.counts[outcome.status] += 1;
    if (outcome.status === 'failed') this.bars.log(`${formatOutcome(outcome, dryRun)}\n`);
    this.bar?.increment(1, this.counts);
  }

  deleted(entry: StoredEntry, dryRun: boolean): void {
    this.bars.log(`${formatDeletion(entry, dryRun)}\n`);
  }

  stop(): void {
    this.bars.stop();
  }
}
