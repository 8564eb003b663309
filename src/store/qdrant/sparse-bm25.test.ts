import { describe, expect, it } from 'vitest';
import { DEFAULT_BM25, documentSparseVector, querySparseVector, termIndex } from './sparse-bm25.js';

describe('BM25 sparse vectors', () => {
  it('maps a term to the same 32-bit index on every run (FNV-1a of its UTF-8 bytes)', () => {
    expect(termIndex('')).toBe(0x811c9dc5);
    expect(termIndex('a')).toBe(0xe40c292c);
    expect(termIndex('zürich')).toBe(termIndex('zürich'));
    expect(termIndex('otter')).not.toBe(termIndex('otters'));
  });

  it('uses the shared analyzer, so inflections and case meet on one index', () => {
    const query = querySparseVector('Otters SLEEPING otter');
    const document = documentSparseVector({ title: null, headingPath: [], text: 'an otter sleeps' });
    expect(query.values).toEqual([1, 1]);
    expect(new Set(document.indices)).toEqual(new Set(query.indices));
  });

  it('saturates term frequency and normalises by length like BM25', () => {
    const { k1, b, averageTerms } = DEFAULT_BM25;
    const once = documentSparseVector({ title: null, headingPath: [], text: 'lava' });
    expect(once.values[0]).toBeCloseTo((1 * (k1 + 1)) / (1 + k1 * (1 - b + b / averageTerms)), 6);
    const thrice = documentSparseVector({ title: null, headingPath: [], text: 'lava lava lava' }).values[0]!;
    expect(thrice).toBeGreaterThan(once.values[0]!);
    expect(thrice).toBeLessThan(k1 + 1);
    const long = documentSparseVector({ title: null, headingPath: [], text: `lava ${'rock '.repeat(300)}` });
    expect(long.values[long.indices.indexOf(termIndex('lava'))]).toBeLessThan(once.values[0]!);
  });

  it('counts title and heading terms with the body, and gives no vector to text without terms', () => {
    const vector = documentSparseVector({ title: 'Volcanoes', headingPath: ['Etna'], text: 'lava' });
    expect(vector.indices).toHaveLength(3);
    expect(vector.indices).toEqual([...vector.indices].sort((x, y) => x - y));
    expect(documentSparseVector({ title: null, headingPath: [], text: 'the of and' })).toEqual({ indices: [], values: [] });
    expect(querySparseVector('*** (( ')).toEqual({ indices: [], values: [] });
  });
});
