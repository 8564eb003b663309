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
// - Document fields are not weighted apart (see DEFAULT_WEIGHTS in the SQLite store): a term
//   counts the same in a title as in the body, which makes the store's BM25 behave like BM25
//   over title + body as one text, the setup of the strongest published BM25 baselines.
// Measured on SciFact (BEIR test split, `npm run eval`): nDCG@10 0.692 with this analyzer and
// FTS5's bm25 (k1 1.2, b 0.75). Variants tried in a standalone BM25 over the same terms, none
// clearly better, so none adopted: Lucene's 33-word stop list (+0.002), stripping possessive
// "'s" (+0.000), title weight 2 (+0.001), k1 0.9 / b 0.4 as in Anserini (-0.009), Lucene's
// idf log(1 + (N - n + 0.5) / (n + 0.5)) (+0.001).
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
/** A longer word is not indexed (it is an identifier or noise, not a topic). */
export const MAX_TERM_LENGTH = 64;
// Stemming is most of the analyzer's cost and natural text repeats a small vocabulary, so
// each word's term is remembered; the bound keeps an adversarial stream of unique words from
// growing memory without limit (the cache just starts over).
const MAX_CACHED_WORDS = 200_000;
const termCache = new Map<string, string | null>();

const LETTERS_ONLY = /^\p{L}+$/u;

/**
 * The indexed term for one folded word, or null for a word that is not indexed: the rule
 * itself, uncached (the fast analyzer keeps its own table of words).
 */
export function computeTerm(word: string): string | null {
  if (word.length > MAX_TERM_LENGTH || STOP_WORDS.has(word)) return null;
  return LETTERS_ONLY.test(word) ? stemmer(word) : word;
}

/** computeTerm, remembered per word. */
function termFor(word: string): string | null {
  let term = termCache.get(word);
  if (term === undefined) {
    term = computeTerm(word);
    if (termCache.size >= MAX_CACHED_WORDS) termCache.clear();
    termCache.set(word, term);
  }
  return term;
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;
/** TERM_PATTERN on lower-cased ASCII, where it means exactly this; about 2.5x faster than the Unicode classes. */
const ASCII_TERM_PATTERN = /[a-z0-9]+/g;

export function analyze(text: string): string[] {
  // ASCII has nothing to decompose and only [a-z0-9] as letters and digits: skipping NFKD
  // and the Unicode classes there gives the same terms for less than half the time.
  const ascii = ASCII_ONLY.test(text);
  const folded = (ascii ? text : text.normalize('NFKD').replace(COMBINING_MARKS, '')).toLowerCase();
  const terms: string[] = [];
  for (const word of folded.match(ascii ? ASCII_TERM_PATTERN : TERM_PATTERN) ?? []) {
    const term = termFor(word);
    if (term !== null) terms.push(term);
  }
  return terms;
}

/** The distinct query terms in first-seen order. */
export function analyzeQuery(query: string): string[] {
  return [...new Set(analyze(query))];
}
