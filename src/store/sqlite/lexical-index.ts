// An in-memory BM25 index over one collection's chunks, kept beside the FTS5 index. FTS5
// computes bm25() for every row that matches any query term, which on an OR of ten stemmed
// words is most of a collection (about 9 ms a query on 8k chunks); scoring postings held in
// memory is an order of magnitude cheaper. The scoring is FTS5's own (k1 1.2, b 0.75, its
// idf with the same floor, term frequency summed over title, heading and body), computed
// from this collection's statistics, so rankings match the FTS5 path.
//
// Segments, as in Lucene or Tantivy: a sealed main segment (every term's postings in one pair
// of typed arrays) and a small delta segment that takes chunks written after the seal;
// removed chunks become tombstones. A search sums both segments and skips tombstones, and the
// statistics it scores with (live chunk count, average length, document frequencies) are
// those of the live chunks, so a score is the one a from-scratch build would give. Term
// frequencies, not scores, are stored: every write changes the statistics. `compact()` folds
// the delta and drops the tombstones when they grow.

const K1 = 1.2;
const B = 0.75;
// FTS5 floors idf at this value for terms in more than half of the rows.
const MIN_IDF = 1e-6;
/** Term frequencies are stored in 16 bits; a term repeated more often in one chunk counts this much. */
export const MAX_TF = 0xffff;

export interface IndexedChunk {
  id: number;
  terms: readonly string[];
  /** Tokens that count toward the length but are never searched (FTS5's collection marker). */
  extraLength?: number;
}

/**
 * Chunks whose terms are already counted, as a build's analysis produces them (possibly in
 * another thread: plain typed arrays and one vocabulary per batch cross cheaply). Chunk c has
 * the distinct terms vocabulary[termIndexes[i]] with frequencies tfs[i] for i in
 * [ends[c - 1], ends[c]) (from 0 for the first), and lengths[c] tokens in all.
 */
export interface CountedChunks {
  ids: Float64Array;
  lengths: Uint32Array;
  ends: Uint32Array;
  vocabulary: string[];
  termIndexes: Uint32Array;
  tfs: Uint16Array;
}

export interface LexicalHit {
  id: number;
  score: number;
}

/** The sealed main segment: term t's postings are positions/tfs [starts[t], starts[t + 1]). */
export interface MainSegment {
  starts: Uint32Array;
  positions: Int32Array;
  tfs: Uint16Array;
}

/** Everything an index is made of, as plain arrays: what the index file stores. */
export interface LexicalIndexState {
  terms: string[];
  /** Chunk id, length and tombstone per position; positions below mainSize are the main segment's, ids ascending. */
  ids: Float64Array<ArrayBufferLike>;
  lengths: Uint32Array<ArrayBufferLike>;
  dead: Uint8Array<ArrayBufferLike>;
  mainSize: number;
  main: MainSegment;
  /** The delta segment flattened: term ids, and each one's postings [deltaStarts[i], deltaStarts[i + 1]). */
  deltaTerms: Int32Array;
  deltaStarts: Uint32Array;
  deltaPositions: Int32Array;
  deltaTfs: Uint16Array;
}

/**
 * Above this many postings per chunk of the collection, a search adds up scores for every
 * chunk and scans them all (sequential, branch-free, then one fill to clear); below it, it
 * keeps a list of the chunks it touched. SciFact's long queries are far above it.
 */
const DENSE_POSTINGS_PER_CHUNK = 1 / 8;
/** Candidates kept beyond the limit by the single-precision pass, for the exact pass to order. */
const CANDIDATE_MARGIN = 16;
/** Filters whose chunk sets an index keeps (a collection's usual filters: tenant, language...). */
const MAX_FILTER_MASKS = 32;
/** compact() is due when the delta or the tombstones reach this share of the postings or positions. */
const COMPACT_SHARE = 1 / 8;

const EMPTY_MAIN: MainSegment = { starts: new Uint32Array(1), positions: new Int32Array(0), tfs: new Uint16Array(0) };

