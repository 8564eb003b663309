// The lexical analyzer's fast path, for the callers that analyze much text at once: the
// store's index build and the rerank API's BM25 over the documents of a request. On ASCII,
// folding changes nothing but case and a term is a run of [A-Za-z0-9], so words are found by
// char codes and looked up in a table of the words seen so far, keyed by their characters:
// no lowercased copy of the text, no string per word unless the word is new. The table's
// arrays are typed, so a lookup touches no object. Each term has a small integer id, so a
// caller that only counts terms (BM25) never touches a string at all. Any other text goes to
// the general analyzer; both give the same terms (ascii-analyzer.test.ts checks it on SciFact).
import { analyze, computeTerm, MAX_TERM_LENGTH } from './lexical-analyzer.js';

const SLOTS = 1 << 18;
const MASK = SLOTS - 1;
// The table starts over past half full, or when the pool of word characters or the list of
// terms is full: an adversarial stream of distinct words cannot grow it.
const MAX_WORDS = SLOTS >> 1;
const POOL_CHARS = 1 << 21;
/** Term ids are below this. */
export const TERM_ID_LIMIT = SLOTS;
/** A word with no term (a stop word, or too long). */
const NO_TERM = -1;

const NON_ASCII = /[^\x00-\x7f]/;
const COMBINING_MARKS = /\p{M}+/gu;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const MARK = /^\p{M}$/u;

/**
 * A character's code in a word: for ASCII the lower-cased letter or the digit; for any other
 * code unit itself if it is a letter or digit (TERM_PATTERN's classes), learnt on first sight;
 * 0 for a character that ends a word. Surrogate pairs are looked at apart (see wordCodeAt).
 */
const WORD_CODE = new Uint16Array(65536);
/** What is known of a code unit: UNKNOWN until first sight, then whether it is a combining mark. */
const KIND = new Uint8Array(65536);
const UNKNOWN = 0;
const NOT_MARK = 1;
const IS_MARK = 2;
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  KIND[code] = NOT_MARK;
  if (/[A-Za-z0-9]/.test(char)) WORD_CODE[code] = char.toLowerCase().charCodeAt(0);
}

/** Learns WORD_CODE and KIND of a code unit above ASCII (a lone surrogate is neither letter nor mark). */
function learn(code: number): void {
  const char = String.fromCharCode(code);
  WORD_CODE[code] = LETTER_OR_DIGIT.test(char) ? code : 0;
  KIND[code] = MARK.test(char) ? IS_MARK : NOT_MARK;
}

/**
 * Whether a text may hold a combining mark: removing them is a slow Unicode regex, and most
 * non-ASCII text (Greek letters, dashes) has none. A surrogate may be one (astral marks).
 */
function mayHoldMarks(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x300) continue;
    if (code >= 0xd800 && code <= 0xdfff) return true;
    if (KIND[code] === UNKNOWN) learn(code);
    if (KIND[code] === IS_MARK) return true;
  }
  return false;
}

/**
 * The word code of text[i] (0: not in a word). A surrogate pair is a letter or digit as a
 * whole: its high half answers the pair's class, its low half (inside the same word) itself.
 */
function wordCodeAt(text: string, i: number): number {
  const code = text.charCodeAt(i);
  if (code < 128) return WORD_CODE[code]!;
  if (code >= 0xd800 && code <= 0xdfff) return surrogateWordCode(text, i, code);
  if (KIND[code] === UNKNOWN) learn(code);
  return WORD_CODE[code]!;
}

function surrogateWordCode(text: string, i: number, code: number): number {
  if (code <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    return next >= 0xdc00 && next <= 0xdfff && LETTER_OR_DIGIT.test(String.fromCharCode(code, next)) ? code : 0;
  }
  // A low half belongs to a word when its high half made one (checked again here, as the scan
  // reads each unit once and a text may start with a low half).
  const previous = text.charCodeAt(i - 1);
  return previous >= 0xd800 && previous <= 0xdbff && LETTER_OR_DIGIT.test(String.fromCharCode(previous, code)) ? code : 0;
}

/**
 * Per slot, two numbers: the word's hash, and where the word is in the pool and its length
 * (start << 7 | length; 0: empty, as every word has a character). Eight bytes a slot keep the
 * table small enough for the processor's cache; the term id sits in the pool beside the word,
 * which a lookup reads anyway.
 */
const table = new Int32Array(SLOTS * 2);
/**
 * Per word, from an even index: its term id (two 16-bit halves), then its characters as word
 * codes; `pairs` views the same memory two characters at a time, so a lookup compares a
 * word in half the steps.
 */
const pool = new Uint16Array(POOL_CHARS);
const pairs = new Uint32Array(pool.buffer);
let poolUsed = 0;
let storedWords = 0;

const termById: string[] = [];
const idByTerm = new Map<string, number>();
let generation = 0;

/** Where a scan writes its term ids; grown to the longest text seen. */
let scratch = new Int32Array(1024);

function startOver(): void {
  table.fill(0);
  poolUsed = 0;
  storedWords = 0;
  termById.length = 0;
  idByTerm.clear();
  generation += 1;
}

/**
 * Changes whenever the table starts over, which gives the terms new ids: ids from two
 * generations must not be compared (a caller keeping ids checks this around its work).
 */
export function termTableGeneration(): number {
  return generation;
}

