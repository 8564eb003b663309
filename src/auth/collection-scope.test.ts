import { describe, expect, it } from 'vitest';
import { CollectionScope } from './collection-scope.js';

describe('CollectionScope', () => {
  it('allows exact names and prefixes, and everything with "*"', () => {
    const scope = CollectionScope.parse(['handbook', 'team-a-*']);
    expect(['handbook', 'team-a-', 'team-a-docs'].map((name) => scope.allows(name))).toEqual([true, true, true]);
    expect(['handbook2', 'team-b-docs', 'team-', 'Handbook'].map((name) => scope.allows(name))).toEqual([false, false, false, false]);
    expect(scope.coversAll).toBe(false);
    expect(CollectionScope.parse(['*']).allows('anything')).toBe(true);
  });

  it('refuses entries that are neither names nor prefixes', () => {
    for (const entry of ['', 'a*b', '../x', 'team a', '*team', '-x']) expect(() => CollectionScope.parse([entry]), entry).toThrow(/not a scope entry/);
    expect(() => CollectionScope.parse([])).toThrow(/at least one entry/);
  });
});
