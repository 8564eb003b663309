import { describe, expect, it } from 'vitest';
import { AnalyzedDocuments } from './analyzed-documents.js';

describe('AnalyzedDocuments', () => {
  it('notes a text the first time and knows it from then on', () => {
    const documents = new AnalyzedDocuments();
    expect(documents.seenBefore('Capital punishment in the United States.')).toBe(false);
    expect(documents.seenBefore('Capital punishment in the United States.')).toBe(true);
    // Another text of the same length, and one that differs only in its last word.
    expect(documents.seenBefore('Capital punishment in the United Statez.')).toBe(false);
    expect(documents.seenBefore('Capital punishment in the United States!')).toBe(false);
  });

  it('tells new texts from seen ones among thousands, with few false "seen"', () => {
    const documents = new AnalyzedDocuments();
    const texts = Array.from({ length: 20_000 }, (_, i) => `Abstract ${i}: the protein ${i * 7} binds receptor ${i % 13} in cells.`);
    const firstTime = texts.filter((text) => documents.seenBefore(text)).length;
    expect(firstTime).toBeLessThan(texts.length / 100);
    expect(texts.every((text) => documents.seenBefore(text))).toBe(true);
  });

  it('answers kept ids for exactly that text and generation', () => {
    const documents = new AnalyzedDocuments();
    const ids = Int32Array.of(3, 1, 4);
    documents.keep('yellow bananas', ids, 7);
    expect(documents.get('yellow bananas', 7)).toEqual(ids);
    expect(documents.get('yellow bananas', 8)).toBeUndefined();
    expect(documents.get('yellow banana', 7)).toBeUndefined();
  });
});
