// Reads a BEIR-format retrieval dataset from a folder:
//   corpus.jsonl or corpus.jsonl.gz   {"_id", "title"?, "text"} per line
//   queries.jsonl (or .jsonl.gz)      {"_id", "text"} per line
//   qrels.tsv (or BEIR's qrels/test.tsv)  query-id <tab> corpus-id <tab> score, header optional
// The corpus is streamed (gunzipped on the fly) so a large one never sits in memory whole.
// Every problem names the file and line, because the person running an evaluation on their
// own data needs to know what to fix, not that JSON.parse failed somewhere.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Judgments, Qrels } from './metrics.js';

export class DatasetError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'DatasetError';
  }
}

export interface CorpusDocument {
  id: string;
  title: string;
  text: string;
}

export interface DatasetFiles {
  folder: string;
  corpus: string;
  queries: string;
  qrels: string;
}

export interface BeirDataset {
  files: DatasetFiles;
  /** Query id -> text, for the queries that have qrels. */
  queries: Map<string, string>;
  qrels: Qrels;
  /** Query ids in qrels that queries.jsonl does not have: they cannot be run. */
  missingQueries: string[];
}

/** Finds the three files, or says which one is missing and what names were looked for. */
export function locateDataset(folder: string): DatasetFiles {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new DatasetError(folder, 'no such folder; pass --dataset <folder> holding corpus.jsonl, queries.jsonl and qrels.tsv');
  }
  const pick = (what: string, names: string[]): string => {
    const found = names.map((name) => join(folder, name)).find((path) => existsSync(path));
    if (!found) throw new DatasetError(join(folder, names[0]!), `missing; the ${what} is looked for as ${names.join(' or ')}`);
    return found;
  };
  return {
    folder,
    corpus: pick('corpus', ['corpus.jsonl', 'corpus.jsonl.gz']),
    queries: pick('query file', ['queries.jsonl', 'queries.jsonl.gz']),
    qrels: pick('relevance judgments file', ['qrels.tsv', 'qrels/test.tsv']),
  };
}

/** Locates the files and reads queries and qrels; the corpus is read later with readCorpus. */
export async function loadDataset(folder: string): Promise<BeirDataset> {
  const files = locateDataset(folder);
  const qrels = await readQrels(files.qrels);
  const allQueries = await readQueries(files.queries);
  const queries = new Map<string, string>();
  const missingQueries: string[] = [];
  for (const queryId of qrels.keys()) {
    const text = allQueries.get(queryId);
    if (text === undefined) missingQueries.push(queryId);
    else queries.set(queryId, text);
  }
  return { files, queries, qrels, missingQueries };
}

export async function* readCorpus(file: string): AsyncGenerator<CorpusDocument> {
  for await (const { line, number } of readLines(file)) {
    const record = parseJsonObject(file, line, number);
    yield {
      id: requireId(file, record, number),
      title: optionalString(file, record, 'title', number),
      text: optionalString(file, record, 'text', number),
    };
  }
}

export async function readQueries(file: string): Promise<Map<string, string>> {
  const queries = new Map<string, string>();
  for await (const { line, number } of readLines(file)) {
    const record = parseJsonObject(file, line, number);
    const id = requireId(file, record, number);
    const text = optionalString(file, record, 'text', number);
    if (text.trim() === '') throw new DatasetError(file, `line ${number}: query "${id}" has no "text"`);
    queries.set(id, text);
  }
  return queries;
}

/**
 * Reads `query-id corpus-id score` rows (tab or space separated); TREC's four-column form
 * `query-id iteration corpus-id score` is accepted too. A first row whose score is not a
 * number is taken as a header. Grades may be any integer; 0 or less means not relevant.
 */
export async function readQrels(file: string): Promise<Qrels> {
  const qrels = new Map<string, Map<string, number>>();
  let first = true;
  for await (const { line, number } of readLines(file)) {
    const columns = line.trim().split(/\s+/);
    if (columns.length !== 3 && columns.length !== 4) {
      throw new DatasetError(file, `line ${number}: expected "query-id<TAB>corpus-id<TAB>score", got ${columns.length} column(s)`);
    }
    const [queryId, documentId, rawScore] =
      columns.length === 3 ? (columns as [string, string, string]) : [columns[0]!, columns[2]!, columns[3]!];
    const score = Number(rawScore);
    if (!Number.isInteger(score)) {
      if (first) {
        first = false;
        continue; // a header such as "query-id corpus-id score"
      }
      throw new DatasetError(file, `line ${number}: score "${rawScore}" is not an integer grade`);
    }
    first = false;
    let judgments = qrels.get(queryId);
    if (!judgments) qrels.set(queryId, (judgments = new Map()));
    judgments.set(documentId, score);
  }
  if (qrels.size === 0) throw new DatasetError(file, 'holds no judgments');
  return qrels as Map<string, Judgments>;
}

async function* readLines(file: string): AsyncGenerator<{ line: string; number: number }> {
  const raw = createReadStream(file);
  // pipeline() passes a read error or a gzip error on to the stream readline consumes.
  const input = file.endsWith('.gz') ? pipeline(raw, createGunzip(), () => undefined) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const text of lines) {
      number += 1;
      const line = number === 1 ? text.replace(/^\uFEFF/, '') : text;
      if (line.trim() !== '') yield { line, number };
    }
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatasetError(file, `cannot be read${file.endsWith('.gz') ? ' as gzip' : ''} (after line ${number}): ${reason}`);
  } finally {
    lines.close();
    raw.destroy();
  }
}

function parseJsonObject(file: string, line: string, number: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new DatasetError(file, `line ${number}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DatasetError(file, `line ${number}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

function requireId(file: string, record: Record<string, unknown>, number: number): string {
  const id = record._id;
  // Some exports write numeric ids; qrels compare them as text.
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id !== 'string' || id === '') throw new DatasetError(file, `line ${number}: "_id" is missing or not a string`);
  return id;
}

function optionalString(file: string, record: Record<string, unknown>, key: string, number: number): string {
  const value = record[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new DatasetError(file, `line ${number}: "${key}" is not a string`);
  return value;
}
