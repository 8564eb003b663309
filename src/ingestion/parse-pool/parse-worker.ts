// The parser process: a child process of the server (workerpool, process mode) that runs
// `prepare` on one file at a time. A SiftError does not survive the trip between processes
// as itself, so outcomes travel as plain data and become errors again in parse-pool.ts.
import workerpool from 'workerpool';
import { isSiftError, type ErrorCode } from '../../common/errors.js';
import type { DocumentFormat } from '../document-types.js';
import { prepareFile, type PrepareFileTask, type PreparedFile } from './prepare-file.js';

/** `format` is there once type detection got that far, so a failed parse still counts as one. */
export type ParseOutcome =
  | { ok: true; file: PreparedFile }
  | { ok: false; format?: DocumentFormat; error: { code: ErrorCode; message: string; details?: Record<string, unknown> } };

export async function parseInProcess(task: PrepareFileTask): Promise<ParseOutcome> {
  let format: DocumentFormat | undefined;
  try {
    return { ok: true, file: await prepareFile(task, (detected) => (format = detected)) };
  } catch (error) {
    if (!isSiftError(error)) throw error;
    return { ok: false, ...(format ? { format } : {}), error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
  }
}

// Only when started as a parser process, not when a test imports the module.
if (process.send !== undefined && process.env.SIFT_PARSER_PROCESS === '1') workerpool.worker({ prepare: parseInProcess });
