import { describe, expect, it } from 'vitest';
import { parseScaleSizes, rowNearest } from './scale.js';

describe('scale bench sizes', () => {
  it('reads chunk counts with k and M suffixes, sorted and distinct, and refuses the rest', () => {
    expect(parseScaleSizes('400k,8k,1M,80000,8k')).toEqual([8000, 80000, 400000, 1000000]);
    expect(() => parseScaleSizes('8k,lots')).toThrow(/"lots" is not one/);
    expect(() => parseScaleSizes('50')).toThrow(/start at 100 chunks/);
  });

  it('judges the targets at the row nearest 400k, not at a larger one run beside it', () => {
    const rows = [{ chunks: 8276 }, { chunks: 80_112 }, { chunks: 400_034 }, { chunks: 1_000_410 }];
    expect(rowNearest(rows, 400_000)).toBe(rows[2]);
    expect(rowNearest(rows.slice(0, 2), 400_000)).toBe(rows[1]);
  });
});
