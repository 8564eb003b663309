import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyzeForIndex, analyzeToTermIds, termOfId, termTableGeneration } from './ascii-analyzer.js';
import { analyze } from './lexical-analyzer.js';

/** SciFact's corpus (title + text per document), where the shared datasets are checked out. */
const SCIFACT = join(import.meta.dirname, '../../../shared/datasets/scifact/corpus.jsonl.gz');

function termsOfIds(text: string): string[] {
  return Array.from(analyzeToTermIds(text), termOfId);
}

function expectSameTerms(samples: string[]): void {
  for (const sample of samples) {
    const expected = analyze(sample);
    expect(termsOfIds(sample), sample.slice(0, 80)).toEqual(expected);
    expect(analyzeForIndex(sample), sample.slice(0, 80)).toEqual(expected);
  }
}

function seededRandom(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function randomTexts(alphabet: string[], count: number, seed: number): string[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Array.from({ length: Math.floor(random() * 400) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
}

describe('the fast analyzer', () => {
  it('gives exactly the terms of analyze(), on ASCII and on any other text', () => {
    const samples = [
      'The Otters were SLEEPING, holding hands: p53 and COVID19 mutations mutated.',
      'A an AND the; x'.repeat(3),
      `${'a'.repeat(64)} ${'b'.repeat(65)} end ${'ä'.repeat(64)} ${'ö'.repeat(65)}`,
      'Café naïve résumé ﬁne', // ASCII once folded
      'Café — ①② α-helix ∆G 日本 β-catenin TGF-β1 IL-1β ±2.5 μm ×10', // still not ASCII once folded
      'ΟΔΥΣΣΕΥΣ ΣΑΣ σας', // a final sigma: lower-cased in context, as one string
      'İstanbul DİYARBAKIR', // İ lower-cases to i and a combining dot, which splits the word
      '𝐁𝐨𝐥𝐝 𝑖𝑡𝑎𝑙𝑖𝑐 𝔉𝔯𝔞𝔨', // mathematical letters: astral, folded to ASCII by NFKD
      '𐐀𐐨 𐐷x 😀smile😀 a😀b', // Deseret letters (astral, stay astral), an emoji between words
      'lone \ud800 high, lone \udc00 low, \udc00\ud800 reversed, x\ud835\udc00y', // broken pairs
      'e\u0301cole cafe\u0301s n\u0303 \u0301start', // combining marks already decomposed
      'Ⅻ ⅻ ½ ² ٣ ௰ 〇', // numbers of other scripts, and their NFKD forms
      '',
      '   ...!!!   ',
      'tab\tnew\nline\r\nCRLF 42 4x4 x-ray',
    ];
    const ascii = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789      .,;:-()[]\'"/'.split('');
    const mixed = [...ascii, 'é', 'É', 'ß', 'β', 'Σ', 'ς', 'İ', '–', '·', '\u0301', '日', '𝐁', '😀', '\ud800', 'ﬁ', '①'];
    samples.push(...randomTexts(ascii, 300, 3), ...randomTexts(mixed, 300, 5));
    // The same words again, in other cases: the table must answer them as the analyzer would.
    for (const sample of [...samples]) samples.push(sample.toUpperCase(), sample.toLowerCase());
    expectSameTerms(samples);
  });

  it('answers a text longer than any before it (its buffer grows) in full', () => {
    for (const words of [2_000, 20_000, 200_000]) expectSameTerms([Array.from({ length: words }, (_, i) => `cells${i % 97} mutated`).join(' ')]);
  });

  it.skipIf(!existsSync(SCIFACT))('gives exactly the terms of analyze() on every SciFact document (skipped without ../shared/datasets)', () => {
    const lines = gunzipSync(readFileSync(SCIFACT)).toString('utf8').split('\n').filter((line) => line.trim() !== '');
    const documents = lines.map((line) => JSON.parse(line) as { title: string; text: string }).map((doc) => `${doc.title} ${doc.text}`);
    expect(documents.length).toBeGreaterThan(5000);
    expectSameTerms(documents);
  });

  it('starts its table over when it fills, and says so by a new generation', () => {
    const random = seededRandom(11);
    // More distinct words than the table holds (2^17), in one text.
    const words = Array.from({ length: 150_000 }, (_, i) => `w${i.toString(36)}${Math.floor(random() * 1e6).toString(36)}`);
    const text = words.join(' ');
    const before = termTableGeneration();
    expect(analyzeForIndex(text)).toEqual(analyze(text));
    expect(termTableGeneration()).toBeGreaterThan(before);
    // Ids of one generation still name their terms.
    const generation = termTableGeneration();
    const terms = termsOfIds('the mutations of p53 mutated');
    expect(termTableGeneration()).toBe(generation);
    expect(terms).toEqual(analyze('the mutations of p53 mutated'));
  });
});
