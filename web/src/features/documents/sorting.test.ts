import { describe, expect, it } from 'vitest';
import { ariaSort, nextSort, pageBounds } from './sorting.ts';

describe('documents table sorting and paging', () => {
  it('flips the direction on the same column and starts a new column in its natural order', () => {
    expect(nextSort({ sort: 'source', order: 'asc' }, 'source')).toEqual({ sort: 'source', order: 'desc' });
    expect(nextSort({ sort: 'source', order: 'asc' }, 'updatedAt')).toEqual({ sort: 'updatedAt', order: 'desc' });
    expect(ariaSort({ sort: 'chunkCount', order: 'desc' }, 'chunkCount')).toBe('descending');
    expect(ariaSort({ sort: 'chunkCount', order: 'desc' }, 'source')).toBe('none');
  });

  it('says which rows a page holds and whether there are more', () => {
    expect(pageBounds(0, 50, 10_000)).toEqual({ first: 1, last: 50, hasPrevious: false, hasNext: true });
    expect(pageBounds(9_950, 50, 10_000)).toEqual({ first: 9_951, last: 10_000, hasPrevious: true, hasNext: false });
    expect(pageBounds(0, 0, 0)).toEqual({ first: 0, last: 0, hasPrevious: false, hasNext: false });
  });
});
