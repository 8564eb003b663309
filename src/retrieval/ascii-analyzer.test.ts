import { describe, expect, it } from 'vitest';
import { analyze } from './lexical-analyzer.js';
import { analyzeForIndex } from './ascii-analyzer.js';

describe('analyzeForIndex', () => {
  it('gives exactly the terms of analyze(), on ASCII and on any other text', () => {
    const samples = [
      'The Otters were SLEEPING, holding hands: p53 and COVID19 mutations mutated.',
      'A an AND the; x'.repeat(3),
      `${'a'.repeat(64)} ${'b'.repeat(65)} end`,
      'Café naïve résumé ﬁne', // ASCII once folded
      'Café — ①② α-helix ∆G 日本', // still not ASCII once folded: the general analyzer
      '',
      '   ...!!!   ',
      'tab\tnew\nline\r\nCRLF 42 4x4 x-ray',
    ];
    let seed = 3;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789      .,;:-()[]\'"/';
    for (let i = 0; i < 300; i++) samples.push(Array.from({ length: Math.floor(random() * 400) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    // The same words again, in other cases: the table must answer them as the analyzer would.
    for (const sample of [...samples]) samples.push(sample.toUpperCase(), sample.toLowerCase());
    for (const sample of samples) expect(analyzeForIndex(sample)).toEqual(analyze(sample));
  });
});
