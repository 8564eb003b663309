// The term ids of documents the rerank API has been sent before, keyed by their text: callers
// send the same passages again and again (the chunks a retriever keeps finding, each turn of
// a conversation), and a document seen again then costs a lookup instead of an analysis.
//
// Most documents of a request are new, though, and keeping one is not free: a Map key is
// hashed over every character (about 0.2 ms for 100 abstracts, a tenth of analyzing them).
// So a text is kept only when it comes a second time. A bit table of fingerprints (the
// length and a few sampled characters, a few operations to compute) remembers what came
// once: TinyLFU's "doorkeeper" (Einziger, Friedman and Manes, 2017). A fingerprint never
// decides a hit; at worst it lets a new text be looked up, and the cache compares whole texts.
import { LRUCache } from 'lru-cache';

/** Characters of document text the cache holds (the keys), about 40 MB of strings at most. */
const CACHED_CHARACTERS = 20_000_000;
/** Bits of the doorkeeper; it starts over past a quarter full, which keeps false "seen" rare. */
const SEEN_BITS = 1 << 21;
const EDGE = 16;
const SAMPLES = 32;

interface KeptDocument {
  termIds: Int32Array;
  /** The term table's generation the ids belong to. */
  generation: number;
}

/** A hash of the length, the first and last EDGE characters and SAMPLES characters between them. */
function fingerprint(text: string): number {
  const length = text.length;
  let hash = Math.imul(length ^ 0x9e3779b9, 0x01000193);
  const head = Math.min(EDGE, length);
  const tail = Math.max(head, length - EDGE);
  // Texts that differ, differ mostly at the start (a title, a chunk's first words) or the end.
  for (let i = 0; i < head; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  for (let i = tail; i < length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  const step = Math.max(1, Math.floor((tail - head) / SAMPLES));
  for (let i = head + (step >> 1); i < tail; i += step) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d);
  return (hash ^ (hash >>> 13)) >>> 0;
}

export class AnalyzedDocuments {
  private readonly kept = new LRUCache<string, KeptDocument>({ maxSize: CACHED_CHARACTERS, sizeCalculation: (_, text) => Math.max(1, text.length) });
  private readonly seen = new Int32Array(SEEN_BITS >>> 5);
  private seenCount = 0;

  /** Whether the text may have come before (a fingerprint can err towards yes); notes that it came now. */
  seenBefore(text: string): boolean {
    const bit = fingerprint(text) & (SEEN_BITS - 1);
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    if ((this.seen[word]! & mask) !== 0) return true;
    if (this.seenCount >= SEEN_BITS >>> 2) {
      this.seen.fill(0);
      this.seenCount = 0;
    }
    this.seen[word]! |= mask;
    this.seenCount += 1;
    return false;
  }

  /** The ids kept for exactly this text, if they belong to this generation of the term table. */
  get(text: string, generation: number): Int32Array | undefined {
    const kept = this.kept.get(text);
    return kept?.generation === generation ? kept.termIds : undefined;
  }

  keep(text: string, termIds: Int32Array, generation: number): void {
    this.kept.set(text, { termIds, generation });
  }
}
