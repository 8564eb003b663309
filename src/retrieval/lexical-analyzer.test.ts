import { describe, expect, it } from 'vitest';
import { analyze, analyzeQuery } from './lexical-analyzer.js';

describe('lexical analyzer', () => {
  it('folds case and diacritics so accented and plain spellings match', () => {
    expect(analyze('Café NAÏVE')).toEqual(analyze('cafe naive'));
  });

  it('stems inflections to one term', () => {
    const [a] = analyze('mutations');
    const [b] = analyze('mutation');
    expect(a).toBe(b);
  });

  it('drops stop words and keeps alphanumeric names whole', () => {
    expect(analyze('the role of p53 in covid19')).toEqual(['role', 'p53', 'covid19']);
  });

  it('splits on punctuation and ignores empty input', () => {
    expect(analyze('state-of-the-art, really!')).toEqual(['state', 'art', 'realli']);
    expect(analyze('  ... ')).toEqual([]);
  });

  it('deduplicates query terms in order', () => {
    expect(analyzeQuery('cells cell CELL growth')).toEqual(['cell', 'growth']);
  });
});
