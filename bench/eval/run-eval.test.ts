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
    const report = await runEvaluation({ datasetDir: dir.path, candidates: 100, rerank: 'none' });
    expect(report).toMatchObject({
      documents: 3,
      skippedDocuments: 1,
      queries: 2,
      ndcg10: 1,
      recall10: 1,
      recall100: 1,
      mrr10: 1,
      rerank: { requested: 'none', applied: 'none', note: null },
    });
    expect(report.chunks).toBeGreaterThanOrEqual(3);
    expect(report.timings.ingestMs).toBeGreaterThan(0);
  });

  it('accepts a reranker name and says that it ran none', async () => {
    const report = await runEvaluation({ datasetDir: dir.path, candidates: 100, rerank: 'listwise' });
    expect(report.rerank.applied).toBe('none');
    expect(report.rerank.note).toMatch(/does not run a reranker yet/);
  });
});