export class LexicalIndex {
  private readonly termIds = new Map<string, number>();
  private readonly terms: string[] = [];
  // Per position; `size` of them in use.
  private ids: Float64Array<ArrayBufferLike> = new Float64Array(1024);
  private lengths: Uint32Array<ArrayBufferLike> = new Uint32Array(1024);
  private dead: Uint8Array<ArrayBufferLike> = new Uint8Array(1024);
  private size = 0;
  private mainSize = 0;
  private main: MainSegment = EMPTY_MAIN;
  /** While building (before seal): every chunk's (term id, tf) pairs in order, and where each chunk's end. */
  private forward: { terms: Growable<Int32Array>; tfs: Growable<Uint16Array>; ends: Growable<Int32Array> } | null = {
    terms: new Growable(new Int32Array(4096)),
    tfs: new Growable(new Uint16Array(4096)),
    ends: new Growable(new Int32Array(4096)),
  };
  /** After seal: term id -> [position, tf, position, tf, ...] for chunks added since. */
  private delta = new Map<number, number[]>();
  private deltaPostings = 0;
  private readonly deltaPositionById = new Map<number, number>();
  private liveCount = 0;
  private deadCount = 0;
  private totalLength = 0;
  /** Tombstoned postings per term, counted when a query first needs the term after a removal. */
  private deadPostings = new Map<number, number>();
  /** Length normalisation per position for the current average length; null once stale. */
  private norms: Float64Array | null = null;
  /** Bumped by every change to the statistics (each write after the seal). */
  private statsEpoch = 0;
  /**
   * Each main posting's BM25 score, computed when a query first needs its term after a change
   * to the statistics (impactEpochs says when): a query then adds numbers up, and a write costs
   * the next query of each term one pass that divides.
   */
  private impacts: Float32Array | null = null;
  private impactEpochs = new Int32Array(0);
  private scratch = new Float32Array(0);
  private termCounts = new Uint32Array(1024);
  /** Filter key -> 1 for each position whose chunk passes the filter; least recently used first. */
  private readonly filterMasks = new Map<string, Uint8Array>();

  /** Adds a chunk. Before seal() chunks come in ascending id order; after, any id (a live one is replaced). */
  add(chunk: IndexedChunk): void {
    if (this.forward && this.size > 0 && chunk.id <= this.ids[this.size - 1]!) throw new Error('LexicalIndex takes chunks in ascending id order until sealed');
    if (!this.forward) this.remove(chunk.id);
    const position = this.size;
    this.ensureCapacity(position + 1);
    this.size += 1;
    this.ids[position] = chunk.id;
    const length = chunk.terms.length + (chunk.extraLength ?? 0);
    this.lengths[position] = length;
    this.totalLength += length;
    this.liveCount += 1;
    this.statisticsChanged();
    const touched: number[] = [];
    for (const term of chunk.terms) {
      const termId = this.termIdOf(term);
      if (this.termCounts[termId] === 0) touched.push(termId);
      this.termCounts[termId] = this.termCounts[termId]! + 1;
    }
    for (const termId of touched) {
      const tf = Math.min(MAX_TF, this.termCounts[termId]!);
      this.termCounts[termId] = 0;
      if (this.forward) {
        this.forward.terms.push(termId);
        this.forward.tfs.push(tf);
      } else {
        let list = this.delta.get(termId);
        if (!list) this.delta.set(termId, (list = []));
        list.push(position, tf);
      }
    }
    if (this.forward) this.forward.ends.push(this.forward.terms.length);
    else {
      this.deltaPositionById.set(chunk.id, position);
      this.deltaPostings += touched.length;
    }
  }

