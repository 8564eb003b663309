// An upload carries several files; each lands or fails on its own, and the caller learns
// exactly what happened to every one of them.
import pLimit from 'p-limit';
import { ErrorCode, isSiftError, type ErrorCode as ErrorCodeType } from '../common/errors.js';
import type { IngestResult } from './ingestion.service.js';

export type FileOutcome =
  | ({ file: string } & IngestResult)
  | { file: string; status: 'failed'; error: { code: ErrorCodeType; message: string } };

export interface BatchSummary {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

export interface BatchHooks<T> {
  /** An error that is not a SiftError: a bug or an outside failure worth a log line with its stack. */
  onUnexpected: (error: unknown, file: T) => void;
  /** Called as each file finishes, for progress output; a rejection ends the batch with it. */
  onOutcome?: (outcome: FileOutcome, file: T) => void | Promise<void>;
  /** Files read and ingested at once (default 1). Memory is bounded by this many files, not the batch. */
  concurrency?: number;
  /** Once aborted, no further file is started; files in flight finish and are reported. */
  signal?: AbortSignal;
}

/** One file's outcome: its result, or the failure with a code and a message naming the file. */
export async function ingestOne<T extends { fileName: string }>(
  file: T,
  ingest: (file: T) => Promise<IngestResult>,
  onUnexpected: BatchHooks<T>['onUnexpected'],
): Promise<FileOutcome> {
  try {
    return { file: file.fileName, ...(await ingest(file)) };
  } catch (error) {
    if (!isSiftError(error)) onUnexpected(error, file);
    return {
      file: file.fileName,
      status: 'failed',
      error: isSiftError(error)
        ? { code: error.code, message: namingFile(file.fileName, error.message) }
        : { code: ErrorCode.Internal, message: `"${file.fileName}": internal error while ingesting; the log has the details.` },
    };
  }
}

/** Most messages already name their file; the others get its name in front, once. */
function namingFile(fileName: string, message: string): string {
  return message.includes(JSON.stringify(fileName)) || message.includes(`"${fileName}"`) ? message : `"${fileName}": ${message}`;
}

/**
 * Ingests the files with at most `concurrency` at once. The outcomes come back in the order of
 * the files; when `signal` stops the batch early, files never started have no outcome.
 */
export async function ingestEach<T extends { fileName: string }>(
  files: T[],
  ingest: (file: T) => Promise<IngestResult>,
  hooks: BatchHooks<T>,
): Promise<FileOutcome[]> {
  const limit = pLimit(hooks.concurrency ?? 1);
  const outcomes = await Promise.all(
    files.map((file) =>
      limit(async () => {
        if (hooks.signal?.aborted) return null;
        const outcome = await ingestOne(file, ingest, hooks.onUnexpected);
        await hooks.onOutcome?.(outcome, file);
        return outcome;
      }),
    ),
  );
  return outcomes.filter((outcome): outcome is FileOutcome => outcome !== null);
}

export function summarize(outcomes: FileOutcome[]): BatchSummary {
  const summary: BatchSummary = { created: 0, updated: 0, unchanged: 0, failed: 0 };
  for (const outcome of outcomes) summary[outcome.status] += 1;
  return summary;
}
