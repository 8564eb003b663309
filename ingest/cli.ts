// The ingest CLI as a function of its arguments, environment and output, so that tests
// run it exactly as `npm run ingest` does, without a child process.
import 'reflect-metadata';
import { ConfigError, loadConfig, type AppConfig } from '../src/config/app-config.js';
import { configSchema } from '../src/config/config.schema.js';
import { parseIngestArgs, USAGE, UsageError, type IngestOptions, type ListOptions } from './cli-args.js';
import { formatListing, listContents } from './list-contents.js';
import { TargetUnavailableError, type IngestTarget } from './ingest-target.js';
import { LocalTarget } from './local-target.js';
import { PathFilter } from './path-filter.js';
import { BarReporter, formatOutcome, LineReporter } from './progress.js';
import { runIngest, type IngestRunReport } from './run-ingest.js';
import { selectFiles, type FileSelection } from './select-files.js';
import { ServerTarget } from './server-target.js';

export { USAGE } from './cli-args.js';

export interface CliOutput {
  /** Standard output: per-file lines, the summary, the JSON summary. */
  log: (line: string) => void;
  /** Standard error: usage, failures, warnings. */
  error: (line: string) => void;
  /** A terminal to draw the progress bar on; without one, progress is one line per file. */
  progress?: NodeJS.WritableStream;
}

export interface CliRunOptions {
  /** Ctrl-C: no new file is started, files in flight finish, and the run reports what it did. */
  signal?: AbortSignal;
}

/** Exit codes: 0 all files landed, 1 some file failed, 2 bad usage, configuration or server, 130 interrupted. */
export async function runIngestCli(args: string[], env: Record<string, string | undefined>, out: CliOutput, run: CliRunOptions = {}): Promise<number> {
  let options: IngestOptions;
  let selection: FileSelection;
  let filter: PathFilter;
  let config: AppConfig | null;
  try {
    const parsed = parseIngestArgs(args, env);
    if (!parsed) {
      out.log(USAGE);
      return 0;
    }
    if ('list' in parsed) return await runList(parsed, env, out);
    options = parsed;
    filter = new PathFilter(options.include, options.exclude);
    // Only a local run reads Sift's configuration; a --server run needs none of DATA_DIR's settings.
    config = options.server ? null : loadConfig(env);
    selection = await selectFiles(options.paths, { ...(options.base !== undefined ? { base: options.base } : {}), filter });
  } catch (error) {
    if (error instanceof UsageError) {
      out.error(`${error.message}\n${USAGE.split('\n')[0]}\nRun with --help for every option.`);
      return 2;
    }
    if (error instanceof ConfigError) {
      out.error(error.message);
      return 2;
    }
    throw error;
  }

  const concurrency = options.concurrency ?? config?.jobs.ingestConcurrency ?? configSchema.shape.INGEST_CONCURRENCY.catch(4).parse(env.INGEST_CONCURRENCY || undefined);
  const target: IngestTarget = options.server
    ? new ServerTarget(options.server)
    : await LocalTarget.open(config!, (error, file) => out.error(`"${file}": ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
  const reporter = out.progress ? new BarReporter(out.progress) : new LineReporter(options.json ? null : out.log);
  let report: IngestRunReport;
  const ran = await usingTarget(target, out, () =>
    runIngest(
      target,
      selection,
      { collection: options.collection, metadata: options.metadata, concurrency, dryRun: options.dryRun, deleteMissing: options.deleteMissing, filter },
      reporter,
      run.signal,
    ),
  );
  if (ran === UNAVAILABLE) return 2;
  report = ran;

  printReport(report, options, target, out);
  if (report.stopped?.by === 'target') return 2;
  if (report.stopped?.by === 'interrupt') return 130;
  return report.summary.failed > 0 ? 1 : 0;
}

/** `--list`: prints what is stored; exit 0, or 2 when the store or server cannot be read. */
async function runList(options: ListOptions, env: Record<string, string | undefined>, out: CliOutput): Promise<number> {
  const target: IngestTarget = options.server ? new ServerTarget(options.server) : await LocalTarget.open(loadConfig(env), () => undefined);
  const listing = await usingTarget(target, out, () => listContents(target, options.collection));
  if (listing === UNAVAILABLE) return 2;
  if (options.json) out.log(JSON.stringify(listing));
  else for (const line of formatListing(listing, target.description)) out.log(line);
  return 0;
}

const UNAVAILABLE = Symbol('target unavailable');

/** Runs `work` on the target and closes it; a target that cannot go on is reported, not thrown. */
async function usingTarget<T>(target: IngestTarget, out: CliOutput, work: () => Promise<T>): Promise<T | typeof UNAVAILABLE> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof TargetUnavailableError)) throw error;
    out.error(error.message);
    return UNAVAILABLE;
  } finally {
    await target.close();
  }
}

function printReport(report: IngestRunReport, options: IngestOptions, target: IngestTarget, out: CliOutput): void {
  const failures = report.outcomes.filter((outcome) => outcome.status === 'failed');
  // The human summary goes to stdout, or to stderr when stdout is reserved for the JSON line.
  const say = options.json ? out.error : out.log;
  if (failures.length > 0) {
    out.error(`\nFailed files (${failures.length}):`);
    for (const failure of failures) out.error(formatOutcome(failure));
  }
  for (const warning of report.warnings) out.error(`Warning: ${warning}`);
  if (report.stopped?.by === 'target') out.error(`Stopped: ${report.stopped.message}`);
  if (report.stopped) {
    const deletions = options.deleteMissing ? '; nothing was deleted' : '';
    out.error(`Stopped after ${report.files - report.notStarted} of ${report.files} files${deletions}. A re-run does the rest.`);
  }
  say('');
  say(summaryLine(report, options, target));
  if (options.json) out.log(JSON.stringify(jsonReport(report, options, target)));
}

function summaryLine(report: IngestRunReport, options: IngestOptions, target: IngestTarget): string {
  const { summary } = report;
  const seconds = (report.elapsedMs / 1000).toFixed(1);
  const where = `collection "${options.collection}", ${target.description}${report.parsed !== null ? `; parsed: ${report.parsed}` : ''}; ${seconds} s`;
  if (report.dryRun) {
    const deletions = options.deleteMissing ? `, ${summary.deleted} to delete` : '';
    return `Dry run, nothing written. ${report.files} files: ${summary.created} to create, ${summary.updated} to update, ${summary.unchanged} unchanged, ${summary.failed} failed${deletions} (${where})`;
  }
  const deletions = options.deleteMissing ? `, ${summary.deleted} deleted` : '';
  return `${report.files} files: ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.failed} failed${deletions} (${where})`;
}

/** The machine-readable summary: one JSON object, the last line of standard output. */
function jsonReport(report: IngestRunReport, options: IngestOptions, target: IngestTarget) {
  return {
    collection: options.collection,
    target: target.description,
    dryRun: report.dryRun,
    files: report.files,
    summary: report.summary,
    parsed: report.parsed,
    notStarted: report.notStarted,
    stopped: report.stopped,
    elapsedMs: report.elapsedMs,
    documents: report.outcomes,
    deleted: report.deleted.map((entry) => ({ documentId: entry.id, source: entry.source })),
    failures: report.outcomes.flatMap((outcome) => (outcome.status === 'failed' ? [{ file: outcome.file, ...outcome.error }] : [])),
    warnings: report.warnings,
  };
}
