// Rows of a JSONL or CSV file, read one at a time, and the labelled copy written beside it.
// The output has the input's rows in the same order, each with its label (and, for an
// UNKNOWN, the model's raw answer or the reason), so a run that stopped can resume by
// counting the rows already written and checking they are the input's first rows.
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { createReadStream } from 'node:fs';
import { open, readFile, stat, truncate, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';

export type TableFormat = 'jsonl' | 'csv';

export class TableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableError';
  }
}

export function formatOf(path: string, given?: string): TableFormat {
  if (given === 'jsonl' || given === 'csv') return given;
  if (given !== undefined) throw new TableError(`--format must be jsonl or csv, not "${given}".`);
  const extension = extname(path).toLowerCase();
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  if (extension === '.csv') return 'csv';
  throw new TableError(`Cannot tell the format of "${path}" from its extension; name it .jsonl or .csv, or pass --format.`);
}

export interface TableRow {
  /** The record as read: a JSON object (JSONL) or column → value (CSV). */
  record: Record<string, unknown>;
  /** The text to classify; null when the row has none, with the reason in `problem`. */
  text: string | null;
  problem?: string;
}

/** Reads the rows of an input file; for CSV, `columns` is known once the first row is read. */
export class TableReader {
  columns: string[] = [];

  constructor(
    readonly path: string,
    readonly format: TableFormat,
    private readonly column: string,
  ) {}

  async *rows(): AsyncGenerator<TableRow> {
    if (this.format === 'jsonl') {
      let line = 0;
      for await (const raw of createInterface({ input: createReadStream(this.path, { encoding: 'utf8' }), crlfDelay: Infinity })) {
        line++;
        if (raw.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch {
          yield { record: { line: raw }, text: null, problem: `line ${line} is not JSON` };
          continue;
        }
        if (!value || typeof value !== 'object' || Array.isArray(value)) {
          yield { record: { value }, text: null, problem: `line ${line} is not a JSON object` };
          continue;
        }
        yield this.rowOf(value as Record<string, unknown>);
      }
      return;
    }
    const parser = createReadStream(this.path).pipe(
      parse({
        bom: true,
        columns: (header: string[]) => {
          this.columns = header;
          return header;
        },
        skip_empty_lines: true,
        relax_column_count: true,
      }),
    );
    try {
      for await (const record of parser as AsyncIterable<Record<string, string>>) yield this.rowOf(record);
    } catch (error) {
      throw new TableError(`"${this.path}" is not readable CSV: ${(error as Error).message}`);
    }
  }

  private rowOf(record: Record<string, unknown>): TableRow {
    const value = record[this.column];
    if (typeof value !== 'string') return { record, text: null, problem: `no text in the field "${this.column}"` };
    if (value.trim() === '') return { record, text: null, problem: `the field "${this.column}" is empty` };
    return { record, text: value };
  }
}

/** The fields written beside each row. */
export interface LabelFields {
  label: string;
  raw?: string;
  error?: string;
}

export interface OutputNames {
  label: string;
  raw: string;
  error: string;
}

export function outputNames(labelColumn: string): OutputNames {
  return { label: labelColumn, raw: `${labelColumn}_raw`, error: `${labelColumn}_error` };
}

/** Appends labelled rows; a CSV file gets its header when it is new. */
export class TableWriter {
  private constructor(
    private readonly handle: FileHandle,
    private readonly format: TableFormat,
    private readonly names: OutputNames,
    private headerWritten: boolean,
    private columns: string[] | null,
  ) {}

  static async open(path: string, format: TableFormat, names: OutputNames, existingRows: number): Promise<TableWriter> {
    const handle = await open(path, 'a');
    return new TableWriter(handle, format, names, existingRows > 0 || (await handle.stat()).size > 0, null);
  }

  async write(rows: Array<{ row: TableRow; fields: LabelFields }>, inputColumns: string[]): Promise<void> {
    if (rows.length === 0) return;
    let text = '';
    if (this.format === 'jsonl') {
      for (const { row, fields } of rows) {
        const extra = { [this.names.label]: fields.label, ...(fields.raw !== undefined ? { [this.names.raw]: fields.raw } : {}), ...(fields.error ? { [this.names.error]: fields.error } : {}) };
        text += `${JSON.stringify({ ...row.record, ...extra })}\n`;
      }
    } else {
      this.columns ??= [...inputColumns, this.names.label, this.names.raw, this.names.error];
      const records = rows.map(({ row, fields }) => [
        ...inputColumns.map((column) => String(row.record[column] ?? '')),
        fields.label,
        fields.raw ?? '',
        fields.error ?? '',
      ]);
      text = stringify(this.headerWritten ? records : [this.columns, ...records]);
      this.headerWritten = true;
    }
    // One write per batch of rows: a crash leaves at most one cut-off row, which resume drops.
    await this.handle.write(text);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/**
 * What an earlier run left in the output file: the texts of its complete rows, in order.
 * A row cut off by a crash (no final newline) is removed from the file.
 */
export async function readFinishedOutput(path: string, format: TableFormat, column: string, names: OutputNames): Promise<string[]> {
  const info = await stat(path).catch(() => null);
  if (!info || info.size === 0) return [];
  let content = await readFile(path, 'utf8');
  if (!content.endsWith('\n')) {
    const keep = content.lastIndexOf('\n') + 1;
    await truncate(path, Buffer.byteLength(content.slice(0, keep)));
    content = content.slice(0, keep);
  }
  const problem = (detail: string) => new TableError(`"${path}" exists but is not an earlier output of this command (${detail}); delete it or choose another --out.`);
  if (format === 'jsonl') {
    return content
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, i) => {
        let value: Record<string, unknown>;
        try {
          value = JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw problem(`line ${i + 1} is not JSON`);
        }
        if (typeof value[names.label] !== 'string') throw problem(`line ${i + 1} has no "${names.label}"`);
        return String(value[column] ?? '');
      });
  }
  let records: Array<Record<string, string>>;
  try {
    records = parseSync(content, { bom: true, columns: true, skip_empty_lines: true, relax_column_count: true }) as Array<Record<string, string>>;
  } catch (error) {
    throw problem((error as Error).message);
  }
  if (records.length > 0 && !(names.label in records[0]!)) throw problem(`no "${names.label}" column`);
  return records.map((record) => String(record[column] ?? ''));
}

/** Rows in an input file (a first pass, for progress). */
export async function countRows(path: string, format: TableFormat, column: string): Promise<number> {
  let count = 0;
  for await (const row of new TableReader(path, format, column).rows()) {
    void row;
    count++;
  }
  return count;
}