  /** Adds a batch of counted chunks while building (before seal()), in ascending id order like add(). */
  addCounted(batch: CountedChunks): void {
    const forward = this.forward;
    if (!forward) throw new Error('LexicalIndex takes counted chunks only while building, before seal()');
    const count = batch.ids.length;
    const termIds = new Int32Array(batch.vocabulary.length);
    for (let i = 0; i < termIds.length; i++) termIds[i] = this.termIdOf(batch.vocabulary[i]!);
    this.ensureCapacity(this.size + count);
    let posting = 0;
    for (let c = 0; c < count; c++) {
      const id = batch.ids[c]!;
      if (this.size > 0 && id <= this.ids[this.size - 1]!) throw new Error('LexicalIndex takes chunks in ascending id order until sealed');
      const position = this.size++;
      this.ids[position] = id;
      this.lengths[position] = batch.lengths[c]!;
      this.totalLength += batch.lengths[c]!;
      for (const end = batch.ends[c]!; posting < end; posting++) {
        forward.terms.push(termIds[batch.termIndexes[posting]!]!);
        forward.tfs.push(batch.tfs[posting]!);
      }
      forward.ends.push(forward.terms.length);
    }
    this.liveCount += count;
    this.statisticsChanged();
  }

  /** Lengths, counts or frequencies moved: norms, cached impacts and filter masks are stale. */
  private statisticsChanged(): void {
    this.norms = null;
    this.statsEpoch += 1;
    this.filterMasks.clear();
  }

  /** The id of a term, given one if it is new. */
  private termIdOf(term: string): number {
    let termId = this.termIds.get(term);
    if (termId === undefined) {
      termId = this.terms.length;
      this.termIds.set(term, termId);
      this.terms.push(term);
      if (termId >= this.termCounts.length) this.termCounts = grow(this.termCounts, termId + 1);
    }
    return termId;
  }

  /** Tombstones a chunk; false when the index does not hold it. */
  remove(id: number): boolean {
    this.seal();
    const position = this.positionOf(id);
    if (position < 0) return false;
    this.dead[position] = 1;
    this.deadCount += 1;
    this.liveCount -= 1;
    this.totalLength -= this.lengths[position]!;
    this.deltaPositionById.delete(id);
    this.deadPostings.clear();
    this.statisticsChanged();
    return true;
  }

  /** Live chunks. */
  get chunkCount(): number {
    return this.liveCount;
  }

  has(id: number): boolean {
    this.seal();
    return this.positionOf(id) >= 0;
  }

  /** The statistics scores come from, for checks against a from-scratch build. */
  statistics(): { chunks: number; averageLength: number; documentFrequency: (term: string) => number } {
    this.seal();
    return {
      chunks: this.liveCount,
      averageLength: this.averageLength(),
      documentFrequency: (term) => {
        const termId = this.termIds.get(term);
        return termId === undefined ? 0 : this.liveFrequency(termId);
      },
    };
  }

  /** Whether the delta or the tombstones have grown enough for compact() to pay. */
  get compactionDue(): boolean {
    return this.deadCount > this.size * COMPACT_SHARE || this.deltaPostings > this.main.positions.length * COMPACT_SHARE;
  }

  /**
   * Ends the build: sorts the forward postings into one list per term (a counting sort, two
   * linear passes). Further chunks go to the delta segment.
   */
  seal(): this {
    const forward = this.forward;
    if (!forward) return this;
    this.forward = null;
    const termIds = forward.terms.view();
    const tfs = forward.tfs.view();
    const ends = forward.ends.view();
    const starts = new Uint32Array(this.terms.length + 1);
    for (let i = 0; i < termIds.length; i++) starts[termIds[i]! + 1]! += 1;
    for (let t = 0; t < this.terms.length; t++) starts[t + 1]! += starts[t]!;
    const cursor = starts.slice(0, this.terms.length);
    const positions = new Int32Array(termIds.length);
    const sortedTfs = new Uint16Array(termIds.length);
    let posting = 0;
    for (let position = 0; position < ends.length; position++) {
      for (const end = ends[position]!; posting < end; posting++) {
        const at = cursor[termIds[posting]!]!++;
        positions[at] = position;
        sortedTfs[at] = tfs[posting]!;
      }
    }
    this.main = { starts, positions, tfs: sortedTfs };
    this.mainSize = this.size;
    return this;
  }

