// Collapses passages that say the same thing in several documents — a README vendored in
// three nested packages, a licence or a disclaimer repeated on every page — into the best
// ranked one, which lists the others in `alsoIn`. Identical text is found by content hash;
// near-identical text (a changed version number, a reworded line) by the Jaccard similarity
// of the passages' word 3-shingles — what MinHash estimates, computed exactly here because a
// score filter leaves only a handful of pairs to compare. Only the ranked list is touched,
// so the stores and their indexes stay as they are.
import { LRUCache } from 'lru-cache';
import type { DuplicateSource, RankedChunk } from './search-types.js';

/** Shingle sets this similar are the same text with small edits (Broder's resemblance). */
export const NEAR_DUPLICATE_JACCARD = 0.8;
/** Texts shorter than this many words are compared by hash only: a few words' resemblance is noise. */
const MIN_WORDS_TO_COMPARE = 8;
const SHINGLE = 3;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

// Shingle sets by content hash: the same passages come back query after query.
const shingleSets = new LRUCache<string, { value: Uint32Array | null }>({ max: 10_000 });

/**
 * The ranked list with near-duplicates folded into the first of each group; ranks renumbered.
 * Only passages whose retrieval scores (and lengths) are close are compared:
 * near-identical text scores nearly the same for any query, and the list is sorted by score,
 * so a short look back finds every candidate and most passages are never shingled.
 */
export function collapseNearDuplicates(results: readonly RankedChunk[], minJaccard = NEAR_DUPLICATE_JACCARD): { results: RankedChunk[]; collapsed: number } {
  const kept: Group[] = [];
  const byHash = new Map<string, Group>();
  let collapsed = 0;
  for (const chunk of results) {
    const entry: Group = { chunk, alsoIn: [] };
    const group = byHash.get(chunk.contentHash) ?? nearDuplicateOf(entry, kept, minJaccard);
    if (group) {
      group.alsoIn.push({ chunkId: chunk.chunkId, documentId: chunk.documentId, source: chunk.source });
      collapsed += 1;
      continue;
    }
    kept.push(entry);
    byHash.set(chunk.contentHash, entry);
  }
  if (collapsed === 0) return { results: [...results], collapsed };
  return {
    results: kept.map(({ chunk, alsoIn }, index) => ({ ...chunk, rank: index + 1, retrievalRank: index + 1, ...(alsoIn.length > 0 ? { alsoIn } : {}) })),
    collapsed,
  };
}

interface Group {
  chunk: RankedChunk;
  alsoIn: DuplicateSource[];
  /** Looked up once per call, when a comparison first needs it. */
  shingles?: Uint32Array | null;
}

/** Relative score difference within which two passages may be the same text. */
const SCORE_TOLERANCE = 0.02;
const MAX_LENGTH_DIFFERENCE = 0.2;
/** Near-identical passages rank next to each other; where many scores tie, only this many before are compared. */
const MAX_LOOK_BACK = 16;
/** Bottom-k sketch size and the share two near-duplicates' sketches keep at the very least. */
const SKETCH_SIZE = 8;
const MIN_SKETCH_RESEMBLANCE = 0.25;

function nearDuplicateOf(candidate: Group, kept: readonly Group[], minJaccard: number): Group | undefined {
  const { chunk } = candidate;
  for (let i = kept.length - 1; i >= Math.max(0, kept.length - MAX_LOOK_BACK); i--) {
    const other = kept[i]!;
    const scale = Math.max(Math.abs(other.chunk.score), Math.abs(chunk.score), Number.MIN_VALUE);
    if (Math.abs(other.chunk.score - chunk.score) / scale > SCORE_TOLERANCE) {
      if (other.chunk.score > chunk.score) break; // sorted by score: everything earlier scores higher still
      continue;
    }
    // Resemblance 0.8 is out of reach for texts whose lengths differ by more than a fifth.
    if (Math.abs(other.chunk.text.length - chunk.text.length) > MAX_LENGTH_DIFFERENCE * Math.max(other.chunk.text.length, chunk.text.length)) continue;
    const shingles = shinglesOf(candidate);
    if (shingles === null) return undefined;
    const theirs = shinglesOf(other);
    if (theirs !== null && mayResemble(theirs, shingles) && resemblesAtLeast(theirs, shingles, minJaccard)) return other;
  }
  return undefined;
}

function shinglesOf(group: Group): Uint32Array | null {
  if (group.shingles !== undefined) return group.shingles;
  let cached = shingleSets.get(group.chunk.contentHash);
  if (cached === undefined) {
    cached = { value: shingleSet(group.chunk.text) };
    shingleSets.set(group.chunk.contentHash, cached);
  }
  group.shingles = cached.value;
  return cached.value;
}

