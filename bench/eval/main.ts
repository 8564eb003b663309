// `npm run eval -- --dataset <folder> [--rerank <mode>] [--candidates N] [--json]`
// Prints a table for people; with --json the last line of stdout is one JSON object for
// scripts. Exit codes: 0 done, 2 bad flags or a missing/malformed dataset file, 1 anything else.
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatCount, formatMs, formatTable } from '../common/report.js';
import { DatasetError } from './beir-dataset.js';
import { runEvaluation, type EvalReport } from './run-eval.js';

const USAGE = `Usage: npm run eval -- --dataset <folder> [--rerank <mode>] [--candidates N] [--json]

  --dataset <folder>  BEIR folder: corpus.jsonl(.gz), queries.jsonl, qrels.tsv
  --rerank <mode>     reranker to put after retrieval (default none; the evaluation runs none yet)
  --candidates <N>    documents retrieval hands on, default 100 (Recall@100 needs 100)
  --json              end the output with one line of JSON holding the figures`;

class UsageError extends Error {}

interface CliOptions {
  datasetDir: string;
  rerank: string;
  candidates: number;
  json: boolean;
}

function parseCli(argv: string[]): CliOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        dataset: { type: 'string' },
        rerank: { type: 'string', default: 'none' },
        candidates: { type: 'string', default: '100' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (!values.dataset) throw new UsageError('--dataset <folder> is required');
  const candidates = Number(values.candidates);
  if (!Number.isInteger(candidates) || candidates < 1 || candidates > 1000) {
    throw new UsageError(`--candidates must be a whole number from 1 to 1000 (got "${values.candidates}")`);
  }
  if (!/^[a-z][a-z0-9-]*$/.test(values.rerank)) throw new UsageError(`--rerank "${values.rerank}" is not a mode name`);
  // npm runs scripts from the package root; a relative path means relative to where the user typed it.
  const base = process.env.INIT_CWD ?? process.cwd();
  return {
    datasetDir: isAbsolute(values.dataset) ? values.dataset : resolve(base, values.dataset),
    rerank: values.rerank,
    candidates,
    json: values.json,
  };
}

function printReport(report: EvalReport): void {
  const t = report.timings;
  const lines = [
    `Sift evaluation: ${report.dataset} (${formatCount(report.documents)} documents, ${formatCount(report.chunks)} chunks, ${report.queries} queries)`,
    `retrieval: ${report.retrieval} BM25, ${report.candidates} candidates; rerank: ${report.rerank.applied}`,
    '',
    formatTable(
      ['metric', 'value'],
      [
        ['nDCG@10', report.ndcg10.toFixed(4)],
        ['Recall@10', report.recall10.toFixed(4)],
        ['Recall@100', report.recall100.toFixed(4)],
        ['MRR@10', report.mrr10.toFixed(4)],
        ['queries', String(report.queries)],
      ],
    ),
    '',
    formatTable(
      ['stage', 'wall time', 'detail'],
      [
        ['load qrels + queries', formatMs(t.loadMs), ''],
        ['ingest', formatMs(t.ingestMs), `${formatCount(t.docsPerSecond)} docs/s, ${formatCount(t.chunksPerSecond)} chunks/s`],
        ['search', formatMs(t.searchMs), `per query p50 ${formatMs(t.queryP50Ms)}, p99 ${formatMs(t.queryP99Ms)}`],
        ['total', formatMs(t.totalMs), ''],
      ],
    ),
    '',
    `model usage: ${report.usage.tokens} tokens, $${report.usage.costUsd.toFixed(4)} (${report.usage.note})`,
  ];
  if (report.skippedDocuments > 0) lines.push(`note: ${report.skippedDocuments} documents had neither title nor text and were not indexed`);
  if (report.missingQueries > 0) lines.push(`note: ${report.missingQueries} judged queries are missing from queries.jsonl and count as misses`);
  if (report.rerank.note) lines.push(`note: ${report.rerank.note}`);
  console.log(lines.join('\n'));
}

async function main(): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const report = await runEvaluation({
    datasetDir: options.datasetDir,
    rerank: options.rerank,
    candidates: options.candidates,
    onProgress: (message) => console.error(message),
  }).catch((error: unknown) => {
    if (error instanceof DatasetError) return error;
    throw error;
  });
  if (report instanceof DatasetError) {
    console.error(`Dataset problem: ${report.message}`);
    return 2;
  }
  if (report.rerank.note) console.error(`warning: ${report.rerank.note}`);
  printReport(report);
  if (options.json) console.log(JSON.stringify(report));
  return 0;
}

process.exitCode = await main();