  /**
   * Folds the delta into a new main segment and drops tombstoned positions: one linear pass
   * over the postings. Scores do not change.
   */
  compact(): this {
    this.seal();
    // New positions: live chunks by ascending id (main positions already are; delta ones are merged in).
    const deltaLive = [...this.deltaPositionById.values()].sort((a, b) => this.ids[a]! - this.ids[b]!);
    const remap = new Int32Array(this.size).fill(-1);
    const ids = new Float64Array(Math.max(1024, this.liveCount));
    const lengths = new Uint32Array(ids.length);
    let next = 0;
    let d = 0;
    for (let position = 0; position <= this.mainSize; position++) {
      const atEnd = position === this.mainSize;
      while (d < deltaLive.length && (atEnd || this.ids[deltaLive[d]!]! < this.ids[position]!)) {
        const from = deltaLive[d++]!;
        remap[from] = next;
        ids[next] = this.ids[from]!;
        lengths[next++] = this.lengths[from]!;
      }
      if (atEnd || this.dead[position] === 1) continue;
      remap[position] = next;
      ids[next] = this.ids[position]!;
      lengths[next++] = this.lengths[position]!;
    }
    const termCount = this.terms.length;
    const starts = new Uint32Array(termCount + 1);
    const { main } = this;
    for (let t = 0; t < termCount; t++) starts[t + 1] = starts[t]! + this.liveFrequency(t);
    const positions = new Int32Array(starts[termCount]!);
    const tfs = new Uint16Array(positions.length);
    let at = 0;
    for (let t = 0; t < termCount; t++) {
      if (t < main.starts.length - 1) {
        for (let i = main.starts[t]!; i < main.starts[t + 1]!; i++) {
          const moved = remap[main.positions[i]!]!;
          if (moved < 0) continue;
          positions[at] = moved;
          tfs[at++] = main.tfs[i]!;
        }
      }
      const list = this.delta.get(t);
      if (!list) continue;
      const from = starts[t]!;
      for (let i = 0; i < list.length; i += 2) {
        const moved = remap[list[i]!]!;
        if (moved < 0) continue;
        positions[at] = moved;
        tfs[at++] = list[i + 1]!;
      }
      // Merged-in chunks take positions by id, among the main ones: restore the ascending order.
      sortPostings(positions, tfs, from, at);
    }
    this.ids = ids;
    this.lengths = lengths;
    this.dead = new Uint8Array(ids.length);
    this.size = this.mainSize = next;
    this.main = { starts, positions, tfs };
    this.delta = new Map();
    this.deltaPostings = 0;
    this.deltaPositionById.clear();
    this.deadCount = 0;
    this.deadPostings.clear();
    this.norms = null;
    this.impacts = null;
    this.filterMasks.clear();
    return this;
  }

  /**
   * Which chunks pass a metadata filter, as a mask over positions. The index cannot read
   * metadata, so the caller loads the ids of the passing chunks once per filter; the masks
   * are dropped whenever the index changes.
   */
  filterMask(key: string, loadIds: () => readonly number[]): Uint8Array {
    this.seal();
    const cached = this.filterMasks.get(key);
    if (cached) {
      this.filterMasks.delete(key);
      this.filterMasks.set(key, cached);
      return cached;
    }
    const mask = new Uint8Array(this.size);
    for (const id of loadIds()) {
      const position = this.positionOf(id);
      if (position >= 0) mask[position] = 1;
    }
    if (this.filterMasks.size >= MAX_FILTER_MASKS) this.filterMasks.delete(this.filterMasks.keys().next().value!);
    this.filterMasks.set(key, mask);
    return mask;
  }

  hasFilterMask(key: string): boolean {
    return this.filterMasks.has(key);
  }

