import { describe, expect, it } from 'vitest';
import { LexicalIndex } from './lexical-index.js';

/** BM25 as FTS5 computes it, written out for one term, to check the index against. */
function bm25(tf: number, length: number, averageLength: number, count: number, documentFrequency: number): number {
  const idf = Math.max(1e-6, Math.log((count - documentFrequency + 0.5) / (documentFrequency + 0.5)));
  return (idf * (tf * 2.2)) / (tf + 1.2 * (0.25 + (0.75 * length) / averageLength));
}

describe('LexicalIndex', () => {
  const index = new LexicalIndex();
  index.add({ id: 10, terms: ['otter', 'sleep', 'hand', 'hold'] });
  index.add({ id: 11, terms: ['otter', 'otter', 'otter', 'zoo'] });
  index.add({ id: 12, terms: ['bee', 'danc', 'hive'] });
  index.add({ id: 13, terms: ['market', 'stock', 'close'] });
  index.add({ id: 14, terms: ['bee', 'honey'] });

  it('scores with BM25 from the collection statistics', () => {
    const average = 16 / 5;
    const hits = index.search(['hive'], 10);
    expect(hits).toEqual([{ id: 12, score: expect.closeTo(bm25(1, 3, average, 5, 1), 10) }]);
    const both = index.search(['otter', 'sleep'], 10);
    expect(both[0]!.id).toBe(10);
    expect(both[0]!.score).toBeCloseTo(bm25(1, 4, average, 5, 2) + bm25(1, 4, average, 5, 1), 10);
    expect(both[1]).toEqual({ id: 11, score: expect.closeTo(bm25(3, 4, average, 5, 2), 10) });
  });

  it('returns nothing for unknown terms and respects the limit, ties by id', () => {
    expect(index.search(['nothing'], 10)).toEqual([]);
    expect(index.search(['bee'], 1).map((hit) => hit.id)).toEqual([14]);
    expect(index.search(['bee', 'market'], 3).map((hit) => hit.id)).toHaveLength(3);
  });

  it('keeps the exact top k when there are many more hits than k', () => {
    const big = new LexicalIndex();
    for (let id = 1; id <= 500; id++) big.add({ id, terms: ['common', ...Array.from({ length: id % 7 }, () => 'filler'), ...(id % 50 === 0 ? ['rare'] : [])] });
    const all = big.search(['common', 'rare'], 500);
    const top = big.search(['common', 'rare'], 12);
    expect(top).toEqual(all.slice(0, 12));
    expect(top.slice(0, 10).every((hit) => hit.id % 50 === 0)).toBe(true);
  });
});
