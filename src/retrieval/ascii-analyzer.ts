// The lexical analyzer's fast path for plain ASCII text, used where the store analyzes a
// whole collection at once (an index build). On ASCII, folding changes nothing but case and
// a term is a run of [A-Za-z0-9], so words can be found by char codes and looked up in a
// table keyed by the characters themselves: no lowercased copy of the text, no array of
// word strings, no string per word unless the word is new. Half the cost of a build went
// to those allocations. Any other text goes to the general analyzer; both give the same terms.
import { analyze, termFor } from './lexical-analyzer.js';

const SLOTS = 1 << 18;
const MASK = SLOTS - 1;
// Starts over past half full (an adversarial stream of distinct words cannot grow it).
const MAX_WORDS = SLOTS >> 1;

const NON_ASCII = /[^\x00-\x7f]/;
const COMBINING_MARKS = /\p{M}+/gu;

const words: Array<string | undefined> = new Array<string | undefined>(SLOTS);
const terms: Array<string | null> = new Array<string | null>(SLOTS);
const hashes = new Int32Array(SLOTS);
let stored = 0;

function isWordCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
}

function lower(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/** The term of text[start, end) (a word, any case), from the table or computed once. */
function termOfWord(text: string, start: number, end: number, hash: number): string | null {
  const length = end - start;
  for (let slot = hash & MASK; ; slot = (slot + 1) & MASK) {
    const word = words[slot];
    if (word === undefined) break;
    if (hashes[slot] !== hash || word.length !== length) continue;
    let same = true;
    for (let k = 0; k < length; k++) {
      if (word.charCodeAt(k) !== lower(text.charCodeAt(start + k))) {
        same = false;
        break;
      }
    }
    if (same) return terms[slot]!;
  }
  const word = text.slice(start, end).toLowerCase();
  const term = termFor(word);
  if (stored >= MAX_WORDS) {
    words.fill(undefined);
    stored = 0;
  }
  let slot = hash & MASK;
  while (words[slot] !== undefined) slot = (slot + 1) & MASK;
  words[slot] = word;
  terms[slot] = term;
  hashes[slot] = hash;
  stored += 1;
  return term;
}

/** The same terms as analyze(text), faster on text that is ASCII once folded. */
export function analyzeForIndex(text: string): string[] {
  if (NON_ASCII.test(text)) {
    // Folded as analyze() folds (its NFKD, marks and case steps); what is still not ASCII
    // (Greek letters, CJK) needs its Unicode word classes.
    const folded = text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase();
    return NON_ASCII.test(folded) ? analyze(text) : scanAscii(folded);
  }
  return scanAscii(text);
}

function scanAscii(text: string): string[] {
  const found: string[] = [];
  const length = text.length;
  let i = 0;
  while (i < length) {
    if (!isWordCode(text.charCodeAt(i))) {
      i += 1;
      continue;
    }
    const start = i;
    let hash = 0;
    for (; i < length; i++) {
      const code = text.charCodeAt(i);
      if (!isWordCode(code)) break;
      hash = (Math.imul(hash, 31) + lower(code)) | 0;
    }
    const term = termOfWord(text, start, i, hash);
    if (term !== null) found.push(term);
  }
  return found;
}