  /**
   * The `limit` best chunks for these (distinct, analyzed) terms: score descending, then id
   * ascending; only chunks whose position `allowed` marks, when given.
   *
   * Two passes. The first adds up every posting's impact in single precision: at 400k chunks a
   * query touches ~250k postings and scans a score per chunk, and both are memory-bound, so
   * halving the bytes halves the time. It keeps the best candidates by that estimate, with a
   * margin that covers its rounding. The second computes those candidates' scores exactly
   * (double precision, the terms added in the same order as ever), each term's frequency found
   * by binary search in its postings; the result is the exact BM25 ranking.
   */
  search(terms: readonly string[], limit: number, allowed?: Uint8Array): LexicalHit[] {
    this.seal();
    const count = this.liveCount;
    if (count === 0 || limit <= 0) return [];
    const norms = this.currentNorms();
    const { main, delta } = this;
    const mainTerms = main.starts.length - 1;
    const queried: QueriedTerm[] = [];
    let postings = 0;
    for (const term of terms) {
      const termId = this.termIds.get(term);
      if (termId === undefined) continue;
      const frequency = this.liveFrequency(termId);
      if (frequency === 0) continue;
      const weight = Math.max(MIN_IDF, Math.log((count - frequency + 0.5) / (frequency + 0.5))) * (K1 + 1);
      queried.push({ termId, weight });
      postings += frequency;
    }
    if (queried.length === 0) return [];
    if (this.scratch.length < this.size) this.scratch = new Float32Array(this.ids.length);
    const estimates = this.scratch;
    const denseScan = postings >= count * DENSE_POSTINGS_PER_CHUNK;
    const touched: number[] = [];
    for (const { termId, weight } of queried) {
      if (termId < mainTerms) {
        const { positions } = main;
        const impacts = this.impactsOf(termId, weight, norms);
        const end = main.starts[termId + 1]!;
        if (denseScan) for (let i = main.starts[termId]!; i < end; i++) estimates[positions[i]!]! += impacts[i]!;
        else {
          for (let i = main.starts[termId]!; i < end; i++) {
            const position = positions[i]!;
            if (estimates[position] === 0) touched.push(position);
            estimates[position]! += impacts[i]!;
          }
        }
      }
      const list = delta.get(termId);
      if (!list) continue;
      for (let i = 0; i < list.length; i += 2) {
        const position = list[i]!;
        const tf = list[i + 1]!;
        if (!denseScan && estimates[position] === 0) touched.push(position);
        estimates[position]! += impactOf(weight, tf, norms[position]!);
      }
    }
    // Single-precision sums are within a relative 2^-24 per addition of the exact ones.
    const slack = 1 - (queried.length + 2) * 2 ** -22;
    const top = new TopPositions(limit + CANDIDATE_MARGIN, estimates);
    const { dead } = this;
    const passes = (position: number) => dead[position] === 0 && (!allowed || allowed[position] === 1);
    const size = this.size;
    if (denseScan) {
      // Most chunks fail against the worst kept estimate; four at a time, the loop mostly just reads.
      let floor = Number.MIN_VALUE;
      let position = 0;
      for (; position + 4 <= size; position += 4) {
        if (estimates[position]! < floor && estimates[position + 1]! < floor && estimates[position + 2]! < floor && estimates[position + 3]! < floor) continue;
        for (let at = position; at < position + 4; at++) if (estimates[at]! >= floor && passes(at)) floor = top.offer(at);
      }
      for (; position < size; position++) if (estimates[position]! >= floor && passes(position)) floor = top.offer(position);
    } else {
      let floor = Number.MIN_VALUE;
      for (const position of touched) if (estimates[position]! >= floor && passes(position)) floor = top.offer(position);
    }
    let candidates = top.positionsAbove(limit, slack);
    if (candidates === null) {
      // More chunks than the margin are within rounding of the limit-th (ties, copies): take them all.
      const cut = top.estimateAt(limit - 1) * slack;
      candidates = [];
      if (denseScan) {
        for (let position = 0; position < size; position++) if (estimates[position]! >= cut && estimates[position]! > 0 && passes(position)) candidates.push(position);
      } else {
        for (const position of touched) if (estimates[position]! >= cut && passes(position)) candidates.push(position);
      }
    }
    if (denseScan) estimates.fill(0, 0, size);
    else for (const position of touched) estimates[position] = 0;
    return candidates
      .map((position) => ({ id: this.ids[position]!, score: this.exactScore(position, queried, norms) }))
      .sort((a, b) => b.score - a.score || a.id - b.id)
      .slice(0, limit);
  }

