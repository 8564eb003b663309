import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
import { DatasetError, loadDataset, locateDataset, readCorpus } from './beir-dataset.js';

const corpusLines = [
  '{"_id": "d1", "title": "Otters", "text": "Otters hold hands while sleeping."}',
  '',
  '{"_id": 2, "text": "Bees dance to share directions."}',
].join('\n');

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('BEIR dataset loader', () => {
  let dir: ReturnType<typeof makeTempDir>;
  const file = (name: string, content: string | Buffer) => writeFileSync(join(dir.path, name), content);

  beforeEach(() => {
    dir = makeTempDir();
    file('queries.jsonl', '{"_id": "q1", "text": "sleeping otters"}\n{"_id": "q2", "text": "bee dance"}\n{"_id": "q9", "text": "unjudged"}\n');
  });
  afterEach(() => dir.remove());

  it('reads a plain corpus, queries with qrels and graded qrels with a header', async () => {
    file('corpus.jsonl', corpusLines);
    file('qrels.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\t2\t0\nq2\t2\t1\nq3\td1\t1\n');

    const dataset = await loadDataset(dir.path);
    expect(await collect(readCorpus(dataset.files.corpus))).toEqual([
      { id: 'd1', title: 'Otters', text: 'Otters hold hands while sleeping.' },
      { id: '2', title: '', text: 'Bees dance to share directions.' },
    ]);
    expect([...dataset.queries]).toEqual([
      ['q1', 'sleeping otters'],
      ['q2', 'bee dance'],
    ]);
    expect(dataset.qrels.get('q1')).toEqual(new Map([['d1', 2], ['2', 0]]));
    expect(dataset.missingQueries).toEqual(['q3']);
  });

  it('streams a gzipped corpus and accepts qrels without a header', async () => {
    file('corpus.jsonl.gz', gzipSync(corpusLines));
    file('qrels.tsv', 'q1\td1\t1\n');
    const dataset = await loadDataset(dir.path);
    expect((await collect(readCorpus(dataset.files.corpus))).map((doc) => doc.id)).toEqual(['d1', '2']);
    expect(dataset.qrels.get('q1')).toEqual(new Map([['d1', 1]]));
  });

  it("accepts BEIR's own qrels/test.tsv layout", () => {
    file('corpus.jsonl', corpusLines);
    mkdirSync(join(dir.path, 'qrels'));
    file('qrels/test.tsv', 'q1\td1\t1\n');
    expect(locateDataset(dir.path).qrels).toBe(join(dir.path, 'qrels/test.tsv'));
  });

  it('names the missing file', () => {
    file('qrels.tsv', 'q1\td1\t1\n');
    expect(() => locateDataset(dir.path)).toThrow(DatasetError);
    expect(() => locateDataset(dir.path)).toThrow(/corpus\.jsonl: missing; the corpus is looked for as corpus\.jsonl or corpus\.jsonl\.gz/);
  });

  it('names the file and line of a malformed record', async () => {
    file('corpus.jsonl', '{"_id": "d1", "text": "fine"}\n{"_id": "d2", "text": \n');
    await expect(collect(readCorpus(join(dir.path, 'corpus.jsonl')))).rejects.toThrow(/corpus\.jsonl: line 2: not valid JSON/);
    file('qrels.tsv', 'q1\td1\t1\nq2\td2\tyes\n');
    await expect(loadDataset(dir.path)).rejects.toThrow(/qrels\.tsv: line 2: score "yes" is not an integer grade/);
  });

  it('reports a corrupt gzip file as a dataset error', async () => {
    file('corpus.jsonl.gz', Buffer.concat([gzipSync(corpusLines).subarray(0, 12), Buffer.from('garbage')]));
    await expect(collect(readCorpus(join(dir.path, 'corpus.jsonl.gz')))).rejects.toThrow(/corpus\.jsonl\.gz: cannot be read as gzip/);
  });
});
