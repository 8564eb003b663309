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

/** A term's postings once sealed: chunk positions ascending, each with its whole BM25 score. */
interface PostingList {
  positions: Int32Array;
  impacts: Float64Array;
}

/**
 * Above this many postings per chunk of the collection, a search adds up scores for every
 * chunk and scans them all (sequential, branch-free, then one fill to clear); below it, it
 * keeps a list of the chunks it touched. SciFact's long queries are far above it.
 */
const DENSE_POSTINGS_PER_CHUNK = 1 / 8;
/** Filters whose chunk sets an index keeps (a collection's usual filters: tenant, language...). */
const MAX_FILTER_MASKS = 32;

export class LexicalIndex {
  private readonly ids: number[] = [];
  private readonly lengths: number[] = [];
  /** While building: term -> [position, tf, position, tf, ...]. */
  private building: Map<string, number[]> | null = new Map();
  /** Once sealed: typed posting lists, cheaper to scan than boxed arrays. */
  private postings = new Map<string, PostingList>();
  private totalLength = 0;
  private scratch = new Float64Array(0);
  /** Filter key -> 1 for each position whose chunk passes the filter; least recently used first. */
  private readonly filterMasks = new Map<string, Uint8Array>();

  add(chunk: IndexedChunk): void {
    if (!this.building) throw new Error('LexicalIndex is sealed: build a new one for new chunks');
    if (this.ids.length > 0 && chunk.id <= this.ids.at(-1)!) throw new Error('LexicalIndex takes chunks in ascending id order');
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

  /**
   * Ends the build. Nothing a score depends on changes after this (collection size, average
   * length, document frequencies), so each posting's BM25 term score is computed once here
   * and a search only adds numbers up.
   */
  seal(): this {
    if (!this.building) return this;
    const count = this.ids.length;
    const averageLength = count === 0 ? 1 : this.totalLength / count;
    const norms = Float64Array.from(this.lengths, (length) => K1 * (1 - B + (B * length) / averageLength));
    for (const [term, flat] of this.building) {
      const documentFrequency = flat.length / 2;
      const weight = Math.max(MIN_IDF, Math.log((count - documentFrequency + 0.5) / (documentFrequency + 0.5))) * (K1 + 1);
      const list: PostingList = { positions: new Int32Array(documentFrequency), impacts: new Float64Array(documentFrequency) };
      for (let i = 0; i < documentFrequency; i++) {
        const position = flat[2 * i]!;
        const tf = flat[2 * i + 1]!;
        list.positions[i] = position;
        list.impacts[i] = (weight * tf) / (tf + norms[position]!);
      }
      this.postings.set(term, list);
    }
    this.building = null;
    this.scratch = new Float64Array(count);
    return this;
  }

  /**
   * Which chunks pass a metadata filter, as a mask over positions. The index cannot read
   * metadata, so the caller loads the ids of the passing chunks once per filter; the masks
   * live as long as this index, which is dropped whenever the collection changes.
   */
  filterMask(key: string, loadIds: () => readonly number[]): Uint8Array {
    const cached = this.filterMasks.get(key);
    if (cached) {
      this.filterMasks.delete(key);
      this.filterMasks.set(key, cached);
      return cached;
    }
    const mask = new Uint8Array(this.ids.length);
    for (const id of loadIds()) {
      const position = this.positionOf(id);
      if (position >= 0) mask[position] = 1;
    }
    if (this.filterMasks.size >= MAX_FILTER_MASKS) this.filterMasks.delete(this.filterMasks.keys().next().value!);
    this.filterMasks.set(key, mask);
    return mask;
  }

  /**
   * The `limit` best chunks for these (distinct, analyzed) terms: score descending, then id
   * ascending; only chunks whose position `allowed` marks, when given.
   */
  search(terms: readonly string[], limit: number, allowed?: Uint8Array): LexicalHit[] {
    this.seal();
    const count = this.ids.length;
    if (count === 0 || limit <= 0) return [];
    const lists: PostingList[] = [];
    let postings = 0;
    for (const term of terms) {
      const list = this.postings.get(term);
      if (!list) continue;
      lists.push(list);
      postings += list.positions.length;
    }
    if (lists.length === 0) return [];
    const scores = this.scratch;
    const top = new TopPositions(limit, scores, this.ids);
    if (postings >= count * DENSE_POSTINGS_PER_CHUNK) {
      for (const { positions, impacts } of lists) {
        for (let i = 0; i < positions.length; i++) {
          const position = positions[i]!;
          scores[position] = scores[position]! + impacts[i]!;
        }
      }
      // Most chunks fail against the k-th best score so far; only the rest pay for a call.
      let floor = Number.MIN_VALUE;
      for (let position = 0; position < count; position++) {
        if (scores[position]! >= floor && (!allowed || allowed[position] === 1)) floor = top.offer(position);
      }
      scores.fill(0);
    } else {
      const touched: number[] = [];
      for (const { positions, impacts } of lists) {
        for (let i = 0; i < positions.length; i++) {
          const position = positions[i]!;
          const before = scores[position]!;
          if (before === 0) touched.push(position);
          scores[position] = before + impacts[i]!;
        }
      }
      let floor = Number.MIN_VALUE;
      for (const position of touched) if (scores[position]! >= floor && (!allowed || allowed[position] === 1)) floor = top.offer(position);
      for (const position of touched) scores[position] = 0;
    }
    return top.hits();
  }

  /** Where a chunk id sits (ids ascend with positions), or -1. */
  private positionOf(id: number): number {
    const ids = this.ids;
    let low = 0;
    let high = ids.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (ids[middle]! < id) low = middle + 1;
      else high = middle;
    }
    return ids[low] === id ? low : -1;
  }
}

/** The best `limit` positions by score, then chunk id, kept sorted; most offers fail the first test. */
class TopPositions {
  private readonly best: number[] = [];
  private readonly bestScores: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly scores: Float64Array,
    private readonly ids: readonly number[],
  ) {}

  /** Considers a position; returns the score a position must now reach to be worth offering. */
  offer(position: number): number {
    const { best, bestScores, limit, ids } = this;
    const score = this.scores[position]!;
    const full = best.length === limit;
    if (full && (score < bestScores[limit - 1]! || (score === bestScores[limit - 1] && ids[position]! > ids[best[limit - 1]!]!))) return bestScores[limit - 1]!;
    let at = full ? limit - 1 : best.length;
    if (!full) {
      best.push(position);
      bestScores.push(score);
    }
    while (at > 0 && (score > bestScores[at - 1]! || (score === bestScores[at - 1] && ids[position]! < ids[best[at - 1]!]!))) {
      best[at] = best[at - 1]!;
      bestScores[at] = bestScores[at - 1]!;
      at--;
    }
    best[at] = position;
    bestScores[at] = score;
    return best.length === limit ? bestScores[limit - 1]! : Number.MIN_VALUE;
  }

  /** Best first, with the scores as offered (the search clears its score array after). */
  hits(): LexicalHit[] {
    return this.best.map((position, rank) => ({ id: this.ids[position]!, score: this.bestScores[rank]! }));
  }
}