  /**
   * A chunk's BM25 score in double precision: what adding up exact impacts in the order of the
   * query terms gives (main segment, then delta, per term), as every search did before the
   * single-precision pass.
   */
  private exactScore(position: number, queried: readonly QueriedTerm[], norms: Float64Array): number {
    const { main, delta } = this;
    const mainTerms = main.starts.length - 1;
    let score = 0;
    for (const { termId, weight } of queried) {
      if (termId < mainTerms) {
        const at = findPosting(main.positions, main.starts[termId]!, main.starts[termId + 1]!, position);
        if (at >= 0) {
          const tf = main.tfs[at]!;
          score += impactOf(weight, tf, norms[position]!);
        }
      }
      const list = delta.get(termId);
      if (!list) continue;
      const at = findDeltaPosting(list, position);
      if (at >= 0) {
        const tf = list[at + 1]!;
        score += impactOf(weight, tf, norms[position]!);
      }
    }
    return score;
  }

  /** The index as plain arrays (sealed first), for the index file. Arrays are shared, not copied. */
  exportState(): LexicalIndexState {
    this.seal();
    const deltaTerms = Int32Array.from(this.delta.keys());
    const deltaStarts = new Uint32Array(deltaTerms.length + 1);
    deltaTerms.forEach((termId, i) => (deltaStarts[i + 1] = deltaStarts[i]! + this.delta.get(termId)!.length / 2));
    const deltaPositions = new Int32Array(deltaStarts[deltaTerms.length]!);
    const deltaTfs = new Uint16Array(deltaPositions.length);
    deltaTerms.forEach((termId, i) => {
      const list = this.delta.get(termId)!;
      for (let j = 0; j < list.length; j += 2) {
        deltaPositions[deltaStarts[i]! + j / 2] = list[j]!;
        deltaTfs[deltaStarts[i]! + j / 2] = list[j + 1]!;
      }
    });
    return {
      terms: this.terms,
      ids: this.ids.subarray(0, this.size),
      lengths: this.lengths.subarray(0, this.size),
      dead: this.dead.subarray(0, this.size),
      mainSize: this.mainSize,
      main: this.main,
      deltaTerms,
      deltaStarts,
      deltaPositions,
      deltaTfs,
    };
  }

  /** Rebuilds an index from exportState()'s arrays; throws on arrays that do not fit together. */
  static fromState(state: LexicalIndexState): LexicalIndex {
    const index = new LexicalIndex();
    index.forward = null;
    const size = state.ids.length;
    const termCount = state.terms.length;
    if (state.lengths.length !== size || state.dead.length !== size || state.mainSize > size) throw new Error('position arrays disagree');
    if (state.main.starts.length > termCount + 1 || state.main.starts.at(-1) !== state.main.positions.length || state.main.tfs.length !== state.main.positions.length) {
      throw new Error('main segment arrays disagree');
    }
    if (state.deltaStarts.length !== state.deltaTerms.length + 1 || state.deltaStarts.at(-1) !== state.deltaPositions.length) throw new Error('delta arrays disagree');
    state.terms.forEach((term, termId) => {
      index.termIds.set(term, termId);
      index.terms.push(term);
    });
    index.termCounts = new Uint32Array(Math.max(1024, termCount));
    index.ids = state.ids;
    index.lengths = state.lengths;
    index.dead = state.dead;
    index.size = size;
    index.mainSize = state.mainSize;
    index.main = state.main;
    const { starts, positions } = state.main;
    for (let t = 0; t + 1 < starts.length; t++) {
      // Ascending within a term: the exact pass of a search finds postings by binary search.
      for (let i = starts[t]!, previous = -1; i < starts[t + 1]!; previous = positions[i++]!) {
        if (positions[i]! <= previous || positions[i]! >= state.mainSize) throw new Error('main postings out of range or order');
      }
    }
    for (let i = 0; i < state.deltaTerms.length; i++) {
      const list: number[] = [];
      for (let j = state.deltaStarts[i]!; j < state.deltaStarts[i + 1]!; j++) {
        const position = state.deltaPositions[j]!;
        if (position < state.mainSize || position >= size || (list.length > 0 && position <= list.at(-2)!)) throw new Error('delta postings out of range or order');
        list.push(state.deltaPositions[j]!, state.deltaTfs[j]!);
      }
      index.delta.set(state.deltaTerms[i]!, list);
      index.deltaPostings += list.length / 2;
    }
    for (let position = 0; position < size; position++) {
      if (state.dead[position]) index.deadCount += 1;
      else {
        index.liveCount += 1;
        index.totalLength += state.lengths[position]!;
        if (position >= state.mainSize) index.deltaPositionById.set(state.ids[position]!, position);
      }
    }
    return index;
  }

