import { describe, expect, it } from 'vitest';
import { estimateTokens } from './token-estimate.js';

describe('estimateTokens', () => {
  it('costs nothing for empty text and whitespace', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens(' \n\t\u00a0\u3000 ')).toBe(0);
  });

  it('counts a short word as one token and splits long words into four-character pieces', () => {
    expect(estimateTokens('cat')).toBe(1);
    expect(estimateTokens('word')).toBe(1);
    expect(estimateTokens('words')).toBe(1);
    expect(estimateTokens('sentence')).toBe(2); // 8 letters: past one whole-word token
    expect(estimateTokens('internationalization')).toBe(4); // 20 letters
  });

  it('counts each punctuation mark and symbol as a token', () => {
    expect(estimateTokens('Hi, you!')).toBe(1 + 1 + 1 + 1);
    expect(estimateTokens('Hello, world!')).toBe(1 + 1 + 1 + 1);
    expect(estimateTokens('a+b=c')).toBe(5);
    expect(estimateTokens('...')).toBe(3);
  });

  it('counts digits like letters', () => {
    expect(estimateTokens('2024')).toBe(1);
    expect(estimateTokens('v12345678')).toBe(2);
  });

  it('counts accented and non-Latin letters as part of words, whichever way accents are encoded', () => {
    expect(estimateTokens('café')).toBe(1);
    expect(estimateTokens('cafe\u0301')).toBe(1); // the combining accent is a fifth character of the run
    expect(estimateTokens('Привет мир')).toBe(1 + 1);
  });

  it('counts CJK characters one token each, also next to Latin words', () => {
    expect(estimateTokens('東京都')).toBe(3);
    expect(estimateTokens('ひらがな')).toBe(4);
    expect(estimateTokens('한국어')).toBe(3);
    expect(estimateTokens('API東京')).toBe(1 + 2);
    expect(estimateTokens('𠀀𠀁')).toBe(2); // beyond the BMP: surrogate pairs count once
  });

  it('counts an emoji as one symbol token', () => {
    expect(estimateTokens('ok 👍')).toBe(2);
  });

  it('lands near real tokenizer counts for English prose', () => {
    const prose =
      'Retrieval-augmented generation combines a search step with a language model. ' +
      'The retriever finds passages that are relevant to the question, and the model writes an answer ' +
      'grounded in those passages, citing them so that a reader can check each claim.';
    // BPE tokenizers spend about 1.3 tokens per English word; the estimate may err high, not wildly.
    const words = prose.split(/\s+/).length;
    const estimate = estimateTokens(prose);
    expect(estimate).toBeGreaterThanOrEqual(words * 1.2);
    expect(estimate).toBeLessThanOrEqual(words * 2);
  });

  it('is additive across whitespace, so sizes of parts add up to the size of the whole', () => {
    const parts = ['First sentence here.', 'Second one, with a comma.', 'Third: 東京.'];
    const sum = parts.reduce((total, part) => total + estimateTokens(part), 0);
    expect(estimateTokens(parts.join(' '))).toBe(sum);
  });

  it('counts a long text the same as the sum of its parts', () => {
    const text = 'lorem ipsum dolor sit amet, '.repeat(40_000); // about 1 MB
    expect(estimateTokens(text)).toBe(40_000 * 6);
  });
});
