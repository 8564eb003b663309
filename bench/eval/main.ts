// `npm run eval -- --dataset <folder> [--rerank <mode>] [--candidates N] [--json]`, or
// `npm run eval -- --qa <file> [--json]` for the question-answering evaluation.
// Prints a table for people; with --json the last line of stdout is one JSON object for
// scripts. Exit codes: 0 done, 2 bad flags or a missing/malformed dataset file, 1 anything else.
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatCount, formatMs, formatTable } from '../common/report.js';
import { ConfigError } from '../../src/config/app-config.js';
import { DatasetError } from './beir-dataset.js';
import type { RerankMode } from '../../src/reranking/rerank-types.js';
import { runQaEvaluation, type QaReport } from './qa-eval.js';
import { RERANK_CHOICES, runEvaluation, type EvalReport, type RerankChoice } from './run-eval.js';

const USAGE = `Usage: npm run eval -- --dataset <folder> [--rerank <model>] [--rerank-mode <mode>] [--candidates N] [--json]
       npm run eval -- --qa <file> [--json]

  --dataset <folder>     BEIR folder: corpus.jsonl(.gz), queries.jsonl, qrels.tsv
  --qa <file>            question-answering set over a documents folder (e.g. bench/qa/node-readmes/questions.json):
                         search hit@3, passage hit@3, answer hit, cited hit
  --rerank <model>       none (default); oracle, noisy-oracle or garbage (judges behind the fake
                         Gemini API, answering from the qrels or with nonsense); gemini or ollama
                         (real providers, configured by GOOGLE_API_KEY / OLLAMA_BASE_URL)
  --rerank-mode <mode>   listwise (parallel tournament, default), sliding (RankGPT) or pointwise
  --window <N>           passages per listwise call, default 20
  --judge-latency <ms>   added latency per judge call (to see a scheme's wall time)
  --noise <share>        share of positions the noisy-oracle scrambles per window, default 0.2
  --candidates <N>       documents retrieval hands on (the chunks the reranker reorders), default 100
  --compare-fusion       run every query a second time fused in Sift (HYBRID_FUSION=sift) and print
                         both fusion paths side by side (with SIFT_STORE=qdrant and embeddings)
  --json                 end the output with one line of JSON holding the figures`;

class UsageError extends Error {}

interface CliOptions {
  datasetDir: string;
  qaFile: string | null;
  rerank: RerankChoice;
  rerankMode: RerankMode;
  window: number;
  judgeLatencyMs: number;
  noiseShare: number;
  candidates: number;
  json: boolean;
  compareFusion: boolean;
}

const RERANK_MODES: readonly RerankMode[] = ['listwise', 'sliding', 'pointwise'];

function share(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new UsageError(`--noise must be a number from 0 to 1 (got "${raw}")`);
  return value;
}

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return value;
}

function parseCli(argv: string[]): CliOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        dataset: { type: 'string' },
        qa: { type: 'string' },
        rerank: { type: 'string', default: 'none' },
        'rerank-mode': { type: 'string', default: 'listwise' },
        window: { type: 'string', default: '20' },
        'judge-latency': { type: 'string', default: '0' },
        noise: { type: 'string', default: '0.2' },
        candidates: { type: 'string', default: '100' },
        json: { type: 'boolean', default: false },
        'compare-fusion': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values.dataset && values.qa) throw new UsageError('give --dataset or --qa, not both');
  if (!values.dataset && !values.qa) throw new UsageError('--dataset <folder> or --qa <file> is required');
  const candidates = wholeNumber('--candidates', values.candidates, 1, 1000);
  if (!(RERANK_CHOICES as readonly string[]).includes(values.rerank)) {
    throw new UsageError(`--rerank must be one of ${RERANK_CHOICES.join(', ')} (got "${values.rerank}")`);
  }
  if (!(RERANK_MODES as readonly string[]).includes(values['rerank-mode'])) {
    throw new UsageError(`--rerank-mode must be one of ${RERANK_MODES.join(', ')} (got "${values['rerank-mode']}")`);
  }
  if (values.rerank !== 'none' && candidates > 200) throw new UsageError('--candidates can be at most 200 with a reranker');
  // npm runs scripts from the package root; a relative path means relative to where the user typed it.
  const base = process.env.INIT_CWD ?? process.cwd();
  const fromBase = (path: string) => (isAbsolute(path) ? path : resolve(base, path));
  return {
    datasetDir: values.dataset ? fromBase(values.dataset) : '',
    qaFile: values.qa ? fromBase(values.qa) : null,
    rerank: values.rerank as RerankChoice,
    rerankMode: values['rerank-mode'] as RerankMode,
    window: wholeNumber('--window', values.window, 2, 50),
    judgeLatencyMs: wholeNumber('--judge-latency', values['judge-latency'], 0, 60_000),
    noiseShare: share(values.noise),
    candidates,
    json: values.json,
    compareFusion: values['compare-fusion'],
  };
}

