// Classifies the rows of a JSONL or CSV file and writes each row with its label to the output
// file, in input order, as batches finish. Batches run in parallel (CLASSIFY_CONCURRENCY)
// but are written strictly in order, so the output is always the input's first N rows: a run
// that stops (a failed batch, Ctrl-C, a crash) resumes by skipping those N rows.
import pLimit from 'p-limit';
import { isSiftError } from '../../src/common/errors.js';
import { UNKNOWN_LABEL } from '../../src/gateway/classify/classify-prompt.js';
import type { ClassifyService, ClassifyTask } from '../../src/gateway/classify/classify.service.js';
import type { UsageMeter } from '../../src/usage/usage-meter.js';
import { TableError, TableReader, TableWriter, countRows, outputNames, readFinishedOutput, type LabelFields, type TableFormat, type TableRow } from './table-file.js';

export interface ClassifyFileOptions {
  input: string;
  output: string;
  format: TableFormat;
  /** The field (JSONL) or column (CSV) holding the text. */
  column: string;
  /** The name of the label field; `<name>_raw` and `<name>_error` go beside it. */
  labelColumn: string;
  task: ClassifyTask;
  concurrency: number;
  /** Longer texts are cut to this many characters before they go to the model. */
  maxTextChars: number;
  signal?: AbortSignal;
  onProgress?: (progress: ClassifyFileProgress) => void;
}

export interface ClassifyFileProgress {
  written: number;
  total: number;
  unknown: number;
  /** Rows an earlier run had written. */
  resumed: number;
}

export interface ClassifyFileReport {
  total: number;
  /** Rows an earlier run had written (skipped this time). */
  resumed: number;
  /** Rows in the output file now. */
  written: number;
  counts: Record<string, number>;
  /** Rows without text (written as UNKNOWN with the reason). */
  withoutText: number;
  /** Texts cut to maxTextChars. */
  cut: number;
  /** Why the run stopped before the end: a batch that failed, or an interruption. */
  stopped?: { reason: 'batch-failed' | 'interrupted'; message: string };
}

interface PendingBatch {
  rows: TableRow[];
  /** The labels; or the failure that stops the run; or `skipped` when the run stopped before the batch started. */
  done: Promise<{ fields: LabelFields[] } | { error: Error } | { skipped: true }>;
}

export async function classifyFile(service: ClassifyService, meter: UsageMeter, options: ClassifyFileOptions): Promise<ClassifyFileReport> {
  const names = outputNames(options.labelColumn);
  const finished = await readFinishedOutput(options.output, options.format, options.column, names);
  const total = await countRows(options.input, options.format, options.column);
  if (finished.length > total) throw new TableError(`"${options.output}" has ${finished.length} rows but "${options.input}" only ${total}; delete it or choose another --out.`);

  const reader = new TableReader(options.input, options.format, options.column);
  const writer = await TableWriter.open(options.output, options.format, names, finished.length);
  const limit = pLimit(options.concurrency);
  const report: ClassifyFileReport = { total, resumed: finished.length, written: finished.length, counts: Object.fromEntries([...options.task.labels, UNKNOWN_LABEL].map((label) => [label, 0])), withoutText: 0, cut: 0 };
  const pending: PendingBatch[] = [];
  const stop = new AbortController();

  const launch = (rows: TableRow[]): void => {
    const texts = rows.flatMap((row) => (row.text === null ? [] : [row.text.length > options.maxTextChars ? row.text.slice(0, options.maxTextChars) : row.text]));
    report.cut += rows.filter((row) => row.text !== null && row.text.length > options.maxTextChars).length;
    const done = limit(async () => {
      if (stop.signal.aborted || options.signal?.aborted) return { skipped: true as const };
      try {
        const result = texts.length > 0 ? await service.classifyBatch(options.task, texts, meter) : { outcomes: [] };
        const outcomes = [...result.outcomes];
        const fields = rows.map((row): LabelFields => {
          if (row.text === null) return { label: UNKNOWN_LABEL, error: row.problem ?? 'no text' };
          const outcome = outcomes.shift()!;
          return { label: outcome.label, ...(outcome.raw !== undefined ? { raw: outcome.raw } : {}), ...(outcome.reason === 'no-answer' ? { error: 'the model gave no answer for this text' } : {}) };
        });
        return { fields };
      } catch (error) {
        if (!isSiftError(error)) throw error;
        return { error };
      }
    });
    pending.push({ rows, done });
  };

  /** Writes the oldest batch once it is done; false when the run must stop there. */
  const writeOldest = async (): Promise<boolean> => {
    const batch = pending.shift()!;
    const outcome = await batch.done;
    if ('skipped' in outcome) {
      report.stopped ??= { reason: 'interrupted', message: 'stopped before every batch ran' };
      return false;
    }
    if ('error' in outcome) {
      report.stopped ??= { reason: 'batch-failed', message: outcome.error.message };
      return false;
    }
    await writer.write(
      batch.rows.map((row, i) => ({ row, fields: outcome.fields[i]! })),
      reader.columns,
    );
    for (const fields of outcome.fields) report.counts[fields.label] = (report.counts[fields.label] ?? 0) + 1;
    report.withoutText += batch.rows.filter((row) => row.text === null).length;
    report.written += batch.rows.length;
    options.onProgress?.({ written: report.written, total, unknown: report.counts[UNKNOWN_LABEL] ?? 0, resumed: report.resumed });
    return true;
  };

  const halt = async () => {
    // Queued batches see the stop and skip; batches in flight finish (their calls are paid
    // for), but nothing after the stop is written: a resume redoes them.
    stop.abort();
    await Promise.allSettled(pending.map((batch) => batch.done));
    pending.length = 0;
  };

  try {
    let index = 0;
    let batch: TableRow[] = [];
    for await (const row of reader.rows()) {
      if (index < finished.length) {
        if (String(row.record[options.column] ?? '') !== finished[index]) {
          throw new TableError(`"${options.output}" does not match "${options.input}" at row ${index + 1}; it is the output of another input. Delete it or choose another --out.`);
        }
        index++;
        continue;
      }
      index++;
      batch.push(row);
      if (batch.length === options.task.batchSize) {
        launch(batch);
        batch = [];
      }
      // Keep a bounded window of batches in memory: read ahead only as far as the workers can use.
      while (pending.length >= options.concurrency * 2) {
        if (!(await writeOldest())) break;
      }
      if (report.stopped || options.signal?.aborted) break;
    }
    if (batch.length > 0 && !report.stopped && !options.signal?.aborted) launch(batch);
    while (pending.length > 0 && !report.stopped) {
      if (!(await writeOldest())) break;
    }
    if (options.signal?.aborted && report.written < total) report.stopped ??= { reason: 'interrupted', message: 'interrupted' };
  } finally {
    await halt();
    await writer.close();
  }
  return report;
}
