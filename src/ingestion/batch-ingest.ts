// An upload carries several files; each lands or fails on its own, and the caller learns
// exactly what happened to every one of them.
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
  /** Called as each file finishes, for progress output. */
  onOutcome?: (outcome: FileOutcome) => void;
}

export async function ingestEach<T extends { fileName: string }>(
  files: T[],
  ingest: (file: T) => Promise<IngestResult>,
  hooks: BatchHooks<T>,
): Promise<FileOutcome[]> {
  const outcomes: FileOutcome[] = [];
  // One file at a time: memory stays bounded by the largest file, not the batch.
  for (const file of files) {
    let outcome: FileOutcome;
    try {
      outcome = { file: file.fileName, ...(await ingest(file)) };
    } catch (error) {
      if (!isSiftError(error)) hooks.onUnexpected(error, file);
      outcome = {
        file: file.fileName,
        status: 'failed',
        error: isSiftError(error)
          ? { code: error.code, message: `"${file.fileName}": ${error.message}` }
          : { code: ErrorCode.Internal, message: `"${file.fileName}": internal error while ingesting; the log has the details.` },
      };
    }
    outcomes.push(outcome);
    hooks.onOutcome?.(outcome);
  }
  return outcomes;
}

export function summarize(outcomes: FileOutcome[]): BatchSummary {
  const summary: BatchSummary = { created: 0, updated: 0, unchanged: 0, failed: 0 };
  for (const outcome of outcomes) summary[outcome.status] += 1;
  return summary;
}