  /** The impacts array with the term's main postings current (impactOf, as every pass computes it). */
  private impactsOf(termId: number, weight: number, norms: Float64Array): Float32Array {
    const { main } = this;
    if (!this.impacts) {
      this.impacts = new Float32Array(main.positions.length);
      this.impactEpochs = new Int32Array(main.starts.length - 1).fill(-1);
    }
    const impacts = this.impacts;
    if (this.impactEpochs[termId] !== this.statsEpoch) {
      const { positions, tfs } = main;
      for (let i = main.starts[termId]!, end = main.starts[termId + 1]!; i < end; i++) {
        const tf = tfs[i]!;
        impacts[i] = impactOf(weight, tf, norms[positions[i]!]!);
      }
      this.impactEpochs[termId] = this.statsEpoch;
    }
    return impacts;
  }

  private averageLength(): number {
    return this.liveCount === 0 ? 1 : this.totalLength / this.liveCount;
  }

  private currentNorms(): Float64Array {
    if (this.norms && this.norms.length >= this.size) return this.norms;
    const averageLength = this.averageLength();
    const norms = new Float64Array(this.ids.length);
    for (let position = 0; position < this.size; position++) norms[position] = K1 * (1 - B + (B * this.lengths[position]!) / averageLength);
    return (this.norms = norms);
  }

  /** Live chunks holding a term: its postings in both segments less the tombstoned ones. */
  private liveFrequency(termId: number): number {
    const { main } = this;
    const inMain = termId < main.starts.length - 1;
    const list = this.delta.get(termId);
    const postings = (inMain ? main.starts[termId + 1]! - main.starts[termId]! : 0) + (list ? list.length / 2 : 0);
    if (this.deadCount === 0) return postings;
    let dead = this.deadPostings.get(termId);
    if (dead === undefined) {
      dead = 0;
      if (inMain) for (let i = main.starts[termId]!; i < main.starts[termId + 1]!; i++) dead += this.dead[main.positions[i]!]!;
      if (list) for (let i = 0; i < list.length; i += 2) dead += this.dead[list[i]!]!;
      this.deadPostings.set(termId, dead);
    }
    return postings - dead;
  }

  /** Where a live chunk sits, or -1: the delta's own map, else a binary search of the main segment (ids ascend there). */
  private positionOf(id: number): number {
    const inDelta = this.deltaPositionById.get(id);
    if (inDelta !== undefined) return inDelta;
    const ids = this.ids;
    let low = 0;
    let high = this.mainSize;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (ids[middle]! < id) low = middle + 1;
      else high = middle;
    }
    return low < this.mainSize && ids[low] === id && this.dead[low] === 0 ? low : -1;
  }

  private ensureCapacity(positions: number): void {
    if (positions <= this.ids.length) return;
    const capacity = Math.max(positions, this.ids.length * 2);
    this.ids = grow(this.ids, capacity);
    this.lengths = grow(this.lengths, capacity);
    this.dead = grow(this.dead, capacity);
    if (this.norms) this.norms = null;
  }
}

function grow<T extends Float64Array<ArrayBufferLike> | Uint32Array<ArrayBufferLike> | Uint8Array<ArrayBufferLike> | Int32Array<ArrayBufferLike> | Uint16Array<ArrayBufferLike>>(array: T, capacity: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(Math.max(capacity, array.length * 2));
  bigger.set(array);
  return bigger;
}

