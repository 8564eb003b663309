// A question-answering evaluation over a real documentation folder: the files go through
// Sift's normal file ingestion (format detection, parsing, chunking), each question through
// search and the extractive answer, and four hit rates say where an answer was lost:
// retrieval (search hit), the passage text (passage hit), or the answer (answer, cited hit).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { AskService } from '../../src/answer/ask.service.js';
import { openSiftContext, warmSearch } from '../common/sift-context.js';
import { percentile, round } from '../common/report.js';
import { containsPhrase, isExpectedSource, loadQaSet, type QaQuestion } from './qa-set.js';

const COLLECTION = 'qa';
/** Passages looked at for the search and passage hits. */
const TOP = 3;
/** Passages the answer is drawn from: the ask endpoint's default. */
const ANSWER_PASSAGES = 5;

export interface QaOutcome {
  question: string;
  searchHit: boolean;
  passageHit: boolean;
  answerHit: boolean;
  citedHit: boolean;
  topSources: string[];
  answer: string;
}

export interface QaReport {
  dataset: string;
  documents: number;
  chunks: number;
  failedDocuments: number;
  questions: number;
  searchHit3: number;
  passageHit3: number;
  answerHit: number;
  citedHit: number;
  /** Median wall time of one ask (search + extractive answer), ms. */
  askP50Ms: number;
  ingestMs: number;
  chunksPerSecond: number;
  outcomes: QaOutcome[];
}

export async function runQaEvaluation(options: { file: string; onProgress?: (message: string) => void }): Promise<QaReport> {
  const progress = options.onProgress ?? (() => undefined);
  const set = loadQaSet(options.file);
  const files = listFiles(set.documentsDir, picomatch(set.include, { nocase: true, dot: true }));
  const sift = await openSiftContext({ MAX_QUERY_CHARS: '100000' });
  try {
    progress(`ingesting ${files.length} files from ${set.documentsDir} ...`);
    const ingestStarted = performance.now();
    let chunks = 0;
    let failed = 0;
    for (const file of files) {
      const bytes = readFileSync(join(set.documentsDir, file));
      try {
        chunks += (await sift.ingestion.ingestFile({ collection: COLLECTION, fileName: file, bytes })).chunkCount;
      } catch {
        failed += 1; // a file Sift refuses (no text) is part of the folder as a user has it
      }
    }
    const ingestMs = performance.now() - ingestStarted;
    await warmSearch(sift.store, COLLECTION);

    const ask = sift.app.get(AskService);
    const outcomes: QaOutcome[] = [];
    const latencies: number[] = [];
    progress(`asking ${set.questions.length} questions ...`);
    for (const question of set.questions) {
      const found = await sift.search.search(COLLECTION, { query: question.question, topK: TOP, rerank: false });
      const started = performance.now();
      const answered = await ask.ask(COLLECTION, { question: question.question, topK: ANSWER_PASSAGES, rerank: false });
      latencies.push(performance.now() - started);
      outcomes.push(scoreQuestion(question, found.results, answered.answer, answered.found, answered.citations));
    }
    const share = (pick: (outcome: QaOutcome) => boolean) => round(outcomes.filter(pick).length / outcomes.length, 4);
    return {
      dataset: set.name,
      documents: files.length - failed,
      chunks,
      failedDocuments: failed,
      questions: outcomes.length,
      searchHit3: share((o) => o.searchHit),
      passageHit3: share((o) => o.passageHit),
      answerHit: share((o) => o.answerHit),
      citedHit: share((o) => o.citedHit),
      askP50Ms: round(percentile(latencies, 0.5), 2),
      ingestMs: round(ingestMs, 1),
      chunksPerSecond: round(chunks / (ingestMs / 1000), 1),
      outcomes,
    };
  } finally {
    await sift.close();
  }
}

interface Passage {
  source: string;
  text: string;
  alsoIn?: ReadonlyArray<{ source: string }>;
}

/** Scores one question; a passage that lists other copies of itself (`alsoIn`) counts for each of them. */
export function scoreQuestion(
  question: QaQuestion,
  top: readonly Passage[],
  answer: string,
  answerFound: boolean,
  citations: ReadonlyArray<{ source: string }>,
): QaOutcome {
  const sourcesOf = (passage: Passage) => [passage.source, ...(passage.alsoIn ?? []).map((other) => other.source)];
  const answerHit = answerFound && containsPhrase(answer, question.phrases);
  return {
    question: question.question,
    searchHit: top.some((passage) => sourcesOf(passage).some((source) => isExpectedSource(source, question.sources))),
    passageHit: top.some((passage) => containsPhrase(passage.text, question.phrases)),
    answerHit,
    // The answer has the fact and says where it is: one of its citations is an expected file.
    citedHit: answerHit && citations.some((citation) => isExpectedSource(citation.source, question.sources)),
    topSources: top.map((passage) => passage.source),
    answer,
  };
}

/** Files under `root` whose path relative to it matches, in a stable order, as POSIX paths. */
function listFiles(root: string, matches: (path: string) => boolean): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(root, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (matches(path)) files.push(path);
  }
  return files.sort();
}
