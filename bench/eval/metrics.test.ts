import { describe, expect, it } from 'vitest';
import { evaluateRun, ndcgAt, recallAt, reciprocalRankAt } from './metrics.js';

// One query judged on three documents: a is highly relevant (2), b relevant (1), c judged
// not relevant (0). x is not judged at all.
const graded = new Map([
  ['a', 2],
  ['b', 1],
  ['c', 0],
]);

describe('nDCG@k', () => {
  it('uses the grade as gain and a log2(rank + 1) discount', () => {
    // DCG  = 0/log2(2) + 2/log2(3) + 0/log2(4) + 1/log2(5) = 1.2618595 + 0.4306766 = 1.6925361
    // IDCG = 2/log2(2) + 1/log2(3)                          = 2 + 0.6309298         = 2.6309298
    expect(ndcgAt(10, ['x', 'a', 'c', 'b'], graded)).toBeCloseTo(1.6925361 / 2.6309298, 6);
    expect(ndcgAt(10, ['x', 'a', 'c', 'b'], graded)).toBeCloseTo(0.6433224, 6);
  });

  it('is 1 for the ideal order and lower when the grades are swapped', () => {
    expect(ndcgAt(10, ['a', 'b', 'c'], graded)).toBe(1);
    // (1/log2(2) + 2/log2(3)) / 2.6309298 = 2.2618595 / 2.6309298
    expect(ndcgAt(10, ['b', 'a'], graded)).toBeCloseTo(0.8597187, 6);
  });

  it('ignores what lies below the cut-off', () => {
    const ranked = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'x9', 'x10', 'a'];
    expect(ndcgAt(10, ranked, graded)).toBe(0);
    // With k = 2 only the first relevant document fits in the ideal list: IDCG@2 = 2 + 1/log2(3).
    expect(ndcgAt(2, ['a', 'x'], graded)).toBeCloseTo(2 / 2.6309298, 6);
  });
});

describe('Recall@k', () => {
  it('counts relevant documents found in the top k over all relevant documents', () => {
    expect(recallAt(10, ['x', 'a', 'c', 'b'], graded)).toBe(1);
    expect(recallAt(2, ['x', 'a', 'c', 'b'], graded)).toBe(0.5);
    expect(recallAt(10, ['c', 'x'], graded)).toBe(0);
  });
});

describe('MRR@k', () => {
  it('is the reciprocal rank of the first relevant document within k', () => {
    expect(reciprocalRankAt(10, ['x', 'c', 'b', 'a'], graded)).toBeCloseTo(1 / 3, 10);
    expect(reciprocalRankAt(10, ['a'], graded)).toBe(1);
    const late = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'x9', 'x10', 'a'];
    expect(reciprocalRankAt(10, late, graded)).toBe(0);
  });
});

describe('evaluateRun', () => {
  it('averages over queries with relevant documents and skips the others', () => {
    const qrels = new Map([
      ['q1', graded],
      ['q-none-relevant', new Map([['a', 0]])],
      ['q-unanswered', new Map([['d', 1]])],
    ]);
    const run = new Map([
      ['q1', ['x', 'a', 'c', 'b']],
      ['q-none-relevant', ['a']],
    ]);
    const metrics = evaluateRun(qrels, run);
    expect(metrics.queries).toBe(2);
    // q1 scores as above; q-unanswered has no results and scores 0 everywhere.
    expect(metrics.ndcg10).toBeCloseTo(0.6433224 / 2, 6);
    expect(metrics.recall10).toBe(0.5);
    expect(metrics.recall100).toBe(0.5);
    expect(metrics.mrr10).toBe(0.25);
  });

  it('reports zero queries rather than dividing by zero', () => {
    expect(evaluateRun(new Map(), new Map())).toEqual({ ndcg10: 0, recall10: 0, recall100: 0, mrr10: 0, queries: 0 });
  });
});
