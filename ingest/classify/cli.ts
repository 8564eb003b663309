// `npm run classify -- <file> [--labels A,B,C] ...`: labels each row of a JSONL or CSV file
// with the configured classify model, through the same ClassifyService as POST /v1/classify
// (no HTTP), writing a labelled copy with progress and resuming where an earlier run stopped.
// A function of its arguments, environment and output, so tests run it as npm does.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { isSiftError } from '../../src/common/errors.js';
import { CoreModule } from '../../src/core.module.js';
import { DEFAULT_LABELS } from '../../src/gateway/classify/classify-prompt.js';
import { ClassifyService } from '../../src/gateway/classify/classify.service.js';
import { classifyLabelsSchema } from '../../src/http/request-schemas.js';
import { UsageMeters } from '../../src/usage/usage-meters.js';
import { classifyFile, type ClassifyFileReport } from './classify-file.js';
import { TableError, formatOf, type TableFormat } from './table-file.js';

export const USAGE = `Usage: npm run classify -- <file.jsonl|file.csv> [options]
  --labels A,B,C         labels to choose from (default ${DEFAULT_LABELS.join(',')})
  --column <name>        field (JSONL) or column (CSV) with the text (default text)
  --out <file>           output file (default <file>.labelled.<ext>); an existing one is resumed
  --instructions <text>  extra instructions for the model
  --batch-size <n>       texts per model call (default CLASSIFY_BATCH_SIZE)
  --label-column <name>  name of the added label field (default label; also <name>_raw, <name>_error)
  --format jsonl|csv     when the extension does not say
  --provider, --model    one of the configured chat models (default: the classify stage's)`;

export interface CliOutput {
  /** Standard output: the summary. */
  log: (line: string) => void;
  /** Standard error: usage, progress, failures. */
  error: (line: string) => void;
}

interface ClassifyArgs {
  file: string;
  out: string;
  format: TableFormat;
  labels: string[];
  column: string;
  labelColumn: string;
  instructions?: string;
  batchSize?: number;
  provider?: 'gemini' | 'ollama';
  model?: string;
}

class UsageError extends Error {}

function defaultOutput(file: string): string {
  const extension = extname(file);
  return join(dirname(file), `${basename(file, extension)}.labelled${extension}`);
}

function parse(args: string[]): ClassifyArgs | null {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        labels: { type: 'string' },
        column: { type: 'string' },
        out: { type: 'string', short: 'o' },
        instructions: { type: 'string' },
        'batch-size': { type: 'string' },
        'label-column': { type: 'string' },
        format: { type: 'string' },
        provider: { type: 'string' },
        model: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return null;
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'Name the file to classify.' : 'Classify one file at a time.');
  const file = positionals[0]!;
  const labels = classifyLabelsSchema.safeParse(values.labels === undefined ? [...DEFAULT_LABELS] : values.labels.split(',').map((label) => label.trim()));
  if (!labels.success) throw new UsageError(`--labels: ${labels.error.issues.map((issue) => issue.message).join('; ')}`);
  const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 200)) throw new UsageError('--batch-size must be a whole number from 1 to 200.');
  if (values.provider !== undefined && values.provider !== 'gemini' && values.provider !== 'ollama') throw new UsageError('--provider must be gemini or ollama.');
  let format: TableFormat;
  try {
    format = formatOf(file, values.format);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const out = values.out ?? defaultOutput(file);
  if (out === file) throw new UsageError('--out must differ from the input file.');
  return {
    file,
    out,
    format,
    labels: labels.data,
    column: values.column ?? 'text',
    labelColumn: values['label-column'] ?? 'label',
    ...(values.instructions ? { instructions: values.instructions } : {}),
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(values.provider ? { provider: values.provider } : {}),
    ...(values.model ? { model: values.model } : {}),
  };
}

function formatCounts(report: ClassifyFileReport): string {
  return Object.entries(report.counts)
    .filter(([, count]) => count > 0)
    .map(([label, count]) => `${label} ${count}`)
    .join(', ');
}

/** Exit codes: 0 every row labelled and written, 1 stopped early (resume by running it again), 2 bad usage, configuration or file. */
export async function runClassifyCli(args: string[], env: Record<string, string | undefined>, out: CliOutput, run: { signal?: AbortSignal } = {}): Promise<number> {
  let options: ClassifyArgs | null;
  let config: AppConfig;
  try {
    options = parse(args);
    if (!options) {
      out.log(USAGE);
      return 0;
    }
    if (!(await stat(options.file).catch(() => null))?.isFile()) throw new UsageError(`"${options.file}" is not a file.`);
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof UsageError) {
      out.error(`${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      out.error(error.message);
      return 2;
    }
    throw error;
  }

  const context = await NestFactory.createApplicationContext(CoreModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const service = context.get(ClassifyService);
    const meter = context.get(UsageMeters).start();
    const task = service.task({ labels: options.labels, instructions: options.instructions, batchSize: options.batchSize, provider: options.provider, model: options.model });
    const started = performance.now();
    const report = await classifyFile(service, meter, {
      input: options.file,
      output: options.out,
      format: options.format,
      column: options.column,
      labelColumn: options.labelColumn,
      task,
      concurrency: config.values.CLASSIFY_CONCURRENCY,
      maxTextChars: config.values.CLASSIFY_MAX_TEXT_CHARS,
      ...(run.signal ? { signal: run.signal } : {}),
      onProgress: ({ written, total, unknown, resumed }) => {
        const seconds = (performance.now() - started) / 1000;
        const rate = seconds > 0 ? ` · ${Math.round((written - resumed) / seconds)} rows/s` : '';
        out.error(`classified ${written}/${total} (${Math.floor((written / Math.max(1, total)) * 100)}%)${rate} · ${unknown} UNKNOWN`);
      },
    });
    const usage = meter.summary();
    const model = `${task.client.model.provider}:${task.client.model.model}`;
    const resumed = report.resumed > 0 ? ` (${report.resumed} from an earlier run)` : '';
    out.log(`${report.written} of ${report.total} rows written to ${options.out}${resumed}: ${formatCounts(report) || 'none yet'}.`);
    if (report.withoutText > 0) out.log(`${report.withoutText} rows had no text in "${options.column}" (UNKNOWN, reason in ${options.labelColumn}_error).`);
    if (report.cut > 0) out.log(`${report.cut} texts were cut to ${config.values.CLASSIFY_MAX_TEXT_CHARS} characters (CLASSIFY_MAX_TEXT_CHARS).`);
    const calls = usage.stages.reduce((sum, stage) => sum + stage.calls, 0);
    out.log(`Model ${model}: ${calls} ${calls === 1 ? 'call' : 'calls'}, ${usage.totalTokens} tokens, about $${usage.costUsd.toFixed(4)}.`);
    if (report.stopped) {
      out.error(
        report.stopped.reason === 'batch-failed'
          ? `Stopped: a batch failed (${report.stopped.message}). Run the same command again to resume from row ${report.written + 1}.`
          : `Interrupted. Run the same command again to resume from row ${report.written + 1}.`,
      );
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof TableError || isSiftError(error)) {
      out.error(error.message);
      return 2;
    }
    throw error;
  } finally {
    await context.close();
  }
}