/**
 * Hashes of the text's word 3-shingles (case folded), sorted and distinct; null when the text
 * is too short to judge. One pass over the characters, no substrings: this runs on every
 * candidate passage whose score resembles another's.
 */
export function shingleSet(text: string): Uint32Array | null {
  const wordHashes: number[] = [];
  let hash = FNV_OFFSET;
  let inWord = false;
  for (let i = 0; i <= text.length; i++) {
    let code = i < text.length ? text.charCodeAt(i) : 32;
    if (code >= 65 && code <= 90) code += 32;
    const isWordChar = (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code > 127 && WORD_CHAR.test(text[i]!));
    if (isWordChar) {
      hash = Math.imul(hash ^ code, FNV_PRIME);
      inWord = true;
    } else if (inWord) {
      wordHashes.push(hash >>> 0);
      hash = FNV_OFFSET;
      inWord = false;
    }
  }
  if (wordHashes.length < MIN_WORDS_TO_COMPARE) return null;
  const shingles = new Uint32Array(wordHashes.length - SHINGLE + 1);
  for (let i = 0; i < shingles.length; i++) {
    shingles[i] = (Math.imul(wordHashes[i]!, 0x9e3779b1) ^ Math.imul(wordHashes[i + 1]!, 0x85ebca77) ^ wordHashes[i + 2]!) >>> 0;
  }
  shingles.sort();
  let distinct = 0;
  for (let i = 0; i < shingles.length; i++) if (i === 0 || shingles[i] !== shingles[i - 1]) shingles[distinct++] = shingles[i]!;
  return shingles.subarray(0, distinct);
}

/**
 * A quick test before the exact one: the smallest hashes of a sorted set are a MinHash
 * bottom-k sketch, and two sets with resemblance 0.8 share most of them. Most pairs a
 * score filter lets through are unrelated and stop here. (The Jaccard of the two sets'
 * first SKETCH_SIZE hashes, merged in place: this runs for every pair the filters pass.)
 */
function mayResemble(a: Uint32Array, b: Uint32Array): boolean {
  const lengthA = Math.min(a.length, SKETCH_SIZE);
  const lengthB = Math.min(b.length, SKETCH_SIZE);
  const common = commonCount(a, b, lengthA, lengthB);
  return common / (lengthA + lengthB - common) >= MIN_SKETCH_RESEMBLANCE;
}

/** |A ∩ B| / |A ∪ B| of two sorted sets, by one merge. */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  const common = commonCount(a, b, a.length, b.length);
  return common / (a.length + b.length - common);
}

/**
 * jaccard(a, b) >= min, decided as soon as the merge shows the shared count cannot reach
 * the least that makes it true. Perturbed copies rank side by side and often share a
 * third of their shingles: a full merge each would be most of a query's collapsing.
 */
export function resemblesAtLeast(a: Uint32Array, b: Uint32Array, min: number): boolean {
  const total = a.length + b.length;
  // The least shared count whose resemblance, computed as jaccard() does, reaches min;
  // the expression grows with the count, so stopping below it never changes the answer.
  let needed = Math.ceil((min * total) / (1 + min));
  while (needed > 0 && (needed - 1) / (total - needed + 1) >= min) needed--;
  while (needed <= Math.min(a.length, b.length) && needed / (total - needed) < min) needed++;
  // Each value of one set the merge passes without a match is one the intersection lacks:
  // past |A| - needed of them in A (or in B), it cannot reach needed.
  const slackA = a.length - needed;
  const slackB = b.length - needed;
  if (slackA < 0 || slackB < 0) return false;
  let i = 0;
  let j = 0;
  let missedA = 0;
  let missedB = 0;
  // Without branches on the comparison: whether a or b steps is a coin toss for unrelated
  // text, and mispredicted branches were most of this loop's time.
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const aBehind = +(x < y);
    const bBehind = +(y < x);
    missedA += aBehind;
    missedB += bBehind;
    i += 1 - bBehind;
    j += 1 - aBehind;
    if (missedA > slackA || missedB > slackB) return false;
  }
  const common = i - missedA;
  return common / (total - common) >= min;
}

/** How many values the first lengthA of a and the first lengthB of b (both sorted) share; branch-free as above. */
function commonCount(a: Uint32Array, b: Uint32Array, lengthA: number, lengthB: number): number {
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < lengthA && j < lengthB) {
    const x = a[i]!;
    const y = b[j]!;
    common += +(x === y);
    i += +(x <= y);
    j += +(y <= x);
  }
  return common;
}
