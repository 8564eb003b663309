import { describe, expect, it } from 'vitest';
import { filterFrom } from './filter-rows.ts';

describe('metadata filter rows', () => {
  it('reads numbers, booleans and quoted text as the server compares them, and commas as any-of', () => {
    expect(
      filterFrom([
        { key: 'team', values: 'ops' },
        { key: 'year', values: '2024' },
        { key: 'code', values: '"2024"' },
        { key: 'draft', values: 'false' },
        { key: 'lang', values: 'en, de' },
      ]),
    ).toEqual({ team: 'ops', year: 2024, code: '2024', draft: false, lang: ['en', 'de'] });
  });

  it('gives no filter for empty rows', () => {
    expect(filterFrom([{ key: '', values: 'x' }, { key: 'team', values: ' ' }])).toBeUndefined();
  });
});
