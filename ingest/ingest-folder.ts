// Loads a folder into a collection with the same ingestion code the HTTP API uses, one
// file at a time, reporting each file as it finishes.
import { readFile } from 'node:fs/promises';
import { ingestEach, summarize, type BatchHooks, type BatchSummary, type FileOutcome } from '../src/ingestion/batch-ingest.js';
import type { IngestionService } from '../src/ingestion/ingestion.service.js';
import { walkFolder, type FoundFile } from './walk-folder.js';

export interface FolderIngestReport {
  outcomes: FileOutcome[];
  summary: BatchSummary;
}

export async function ingestFolder(
  ingestion: IngestionService,
  options: { folder: string; collection: string },
  hooks: BatchHooks<FoundFile & { fileName: string }>,
): Promise<FolderIngestReport> {
  const files = await walkFolder(options.folder);
  const outcomes = await ingestEach(
    files.map((file) => ({ ...file, fileName: file.relativePath })),
    async (file) => ingestion.ingestFile({ collection: options.collection, fileName: file.fileName, bytes: await readFile(file.absolutePath) }),
    hooks,
  );
  return { outcomes, summary: summarize(outcomes) };
}

export function formatOutcome(outcome: FileOutcome): string {
  if (outcome.status === 'failed') return `failed     ${outcome.file}  ${outcome.error.code}: ${outcome.error.message}`;
  return `${outcome.status.padEnd(10)} ${outcome.file}  (${outcome.chunkCount} chunk${outcome.chunkCount === 1 ? '' : 's'})`;
}

export function formatSummary(summary: BatchSummary): string {
  return `${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.failed} failed`;
}
