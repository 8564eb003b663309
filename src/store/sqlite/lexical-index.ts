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

interface PostingList {
  positions: Int32Array;
  frequencies: Float64Array;
}

export class LexicalIndex {
  private readonly ids: number[] = [];
  private readonly lengths: number[] = [];
  /** While building: term -> [position, tf, position, tf, ...]. */
  private building: Map<string, number[]> | null = new Map();
  /** Once sealed: typed posting lists, cheaper to scan than boxed arrays. */
  private postings = new Map<string, PostingList>();
  private totalLength = 0;
  private scratch = new Float64Array(0);
  /** k1·(1 − b + b·length/average) per chunk, fixed once the index is complete (see `seal`). */
  private norms = new Float64Array(0);

  add(chunk: IndexedChunk): void {
    if (!this.building) throw new Error('LexicalIndex is sealed: build a new one for new chunks');
    const position = this.ids.length;
    this.ids.push(chunk.id);
    const length = chunk.terms.length + (chunk.extraLength ?? 0);
    this.lengths.push(length);
    this.totalLength += length;
    const counts = new Map<string, number>();
    for (const term of chunk.terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    for (const [term, tf] of counts) {
      let list = this.building.get(term);
      if (!list) this.building.set(term, (list = []));
      list.push(position, tf);
    }
  }

  get size(): number {
    return this.ids.length;
  }

  /** Ends the build: posting lists become typed arrays and length norms are computed once. */
  seal(): this {
    if (!this.building) return this;
    for (const [term, flat] of this.building) {
      const count = flat.length / 2;
      const list: PostingList = { positions: new Int32Array(count), frequencies: new Float64Array(count) };
      for (let i = 0; i < count; i++) {
        list.positions[i] = flat[2 * i]!;
        list.frequencies[i] = flat[2 * i + 1]!;
      }
      this.postings.set(term, list);
    }
    this.building = null;
    const averageLength = this.ids.length === 0 ? 1 : this.totalLength / this.ids.length;
    this.norms = Float64Array.from(this.lengths, (length) => K1 * (1 - B + (B * length) / averageLength));
    this.scratch = new Float64Array(this.ids.length);
    return this;
  }

  /** The `limit` best chunks for these (distinct, analyzed) terms: score descending, then id ascending. */
  search(terms: readonly string[], limit: number): LexicalHit[] {
    this.seal();
    const count = this.ids.length;
    if (count === 0 || limit <= 0) return [];
    const scores = this.scratch;
    const norms = this.norms;
    const touched: number[] = [];
    for (const term of terms) {
      const list = this.postings.get(term);
      if (!list) continue;
      const { positions, frequencies } = list;
      const documentFrequency = positions.length;
      const idf = Math.max(MIN_IDF, Math.log((count - documentFrequency + 0.5) / (documentFrequency + 0.5)));
      const weight = idf * (K1 + 1);
      for (let i = 0; i < positions.length; i++) {
        const position = positions[i]!;
        const tf = frequencies[i]!;
        const before = scores[position]!;
        if (before === 0) touched.push(position);
        scores[position] = before + (weight * tf) / (tf + norms[position]!);
      }
    }
    const best = this.topPositions(touched, scores, limit);
    const hits = best.map((position) => ({ id: this.ids[position]!, score: scores[position]! }));
    for (const position of touched) scores[position] = 0;
    return hits;
  }

  /** The best `limit` positions by score (then chunk id), without an object per candidate. */
  private topPositions(touched: number[], scores: Float64Array, limit: number): number[] {
    const ids = this.ids;
    // True when position a ranks above position b.
    const above = (a: number, b: number) => scores[a]! > scores[b]! || (scores[a] === scores[b] && ids[a]! < ids[b]!);
    const best: number[] = [];
    for (const position of touched) {
      if (best.length === limit && !above(position, best[limit - 1]!)) continue;
      let at = best.length < limit ? best.length : limit - 1;
      if (best.length < limit) best.push(position);
      while (at > 0 && above(position, best[at - 1]!)) {
        best[at] = best[at - 1]!;
        at--;
      }
      best[at] = position;
    }
    return best;
  }
}
