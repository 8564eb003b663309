import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../common/errors.js';
import { metadataConditions, metadataPath } from './qdrant-filter.js';

describe('metadata filters as Qdrant conditions', () => {
  it('puts metadata keys under `metadata`, quoting keys that contain dots', () => {
    expect(metadataPath('lang')).toBe('metadata.lang');
    expect(metadataPath('a.b')).toBe('metadata."a.b"');
  });

  it('matches strings, integers and booleans exactly, fractions by a closed range, source at the top level', () => {
    expect(metadataConditions({ lang: 'en', year: 2024, draft: false, score: 0.5, source: 'a.txt' })).toEqual([
      { key: 'metadata.lang', match: { value: 'en' } },
      { key: 'metadata.year', match: { value: 2024 } },
      { key: 'metadata.draft', match: { value: false } },
      { key: 'metadata.score', range: { gte: 0.5, lte: 0.5 } },
      { key: 'source', match: { value: 'a.txt' } },
    ]);
  });

  it('turns any-of lists into match.any per value kind, and an empty list into match-nothing', () => {
    expect(metadataConditions({ lang: ['en', 'de'] })).toEqual([{ key: 'metadata.lang', match: { any: ['en', 'de'] } }]);
    expect(metadataConditions({ v: ['x', 1, true] })).toEqual([
      {
        should: [
          { key: 'metadata.v', match: { any: ['x'] } },
          { key: 'metadata.v', match: { any: [1] } },
          { key: 'metadata.v', match: { value: true } },
        ],
      },
    ]);
    expect(metadataConditions({ lang: [] })).toEqual([{ has_id: [] }]);
  });

  it('refuses keys outside the allowed characters', () => {
    expect(() => metadataConditions({ 'a"b': 'x' })).toThrow(expect.objectContaining({ code: ErrorCode.ValidationFailed }));
  });
});