function printReport(report: EvalReport): void {
  const t = report.timings;
  const lines = [
    `Sift evaluation: ${report.dataset} (${formatCount(report.documents)} documents, ${formatCount(report.chunks)} chunks, ${report.queries} queries)`,
    `retrieval: ${report.retrieval} BM25, ${report.candidates} candidates; rerank: ${report.rerank.applied}${report.rerank.mode ? ` (${report.rerank.mode})` : ''}`,
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
        ['search index build', formatMs(t.indexBuildMs), 'in-memory BM25 index (embedded store)'],
        ['search', formatMs(t.searchMs), `per query p50 ${formatMs(t.queryP50Ms)}, p99 ${formatMs(t.queryP99Ms)}`],
        ['total', formatMs(t.totalMs), ''],
      ],
    ),
    '',
  ];
  const r = report.rerank;
  if (r.applied === 'none') {
    lines.push('model usage: none (lexical retrieval, no reranker)');
  } else {
    lines.push(
      '',
      formatTable(
        ['rerank', 'value'],
        [
          ['ceiling nDCG@10 (best order of the candidates)', r.ceiling.toFixed(4)],
          ['nDCG@10 / ceiling', r.ceiling > 0 ? (report.ndcg10 / r.ceiling).toFixed(3) : 'n/a'],
          ['model calls per query', String(r.calls)],
          ['sequential round trips per query', String(r.roundTrips)],
          ['tokens per query', formatCount(r.tokensPerQuery)],
          ['est. cost per query (Flash Lite prices)', `$${r.costPerQuery.toFixed(6)}`],
          ['rerank time p50', formatMs(r.rerankP50Ms)],
          ['outcomes', Object.entries(r.statuses).map(([status, n]) => `${status} ${n}`).join(', ')],
        ],
      ),
    );
  }
  if (report.fusionComparison) {
    lines.push(
      '',
      formatTable(
        ['hybrid fusion', 'nDCG@10', 'Recall@100', 'query p50'],
        report.fusionComparison.map((f) => [f.fusion === 'store' ? 'in the store (HYBRID_FUSION=store)' : 'in Sift (HYBRID_FUSION=sift)', f.ndcg10.toFixed(4), f.recall100.toFixed(4), formatMs(f.queryP50Ms)]),
      ),
    );
  }
  if (report.skippedDocuments > 0) lines.push(`note: ${report.skippedDocuments} documents had neither title nor text and were not indexed`);
  if (report.missingQueries > 0) lines.push(`note: ${report.missingQueries} judged queries are missing from queries.jsonl and count as misses`);
  console.log(lines.join('\n'));
}

function printQaReport(report: QaReport): void {
  const lines = [
    `Sift QA evaluation: ${report.dataset} (${formatCount(report.documents)} documents, ${formatCount(report.chunks)} chunks, ${report.questions} questions)`,
    'retrieval: lexical BM25, no reranker; answer: extractive',
    '',
    formatTable(
      ['metric', 'value'],
      [
        ['search hit@3 (an expected file in the top 3)', report.searchHit3.toFixed(4)],
        ['passage hit@3 (a key phrase in a top-3 passage)', report.passageHit3.toFixed(4)],
        ['answer hit (a key phrase in the answer)', report.answerHit.toFixed(4)],
        ['cited hit (answer hit, citing an expected file)', report.citedHit.toFixed(4)],
        ['ask p50', formatMs(report.askP50Ms)],
        ['ingest', `${formatMs(report.ingestMs)}, ${formatCount(report.chunksPerSecond)} chunks/s`],
      ],
    ),
  ];
  if (report.failedDocuments > 0) lines.push(`note: ${report.failedDocuments} files were refused at ingestion (no text)`);
  const misses = report.outcomes.filter((outcome) => !outcome.citedHit);
  if (misses.length > 0) {
    lines.push('', 'questions without a cited hit (S search, P passage, A answer):');
    for (const miss of misses) {
      const flags = `${miss.searchHit ? 'S' : '-'}${miss.passageHit ? 'P' : '-'}${miss.answerHit ? 'A' : '-'}`;
      lines.push(`  ${flags} ${miss.question}  [top: ${miss.topSources.join(', ') || 'none'}]`);
    }
  }
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
  if (options.qaFile !== null) {
    const qa = await runQaEvaluation({ file: options.qaFile, onProgress: (message) => console.error(message) }).catch((error: unknown) => {
      if (error instanceof DatasetError) return error;
      throw error;
    });
    if (qa instanceof DatasetError) {
      console.error(`QA set problem: ${qa.message}`);
      return 2;
    }
    printQaReport(qa);
    if (options.json) console.log(JSON.stringify(qa));
    return 0;
  }
  const report = await runEvaluation({
    datasetDir: options.datasetDir,
    rerank: options.rerank,
    rerankMode: options.rerankMode,
    window: options.window,
    judgeLatencyMs: options.judgeLatencyMs,
    noiseShare: options.noiseShare,
    candidates: options.candidates,
    compareFusion: options.compareFusion,
    onProgress: (message) => console.error(message),
  }).catch((error: unknown) => {
    if (error instanceof DatasetError || error instanceof ConfigError) return error;
    throw error;
  });
  if (report instanceof DatasetError) {
    console.error(`Dataset problem: ${report.message}`);
    return 2;
  }
  if (report instanceof ConfigError) {
    console.error(`${report.message}\nFix the variable(s) above (see .env.example).`);
    return 2;
  }
  printReport(report);
  if (options.json) console.log(JSON.stringify(report));
  return 0;
}

process.exitCode = await main();
