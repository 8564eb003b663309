// Turns text into the terms that lexical (BM25) retrieval indexes and queries. Both stores
// use this one analyzer for documents and queries alike, so a term means the same thing on
// either side and in either store.
//
// Choices, each general rather than tuned to one dataset:
// - Unicode case folding and diacritic removal: "Café" and "cafe" match.
// - Split on anything that is not a letter or digit, but keep digit-letter runs like "p53"
//   or "covid19" whole: in technical text these are names, not two words.
// - A short English stop list: words that carry no topic and only add postings to scan.
// - Porter stemming: "mutations"/"mutated"/"mutation" share one term, which raises recall
//   on natural-language questions without hurting precision much (BEIR's BM25 baselines
//   use the same stemmer).
import { stemmer } from 'stemmer';

const STOP_WORDS = new Set(
  (
    'a an and are as at be but by for from has have he her his i if in into is it its ' +
    'me my no not of on or our she so such than that the their them then there these they ' +
    'this those to was we were what when where which while who whom why will with would you your'
  ).split(' '),
);

const TERM_PATTERN = /[\p{L}\p{N}]+/gu;
const COMBINING_MARKS = /\p{M}+/gu;
const MAX_TERM_LENGTH = 64;

export function analyze(text: string): string[] {
  const folded = text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase();
  const terms: string[] = [];
  for (const match of folded.matchAll(TERM_PATTERN)) {
    const word = match[0];
    if (word.length > MAX_TERM_LENGTH || STOP_WORDS.has(word)) continue;
    terms.push(/^\p{L}+$/u.test(word) ? stemmer(word) : word);
  }
  return terms;
}

/** The distinct query terms in first-seen order. */
export function analyzeQuery(query: string): string[] {
  return [...new Set(analyze(query))];
}
