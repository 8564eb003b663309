// An in-memory BM25 index over one collection's chunks, kept beside the FTS5 index. FTS5
// computes bm25() for every row that matches any query term, which on an OR of ten stemmed
// words is most of a collection (about 9 ms a query on 8k chunks); scoring postings held in
// memory is an order of magnitude cheaper. The scoring is FTS5's own (k1 1.2, b 0.75, its
// idf with the same floor, term frequency summed over title, heading and body), computed
// from this collection's statistics, so rankings match the FTS5 path.
//
// The index is rebuilt from the store's text, not updated in place: it is dropped when the
// collection changes and rebuilt in slices that yield to the event loop, and searches use
// FTS5 until it is ready. That keeps every write path the single source of truth.

const K1 = 1.2;
const B = 0.75;
// FTS5 floors idf at this value for terms in more than half of the rows.
const MIN_IDF = 1e-6;

export interface IndexedChunk {
  id: number;
  terms: string[];
  /** Tokens that count toward the length but are never searched (FTS5's collection marker). */
  extraLength?: number;
}

export interface LexicalHit {
  id: number;
  score: number;
}

export class LexicalIndex {
  private readonly ids: number[] = [];
  private readonly lengths: number[] = [];
  /** term -> [position, tf, position, tf, ...] in positions order. */
  private readonly postings = new Map<string, number[]>();
  private totalLength = 0;
  private scratch = new Float64Array(0);
  /** k1·(1 − b + b·length/average) per chunk, fixed once the index is complete (see `seal`). */
  private norms: Float64Array | null = null;

  add(chunk: IndexedChunk): void {
    if (this.norms) throw new Error('LexicalIndex is sealed: build a new one for new chunks');
    const position = this.ids.length;
    this.ids.push(chunk.id);
    const length = chunk.terms.length + (chunk.extraLength ?? 0);
    this.lengths.push(length);
    this.totalLength += length;
    const counts = new Map<string, number>();
    for (const term of chunk.terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    for (const [term, tf] of counts) {
      let list = this.postings.get(term);
      if (!list) this.postings.set(term, (list = []));
      list.push(position, tf);
    }
  }

  get size(): number {
    return this.ids.length;
  }

  /** Ends the build: the length normalisation of every chunk is computed once, not per query. */
  seal(): this {
    const averageLength = this.ids.length === 0 ? 1 : this.totalLength / this.ids.length;
    this.norms = Float64Array.from(this.lengths, (length) => K1 * (1 - B + (B * length) / averageLength));
    return this;
  }

  /** The `limit` best chunks for these (distinct, analyzed) terms: score descending, then id ascending. */
  search(terms: readonly string[], limit: number): LexicalHit[] {
    const count = this.ids.length;
    if (count === 0 || limit <= 0) return [];
    if (this.scratch.length < count) this.scratch = new Float64Array(count);
    const scores = this.scratch;
    const touched: number[] = [];
    const norms = this.norms ?? this.seal().norms!;
    for (const term of terms) {
      const list = this.postings.get(term);
      if (!list) continue;
      const documentFrequency = list.length / 2;
      const idf = Math.max(MIN_IDF, Math.log((count - documentFrequency + 0.5) / (documentFrequency + 0.5)));
      for (let i = 0; i < list.length; i += 2) {
        const position = list[i]!;
        const tf = list[i + 1]!;
        const score = (idf * (tf * (K1 + 1))) / (tf + norms[position]!);
        const before = scores[position]!;
        if (before === 0) touched.push(position);
        scores[position] = before + score;
      }
    }
    const hits = touched.map((position) => ({ id: this.ids[position]!, score: scores[position]! }));
    for (const position of touched) scores[position] = 0;
    return topK(hits, limit);
  }
}

/** Score descending, id ascending; a full sort only of what survives a cut-off pass. */
function topK(hits: LexicalHit[], limit: number): LexicalHit[] {
  const better = (a: LexicalHit, b: LexicalHit) => b.score - a.score || a.id - b.id;
  if (hits.length <= limit * 4) return hits.sort(better).slice(0, limit);
  // Keep a sorted window of the best `limit`; most hits fall below its last score at once.
  const best = hits.slice(0, limit).sort(better);
  for (let i = limit; i < hits.length; i++) {
    const hit = hits[i]!;
    if (better(hit, best[limit - 1]!) >= 0) continue;
    let at = limit - 1;
    while (at > 0 && better(hit, best[at - 1]!) < 0) {
      best[at] = best[at - 1]!;
      at--;
    }
    best[at] = hit;
  }
  return best;
}