/** An append-only typed array (the forward postings of a build: millions of numbers, boxed arrays would double the heap). */
class Growable<T extends Int32Array | Uint16Array> {
  length = 0;
  constructor(private data: T) {}
  push(value: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, this.length * 2);
    this.data[this.length++] = value;
  }
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/** The best `limit` positions by estimated score, kept sorted; most offers fail the first test. */
class TopPositions {
  private readonly best: number[] = [];
  private readonly bestEstimates: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly estimates: Float32Array,
  ) {}

  /** Considers a position; returns the estimate a position must now reach to be worth offering. */
  offer(position: number): number {
    const { best, bestEstimates, limit } = this;
    const estimate = this.estimates[position]!;
    const full = best.length === limit;
    if (full && estimate <= bestEstimates[limit - 1]!) return bestEstimates[limit - 1]!;
    let at = full ? limit - 1 : best.length;
    if (!full) {
      best.push(position);
      bestEstimates.push(estimate);
    }
    while (at > 0 && estimate > bestEstimates[at - 1]!) {
      best[at] = best[at - 1]!;
      bestEstimates[at] = bestEstimates[at - 1]!;
      at--;
    }
    best[at] = position;
    bestEstimates[at] = estimate;
    return best.length === limit ? bestEstimates[limit - 1]! : Number.MIN_VALUE;
  }

  /** The estimate at rank `rank` (0 = best), or of the last one kept when fewer were offered. */
  estimateAt(rank: number): number {
    return this.bestEstimates[Math.min(rank, this.bestEstimates.length - 1)]!;
  }

  /**
   * The positions whose estimate is within `slack` of the `wanted`-th best: every chunk that may
   * be among the exact top `wanted`. Null when the kept positions may not hold them all (the
   * last kept one is still within the slack, so others beyond it may be too).
   */
  positionsAbove(wanted: number, slack: number): number[] | null {
    const { best, bestEstimates, limit } = this;
    if (best.length < wanted) return best.slice();
    const cut = bestEstimates[wanted - 1]! * slack;
    if (best.length === limit && bestEstimates[limit - 1]! >= cut) return null;
    let end = wanted;
    while (end < best.length && bestEstimates[end]! >= cut) end++;
    return best.slice(0, end);
  }
}

interface QueriedTerm {
  termId: number;
  weight: number;
}

/** Sorts positions[from, to) ascending, with their tfs; already sorted, it only checks. */
function sortPostings(positions: Int32Array, tfs: Uint16Array, from: number, to: number): void {
  let sorted = true;
  for (let i = from + 1; i < to && sorted; i++) sorted = positions[i - 1]! < positions[i]!;
  if (sorted) return;
  const order = Array.from({ length: to - from }, (_, i) => from + i).sort((a, b) => positions[a]! - positions[b]!);
  const sortedPositions = order.map((i) => positions[i]!);
  const sortedTfs = order.map((i) => tfs[i]!);
  positions.set(sortedPositions, from);
  tfs.set(sortedTfs, from);
}

/**
 * A term's BM25 share of one chunk's score: `weight` is the term's idf × (k1 + 1), `norm` the
 * chunk's length normalisation. Every pass computes it here, so the estimate, the cached
 * impacts and the exact rescoring add up the same numbers.
 */
function impactOf(weight: number, tf: number, norm: number): number {
  return (weight * tf) / (tf + norm);
}

/** Where `position` is in the ascending positions[from, to), or -1. */
function findPosting(positions: Int32Array, from: number, to: number, position: number): number {
  let low = from;
  let high = to - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = positions[middle]!;
    if (found === position) return middle;
    if (found < position) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** Where `position` is in a delta list [position, tf, ...] (ascending positions), or -1. */
function findDeltaPosting(list: readonly number[], position: number): number {
  let low = 0;
  let high = list.length / 2 - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = list[middle * 2]!;
    if (found === position) return middle * 2;
    if (found < position) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
