// The whole evaluation on a four-document dataset: ingestion, search and scoring through
// Sift's real modules, with figures small enough to check by hand.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
import { runEvaluation } from './run-eval.js';

describe('runEvaluation', () => {
  let dir: ReturnType<typeof makeTempDir>;

  beforeEach(() => {
    dir = makeTempDir();
    const corpus = [
      { _id: 'otters', title: 'Otters', text: 'Sea otters hold hands while they sleep so they do not drift apart.' },
      { _id: 'bees', title: 'Honey bees', text: 'Honey bees dance to tell the hive where flowers are.' },
      { _id: 'stocks', title: 'Markets', text: 'The stock market closed higher after the central bank spoke.' },
      { _id: 'empty', title: '', text: '' },
    ];
    writeFileSync(join(dir.path, 'corpus.jsonl'), corpus.map((doc) => JSON.stringify(doc)).join('\n'));
    writeFileSync(
      join(dir.path, 'queries.jsonl'),
      ['{"_id": "q1", "text": "why do otters hold hands"}', '{"_id": "q2", "text": "bee dance"}', '{"_id": "q3", "text": "no judged relevant"}'].join('\n'),
    );
    // q2 also judges "stocks" as not relevant (0); q3 has no relevant document and is skipped.
    writeFileSync(join(dir.path, 'qrels.tsv'), 'query-id\tcorpus-id\tscore\nq1\totters\t1\nq2\tbees\t2\nq2\tstocks\t0\nq3\tstocks\t0\n');
  });
  afterEach(() => dir.remove());

  it('ingests the corpus, runs the judged queries and scores them', async () => {
    const report = await runEvaluation({ datasetDir: dir.path, candidates: 100, rerank: 'none', rerankMode: 'listwise', window: 20 });
    expect(report).toMatchObject({
      documents: 3,
      skippedDocuments: 1,
      queries: 2,
      ndcg10: 1,
      recall10: 1,
      recall100: 1,
      mrr10: 1,
      rerank: { applied: 'none', mode: null, calls: 0 },
    });
    expect(report.chunks).toBeGreaterThanOrEqual(3);
    expect(report.timings.ingestMs).toBeGreaterThan(0);
  });

});

describe('runEvaluation with a rerank judge', () => {
  let dir: ReturnType<typeof makeTempDir>;
  const options = { candidates: 100, rerankMode: 'listwise', window: 20 } as const;

  // Retrieval puts the decoys (which repeat "otters") above the one relevant document.
  beforeEach(() => {
    dir = makeTempDir();
    const corpus = [
      { _id: 'decoy-1', title: 'Otters', text: 'Otters, otters, otters: a list of the otters in European zoos.' },
      { _id: 'decoy-2', title: 'Otter facts', text: 'Otters are mammals. Otters eat fish. Otters swim.' },
      { _id: 'answer', title: 'At sea', text: 'Sea otters link paws at night so they do not drift apart.' },
    ];
    writeFileSync(join(dir.path, 'corpus.jsonl'), corpus.map((doc) => JSON.stringify(doc)).join('\n'));
    writeFileSync(join(dir.path, 'queries.jsonl'), '{"_id": "q1", "text": "which otters are sleeping"}\n');
    writeFileSync(join(dir.path, 'qrels.tsv'), 'q1\tanswer\t1\n');
  });
  afterEach(() => dir.remove());

  it('reaches the ceiling of the candidates with the oracle', async () => {
    const plain = await runEvaluation({ datasetDir: dir.path, rerank: 'none', ...options });
    const report = await runEvaluation({ datasetDir: dir.path, rerank: 'oracle', ...options });
    expect(plain.ndcg10).toBeLessThan(1);
    expect(report.rerank).toMatchObject({ applied: 'oracle', mode: 'listwise', ceiling: 1, statuses: { complete: 1 } });
    expect(report.ndcg10).toBe(1);
    expect(report).toMatchObject({ calls: 1, roundTrips: 1 });
    expect(report.tokensPerQuery).toBeGreaterThan(0);
    expect(report.costPerQuery).toBeGreaterThan(0);
  });

  it('keeps the retrieval figures exactly with the garbage judge', async () => {
    const plain = await runEvaluation({ datasetDir: dir.path, rerank: 'none', ...options });
    const garbage = await runEvaluation({ datasetDir: dir.path, rerank: 'garbage', ...options });
    expect(garbage.ndcg10).toBe(plain.ndcg10);
    expect(garbage.mrr10).toBe(plain.mrr10);
    expect(garbage.rerank.statuses).toEqual({ fallback: 1 });
  });
});
