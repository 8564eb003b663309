// One ingest run, whatever the target: every selected file ingested (or, in a dry run,
// planned) with bounded concurrency, then the documents whose files are gone deleted when
// asked. Stopping (Ctrl-C, or a target that fails as a whole) takes no new file, lets the
// files in flight finish, and deletes nothing: a re-run does only what is left, because
// unchanged files are skipped by fingerprint.
import pLimit from 'p-limit';
import type { FileOutcome } from '../src/ingestion/batch-ingest.js';
import type { DocumentMetadata } from '../src/store/vector-store.js';
import { TargetUnavailableError, type IngestTarget, type PlannedOutcome } from './ingest-target.js';
import type { PathFilter } from './path-filter.js';
import type { ProgressReporter } from './progress.js';
import type { FileSelection } from './select-files.js';
import { documentsToDelete, type StoredEntry } from './sync-scope.js';

export interface RunSettings {
  collection: string;
  metadata: DocumentMetadata;
  concurrency: number;
  dryRun: boolean;
  deleteMissing: boolean;
  filter: PathFilter;
}

export interface RunSummary {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  deleted: number;
}

export interface IngestRunReport {
  dryRun: boolean;
  files: number;
  /** In the order of the files; files never started (after a stop) have none. */
  outcomes: Array<FileOutcome | PlannedOutcome>;
  /** Deleted documents, or in a dry run those that would be. */
  deleted: StoredEntry[];
  notStarted: number;
  /** Why the run ended early, if it did. */
  stopped: null | { by: 'interrupt' } | { by: 'target'; message: string };
  /** Files parsed by this run, where the target can tell. */
  parsed: number | null;
  summary: RunSummary;
  warnings: string[];
  elapsedMs: number;
}

export async function runIngest(
  target: IngestTarget,
  selection: FileSelection,
  settings: RunSettings,
  reporter: ProgressReporter,
  signal?: AbortSignal,
): Promise<IngestRunReport> {
  const started = performance.now();
  let stopped: IngestRunReport['stopped'] = null;
  const halt = new AbortController();
  const onInterrupt = () => {
    stopped ??= { by: 'interrupt' };
    halt.abort();
  };
  if (signal?.aborted) onInterrupt();
  signal?.addEventListener('abort', onInterrupt, { once: true });
  const warnings: string[] = [];

  try {
    // Listed before anything is written; this run's own files are all in `present` below anyway.
    const stored = settings.deleteMissing ? await target.listDocuments(settings.collection) : [];

    reporter.start(selection.files.length);
    const limit = pLimit(settings.concurrency);
    const results = await Promise.all(
      selection.files.map((file) =>
        limit(async () => {
          if (halt.signal.aborted) return null;
          try {
            const outcome = settings.dryRun
              ? await target.plan!(file, settings.collection, settings.metadata)
              : await target.ingest(file, settings.collection, settings.metadata);
            reporter.file(outcome, settings.dryRun);
            return outcome;
          } catch (error) {
            if (!(error instanceof TargetUnavailableError)) throw error;
            stopped ??= { by: 'target', message: error.message };
            halt.abort();
            return null;
          }
        }),
      ),
    );
    const outcomes = results.filter((outcome) => outcome !== null);

    const deleted: StoredEntry[] = [];
    if (settings.deleteMissing && !halt.signal.aborted) {
      const present = new Set(selection.files.map((file) => file.source));
      const missing = documentsToDelete(stored, present, selection.roots, settings.filter);
      if (selection.files.length === 0 && missing.length > 0) {
        // An empty walk is more often an unmounted drive or a mistyped path than a folder
        // emptied on purpose; a whole collection is not deleted on that evidence.
        warnings.push(`No file was found under the given paths, so the ${missing.length} document(s) there were kept; delete them over the HTTP API or delete the collection if that is meant.`);
      } else {
        for (const entry of missing) {
          if (!settings.dryRun) {
            try {
              await target.deleteDocument(settings.collection, entry.id);
            } catch (error) {
              if (!(error instanceof TargetUnavailableError)) throw error;
              stopped ??= { by: 'target', message: error.message };
              break;
            }
          }
          deleted.push(entry);
          reporter.deleted(entry, settings.dryRun);
        }
      }
    }

    const summary: RunSummary = { created: 0, updated: 0, unchanged: 0, failed: 0, deleted: deleted.length };
    for (const outcome of outcomes) summary[outcome.status] += 1;
    return {
      dryRun: settings.dryRun,
      files: selection.files.length,
      outcomes,
      deleted,
      notStarted: selection.files.length - outcomes.length,
      stopped,
      parsed: target.parsedFiles(),
      summary,
      warnings,
      elapsedMs: Math.round(performance.now() - started),
    };
  } finally {
    reporter.stop();
    signal?.removeEventListener('abort', onInterrupt);
  }
}
