import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { termTableGeneration } from '../retrieval/ascii-analyzer.js';
import { analyze, analyzeQuery } from '../retrieval/lexical-analyzer.js';
import { bm25Scores } from './bm25-documents.js';

const SCIFACT = join(import.meta.dirname, '../../../shared/datasets/scifact');

/** BM25 written plainly over analyze()'s terms (Lucene idf, k1 1.2, b 0.75): what bm25Scores must equal. */
function plainBm25(query: string, documents: string[]): number[] {
  const terms = analyzeQuery(query);
  const docs = documents.map((text) => {
    const counts = new Map<string, number>();
    const analyzed = analyze(text);
    for (const term of analyzed) counts.set(term, (counts.get(term) ?? 0) + 1);
    return { counts, length: analyzed.length };
  });
  const averageLength = docs.reduce((sum, doc) => sum + doc.length, 0) / Math.max(1, docs.length) || 1;
  const idf = terms.map((term) => {
    const df = docs.filter((doc) => doc.counts.has(term)).length;
    return Math.log(1 + (docs.length - df + 0.5) / (df + 0.5));
  });
  return docs.map(({ counts, length }) => {
    const norm = 1.2 * (1 - 0.75 + (0.75 * length) / averageLength);
    let score = 0;
    terms.forEach((term, i) => {
      const f = counts.get(term);
      if (f) score += (idf[i]! * f * 2.2) / (f + norm);
    });
    return score;
  });
}

describe('bm25Scores', () => {
  const documents = ['Capital punishment in the United States.', 'Washington is the capital of the United States.', 'Bananas are yellow.'];

  it('scores documents sharing more query terms higher, and one sharing none 0', () => {
    const [punishment, washington, bananas] = bm25Scores('capital of the United States Washington', documents);
    expect(washington!).toBeGreaterThan(punishment!);
    expect(punishment!).toBeGreaterThan(0);
    expect(bananas).toBe(0);
  });

  it('keeps terms every document shares worth something (Lucene idf, not FTS5\'s floor)', () => {
    const scores = bm25Scores('capital', ['The capital.', 'A capital city with a long name and more words.']);
    expect(scores[0]!).toBeGreaterThan(scores[1]!);
    expect(scores[1]!).toBeGreaterThan(0.01);
  });

  it('gives the same scores for documents it has seen before', () => {
    const first = bm25Scores('yellow bananas', documents);
    expect(bm25Scores('yellow bananas', documents)).toEqual(first);
    expect(bm25Scores('yellow bananas', [...documents].reverse())).toEqual([...first].reverse());
  });

  it('gives exactly the scores of plain BM25 over the analyzer\'s terms, repeated query terms and accents included', () => {
    const texts = [...documents, 'Café CAFE cafés', 'β-catenin and TGF-β signalling; β-catenin again', '', 'the of and'];
    for (const query of ['capital capital states', 'cafe', 'β-catenin signalling', 'the', 'bananas yellow United']) {
      expect(bm25Scores(query, texts)).toEqual(plainBm25(query, texts));
    }
  });

  it.skipIf(!existsSync(SCIFACT))('gives exactly the scores of plain BM25 on SciFact documents and queries (skipped without ../shared/datasets)', () => {
    const corpus = gunzipSync(readFileSync(join(SCIFACT, 'corpus.jsonl.gz'))).toString('utf8').split('\n').filter((line) => line.trim() !== '');
    const texts = corpus.slice(0, 1000).map((line) => JSON.parse(line) as { title: string; text: string }).map((doc) => `${doc.title} ${doc.text}`);
    const queries = readFileSync(join(SCIFACT, 'queries.jsonl'), 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => (JSON.parse(line) as { text: string }).text);
    for (let set = 0; set < 10; set++) {
      const request = texts.slice(set * 100, set * 100 + 100);
      expect(bm25Scores(queries[set]!, request)).toEqual(plainBm25(queries[set]!, request));
    }
  });

  it('ranks right when the analyzer\'s term table starts over during a request, and after it', () => {
    // More distinct words than the table holds, spread over the documents of one request.
    const texts = Array.from({ length: 50 }, (_, d) => `capital city ${Array.from({ length: 3000 }, (_, w) => `z${d}x${w}q`).join(' ')}${d % 3 === 0 ? ' capital' : ''}`);
    const before = termTableGeneration();
    expect(bm25Scores('capital city', texts)).toEqual(plainBm25('capital city', texts));
    expect(termTableGeneration()).toBeGreaterThan(before);
    expect(bm25Scores('capital', texts.slice(0, 10))).toEqual(plainBm25('capital', texts.slice(0, 10)));
  });
});
