// The ingest CLI as a function of its arguments, environment and output, so that tests
// run it exactly as `npm run ingest` does, without a child process.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config/app-config.js';
import { assertCollectionName } from '../src/common/collection-name.js';
import { isSiftError } from '../src/common/errors.js';
import { CoreModule } from '../src/core.module.js';
import { IngestionService } from '../src/ingestion/ingestion.service.js';
import { formatOutcome, formatSummary, ingestFolder } from './ingest-folder.js';

export const USAGE = 'Usage: npm run ingest -- <folder> --collection <name>';

export interface CliOutput {
  log: (line: string) => void;
  error: (line: string) => void;
}

/** Exit codes: 0 all files landed, 1 some file failed, 2 bad usage or configuration. */
export async function runIngestCli(args: string[], env: Record<string, string | undefined>, out: CliOutput): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { collection: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  } catch (error) {
    out.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.log(USAGE);
    return 0;
  }
  const [folder, ...extra] = positionals;
  if (!folder || extra.length > 0 || !values.collection) {
    out.error(USAGE);
    return 2;
  }
  if (!(await stat(folder).catch(() => null))?.isDirectory()) {
    out.error(`"${folder}" is not a folder.`);
    return 2;
  }

  let config;
  try {
    assertCollectionName(values.collection);
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError || isSiftError(error)) {
      out.error(error.message);
      return 2;
    }
    throw error;
  }
  const context = await NestFactory.createApplicationContext(CoreModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const report = await ingestFolder(context.get(IngestionService), { folder, collection: values.collection }, {
      onOutcome: (outcome) => out.log(formatOutcome(outcome)),
      onUnexpected: (error) => out.error(error instanceof Error ? (error.stack ?? error.message) : String(error)),
    });
    out.log(`\n${report.outcomes.length} files: ${formatSummary(report.summary)} (collection "${values.collection}", data in ${config.dataDir})`);
    return report.summary.failed > 0 ? 1 : 0;
  } finally {
    await context.close();
  }
}