export function termOfId(id: number): string {
  return termById[id]!;
}

function idOfTerm(term: string): number {
  let id = idByTerm.get(term);
  if (id === undefined) {
    if (termById.length >= TERM_ID_LIMIT) startOver();
    id = termById.length;
    termById.push(term);
    idByTerm.set(term, id);
  }
  return id;
}

/** The word being scanned, as word codes (a word longer than MAX_TERM_LENGTH is not kept), and two at a time. */
const word = new Uint16Array(MAX_TERM_LENGTH);
const wordPairs = new Uint32Array(word.buffer);

/**
 * The term id of the word in `word` (its text at text[start, start + length), lower-cased
 * already when `folded`), from the table or computed once.
 */
function termIdOfWord(text: string, start: number, length: number, hash: number, folded: boolean): number {
  let slot = (hash ^ (hash >>> 15)) & MASK;
  for (let entry = table[slot * 2 + 1]!; entry !== 0; slot = (slot + 1) & MASK, entry = table[slot * 2 + 1]!) {
    if (table[slot * 2] !== hash || (entry & 127) !== length) continue;
    const at = entry >>> 7;
    // Whole pairs, then the odd last character (the buffer holds older words beyond `length`).
    const whole = length >>> 1;
    const fromPair = (at >>> 1) + 1;
    let k = 0;
    while (k < whole && pairs[fromPair + k] === wordPairs[k]) k++;
    if (k === whole && ((length & 1) === 0 || pool[at + 1 + length]! === word[length - 1])) return pairs[at >>> 1]! | 0;
  }
  return addWord(text, start, length, hash, slot, folded);
}

/** Enters a word the table does not hold at its free `slot`; returns its term id. */
function addWord(text: string, start: number, length: number, hash: number, slot: number, folded: boolean): number {
  if (storedWords >= MAX_WORDS || poolUsed + length + 3 > POOL_CHARS) {
    startOver();
    slot = (hash ^ (hash >>> 15)) & MASK;
  }
  const characters = text.slice(start, start + length);
  const term = computeTerm(folded ? characters : characters.toLowerCase());
  const id = term === null ? NO_TERM : idOfTerm(term);
  pairs[poolUsed >>> 1] = id;
  for (let k = 0; k < length; k++) pool[poolUsed + 2 + k] = word[k]!;
  table[slot * 2] = hash;
  table[slot * 2 + 1] = (poolUsed << 7) | length;
  // The next word starts at an even index again.
  poolUsed += 2 + length + (length & 1);
  storedWords += 1;
  return id;
}

/**
 * Writes the term ids of a text to `scratch`, returns how many: ASCII as it is (folding
 * would only lower its case), anything else `folded` (lower-cased, decomposed, marks removed).
 */
function scanWords(text: string, folded: boolean): number {
  const length = text.length;
  // At most one word per two characters (a character and a separator), rounded up.
  if (scratch.length < (length >> 1) + 1) scratch = new Int32Array((length >> 1) + 1024);
  const out = scratch;
  let found = 0;
  let i = 0;
  while (i < length) {
    let code = wordCodeAt(text, i);
    if (code === 0) {
      i += 1;
      continue;
    }
    const start = i;
    // FNV-1a over the word codes, which are kept for the lookup as far as a term can reach.
    let hash = 0x811c9dc5 | 0;
    for (;;) {
      if (i - start < MAX_TERM_LENGTH) word[i - start] = code;
      hash = Math.imul(hash ^ code, 0x01000193);
      i += 1;
      if (i === length) break;
      code = wordCodeAt(text, i);
      if (code === 0) break;
    }
    // A longer word has no term (computeTerm's rule).
    if (i - start > MAX_TERM_LENGTH) continue;
    const id = termIdOfWord(text, start, i - start, hash, folded);
    if (id !== NO_TERM) out[found++] = id;
  }
  return found;
}

/** Writes the term ids of any text to `scratch`; returns how many. */
function scan(text: string): number {
  if (!NON_ASCII.test(text)) return scanWords(text, false);
  // Folded exactly as analyze() folds: NFKD, marks removed, then lower-cased as one string
  // (case mapping depends on context, e.g. a final sigma, so never per character).
  const decomposed = text.normalize('NFKD');
  return scanWords((mayHoldMarks(decomposed) ? decomposed.replace(COMBINING_MARKS, '') : decomposed).toLowerCase(), true);
}

/**
 * The ids of analyze(text)'s terms, in order. They are valid while termTableGeneration()
 * stays as it was before the call (the table may start over during it).
 */
export function analyzeToTermIds(text: string): Int32Array {
  return analyzeToTermIdsView(text).slice();
}

/** analyzeToTermIds without the copy: a view that the next call of this module overwrites. */
export function analyzeToTermIdsView(text: string): Int32Array {
  const found = scan(text);
  // Read after the scan, which may have grown the buffer.
  return scratch.subarray(0, found);
}

/** The same terms as analyze(text), faster. */
export function analyzeForIndex(text: string): string[] {
  const before = generation;
  const found = scan(text);
  // The table started over inside this text: the ids before that point are gone.
  if (generation !== before) return analyze(text);
  const terms = new Array<string>(found);
  for (let k = 0; k < found; k++) terms[k] = termById[scratch[k]!]!;
  return terms;
}
