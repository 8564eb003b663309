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
 * Range tables: a list of at least MIN_RANGED_POSTINGS postings is cut into ranges of
 * positions holding about RANGE_POSTINGS of them each (never under 2^MIN_RANGE_SHIFT = 64
 * positions), so a lookup reads one short stretch instead of searching the whole list, and a
 * bound uses the largest share near the chunk instead of the list's largest: 5 bytes per
 * range, under a byte per posting.
 */
const MIN_RANGED_POSTINGS = 128;
const RANGE_POSTINGS = 8;
const MIN_RANGE_SHIFT = 6;
/**
 * Lists with at least one posting per 64 positions also get a presence bitmap (a bit per
 * position, at most a byte per posting): a chunk that lacks a common term is bounded by 0 for
 * it without a lookup, which cuts the chunks still in reach tenfold on SciFact.
 */
const PRESENCE_DENSITY = 1 / 64;
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
  /** Per main posting, tf / (tf + norm) at shareAverage (sharesOf); null until a search needs them. */
  private shares: Float32Array | null = null;
  private termShares: Array<TermShares | undefined> = [];
  private shareAverage = 1;
  /** The main chunks' length normalisation at shareAverage, which the shares are computed with. */
  private shareNorms: Float64Array | null = null;
  /** Terms below this id had their tables computed by prepareSearch() (since the shares were last dropped). */
  private preparedTerms = 0;
  /** A search's scratch: estimated scores per position (zero between searches) and the positions it touched. */
  private estimates = new Float32Array(0);
  private touched = new Int32Array(0);
  /** More scratch, as large: the chunks in reach, and their bounds. Reused, since allocating megabytes per query costs page faults and garbage collections. */
  private inReachScratch = new Int32Array(0);
  private boundScratch = new Float64Array(0);
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

  /** Lengths, counts or frequencies moved: norms and filter masks are stale (cached shares are not: see sharesOf). */
  private statisticsChanged(): void {
    this.norms = null;
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
    this.shares = null;
    this.shareNorms = null;
    this.preparedTerms = 0;
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
    this.shares = null;
    this.shareNorms = null;
    this.preparedTerms = 0;
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
   * MaxScore, term at a time, then chunk at a time. Terms go in order of the most any posting
   * of theirs can add, largest first: the rare terms, with short lists, that decide the
   * ranking. Their shares are added up (single precision, from shares cached per posting)
   * until the terms left could not lift a chunk none of them touched to the limit-th score:
   * a floor found by estimating the best chunks so far in full. SciFact's queries at 400k
   * chunks get there after ~10 % of their ~250k postings. Each chunk still in reach is then
   * bounded by the largest shares the terms left have near its position (range tables of the
   * long lists; 0 where a presence bitmap says the chunk lacks the term), looked up only while
   * that bound reaches the floor, and the survivors are
   * scored exactly (double precision, every term, in query order): the result is the exact
   * BM25 ranking. Every bound is widened by the estimates' rounding and by how far the average
   * length has moved since the shares were cached, so no chunk of the top `limit` is cut.
   */
  search(terms: readonly string[], limit: number, allowed?: Uint8Array): LexicalHit[] {
    this.seal();
    const count = this.liveCount;
    if (count === 0 || limit <= 0) return [];
    const norms = this.currentNorms();
    const queried = this.queriedTerms(terms, count, norms);
    if (queried.length === 0) return [];
    if (this.estimates.length < this.size) {
      this.estimates = new Float32Array(this.ids.length);
      this.touched = new Int32Array(this.ids.length);
      this.inReachScratch = new Int32Array(this.ids.length);
      this.boundScratch = new Float64Array(this.ids.length);
    }
    const { estimates, touched } = this;
    // Tombstones to skip, if any: most indexes have none, and a load per chunk is saved.
    const dead = this.deadCount > 0 ? this.dead : undefined;
    // exact ≥ estimate × low and exact ≤ estimate × high, for any chunk and any set of terms.
    const drift = this.shares && this.shareAverage > 0 ? this.averageLength() / this.shareAverage : 1;
    const rounding = (queried.length + 3) * 2 ** -22;
    const low = Math.min(1, drift) * (1 - rounding);
    const high = Math.max(1, drift) / (1 - rounding);
    const order = [...queried].sort((a, b) => b.upper - a.upper);
    const rest = new Float64Array(order.length + 1);
    for (let i = order.length - 1; i >= 0; i--) rest[i] = rest[i + 1]! + order[i]!.upper;
    let touchedCount = 0;
    let next = 0;
    let floor = 0;
    let best: TopPositions | null = null;
    // Run i: the chunks term i touched first (ascending), touched[runEnds[i - 1], runEnds[i]).
    const runEnds: number[] = [];
    // The floor can have risen since it was last computed by at most the terms added since.
    let floorCeiling = Infinity;
    while (next < order.length) {
      floorCeiling += order[next]!.upper;
      touchedCount = this.accumulate(order[next++]!, norms, touchedCount);
      runEnds.push(touchedCount);
      // Worth a look at the touched chunks only once the terms left could fall below the floor.
      if (next < order.length && touchedCount >= limit && rest[next]! * high < Math.min(floorCeiling, rest[0]! - rest[next]!) * low) {
        best = this.bestTouched(runEnds, rest, next, limit, allowed);
        floorCeiling = floor = best.floor;
        if (rest[next]! * high < floor * low) break;
      }
    }
    const left = order.slice(next);
    if (left.length === 0) floor = this.bestTouched(runEnds, rest, next, limit, allowed).floor;
    else floor = Math.max(floor, this.probeFloor(left, norms, best!));
    // A chunk term i touched first holds at most the shares of terms i and after: runs whose
    // bound misses the floor (the late, long ones) are left out whole.
    let reachable = 0;
    for (let run = 0; run < runEnds.length && rest[run]! * high * (1 + rounding) >= floor * low; run++) reachable = runEnds[run]!;
    let candidates = inReach(estimates, touched.subarray(0, reachable), rest[next]!, floor, low, high, dead, allowed, this.inReachScratch);
    if (left.length > 0) candidates = this.completeInReach(left, norms, candidates, limit, floor, low, high);
    const hits = Array.from(candidates, (position) => ({ id: this.ids[position]!, score: this.exactScore(position, queried, norms) }));
    for (let i = 0; i < touchedCount; i++) estimates[touched[i]!] = 0;
    return hits.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, limit);
  }

  /**
   * The chunks among `candidates` whose full estimate may reach the limit-th score, their
   * estimates completed with the terms `left`. Each is first bounded by the terms' range
   * maxima at its position (most fall below the floor there), then looked up term by term
   * while the bound holds; the floor rises with every chunk completed.
   */
  private completeInReach(left: readonly QueriedTerm[], norms: Float64Array, candidates: Int32Array, limit: number, floor: number, low: number, high: number): Int32Array {
    const { estimates } = this;
    // Each chunk starts at its estimate plus every term's maximum; term by term, the maximum is
    // replaced by the term's bound at the chunk, and chunks that fall below the floor drop out.
    const bounds = this.boundScratch;
    const restOfLeft = left.reduce((sum, term) => sum + term.upper, 0);
    for (let c = 0; c < candidates.length; c++) bounds[c] = estimates[candidates[c]!]! + restOfLeft;
    for (const term of left) candidates = this.tightenBounds(term, candidates, bounds, floor * low, high);
    // Completed chunks are written over the candidates already passed.
    const completed = candidates;
    let completedCount = 0;
    const best = new TopPositions(limit);
    const termBounds = new Float64Array(left.length);
    for (let c = 0; c < candidates.length; c++) {
      if (bounds[c]! * high < floor * low) continue;
      const position = candidates[c]!;
      let estimate = estimates[position]!;
      let bound = 0;
      for (let j = 0; j < left.length; j++) bound += termBounds[j] = this.shareBound(left[j]!, position);
      let j = 0;
      for (; j < left.length; j++) {
        estimate += this.estimatedShare(left[j]!, norms, position);
        bound -= termBounds[j]!;
        if ((estimate + bound) * high < floor * low) break;
      }
      if (j < left.length) continue;
      estimates[position] = estimate;
      completed[completedCount++] = position;
      best.offer(position, estimate);
      floor = Math.max(floor, best.floor);
    }
    return inReach(estimates, completed.subarray(0, completedCount), 0, floor, low, high, undefined, undefined, completed);
  }

  /** The query's terms the collection holds, with their weights, shares and upper bounds; in query order. */
  private queriedTerms(terms: readonly string[], count: number, norms: Float64Array): QueriedTerm[] {
    const mainTerms = this.main.starts.length - 1;
    const queried: QueriedTerm[] = [];
    for (const term of terms) {
      const termId = this.termIds.get(term);
      if (termId === undefined) continue;
      const frequency = this.liveFrequency(termId);
      if (frequency === 0) continue;
      const weight = Math.max(MIN_IDF, Math.log((count - frequency + 0.5) / (frequency + 0.5))) * (K1 + 1);
      const inMain = termId < mainTerms ? this.sharesOf(termId) : null;
      const deltaList = this.delta.get(termId);
      let deltaUpper = 0;
      if (deltaList) for (let i = 0; i < deltaList.length; i += 2) deltaUpper = Math.max(deltaUpper, impactOf(weight, deltaList[i + 1]!, norms[deltaList[i]!]!));
      // A chunk sits in one segment: the term adds at most the larger of the two segments' maxima.
      queried.push({ termId, weight, inMain, deltaList, deltaUpper, upper: Math.max(inMain ? weight * inMain.max : 0, deltaUpper) });
    }
    return queried;
  }

  /** Adds a term's estimated share to every chunk it occurs in, noting the chunks seen first; returns the touched count. */
  private accumulate({ termId, weight, inMain, deltaList }: QueriedTerm, norms: Float64Array, touchedCount: number): number {
    const { estimates, touched, main } = this;
    if (inMain) {
      const { positions } = main;
      const shares = this.shares!;
      for (let i = main.starts[termId]!, end = main.starts[termId + 1]!; i < end; i++) {
        const position = positions[i]!;
        // Noted when first touched, without a branch: which postings are new is unpredictable.
        touched[touchedCount] = position;
        touchedCount += +(estimates[position] === 0);
        estimates[position]! += weight * shares[i]!;
      }
    }
    if (deltaList) {
      for (let i = 0; i < deltaList.length; i += 2) {
        const position = deltaList[i]!;
        touched[touchedCount] = position;
        touchedCount += +(estimates[position] === 0);
        estimates[position]! += impactOf(weight, deltaList[i + 1]!, norms[position]!);
      }
    }
    return touchedCount;
  }

  /**
   * The `limit` best estimates among the touched chunks that pass. Runs in order, stopping at
   * the first whose chunks cannot beat the limit-th so far (any subset gives a valid floor).
   */
  private bestTouched(runEnds: readonly number[], rest: Float64Array, next: number, limit: number, allowed: Uint8Array | undefined): TopPositions {
    const best = new TopPositions(limit);
    for (let run = 0; run < runEnds.length; run++) {
      if (best.full && rest[run]! - rest[next]! <= best.floor) break;
      best.offerAll(this.estimates, this.touched.subarray(run === 0 ? 0 : runEnds[run - 1]!, runEnds[run]!), this.deadCount > 0 ? this.dead : undefined, allowed);
    }
    return best;
  }

  /**
   * A floor for the limit-th score: the chunks with the `limit` best estimates so far, each
   * estimated with the terms left too (looked up), and the lowest of those. Much closer to the
   * final limit-th score than the estimates so far, for `limit` lookups per term left.
   */
  private probeFloor(left: readonly QueriedTerm[], norms: Float64Array, best: TopPositions): number {
    if (!best.full) return 0;
    let lowest = Infinity;
    for (const position of best.members()) {
      let estimate = this.estimates[position]!;
      for (const term of left) estimate += this.estimatedShare(term, norms, position);
      lowest = Math.min(lowest, estimate);
    }
    return lowest;
  }

  /** One chunk's estimated share of a term, as accumulate would add it. */
  private estimatedShare(term: QueriedTerm, norms: Float64Array, position: number): number {
    const { weight, deltaList } = term;
    if (position >= this.mainSize) {
      const at = deltaList ? findDeltaPosting(deltaList, position) : -1;
      return at < 0 ? 0 : impactOf(weight, deltaList![at + 1]!, norms[position]!);
    }
    const at = this.mainPostingOf(term, position);
    return at < 0 ? 0 : weight * this.shares![at]!;
  }

  /** Where a main chunk's posting of the term is in the main arrays, or -1: one stretch of the range table, else a binary search. */
  private mainPostingOf({ termId, inMain }: QueriedTerm, position: number): number {
    if (!inMain) return -1;
    if (inMain.present && bitAt(inMain.present, position) === 0) return -1;
    const { positions, starts } = this.main;
    if (!inMain.ranges) return findPosting(positions, starts[termId]!, starts[termId + 1]!, position);
    const range = position >> inMain.ranges.shift;
    for (let i = inMain.ranges.starts[range]!, end = inMain.ranges.starts[range + 1]!; i < end && positions[i]! <= position; i++) if (positions[i] === position) return i;
    return -1;
  }

  /** The most a term can add to the estimate of the chunk at `position`: its range's maximum where the list has a table. */
  private shareBound({ weight, inMain, deltaUpper }: QueriedTerm, position: number): number {
    if (position >= this.mainSize) return deltaUpper;
    if (!inMain) return 0;
    if (inMain.present && bitAt(inMain.present, position) === 0) return 0;
    return inMain.ranges ? (weight * inMain.ranges.maxima[position >> inMain.ranges.shift]!) / 255 : weight * inMain.max;
  }

  /**
   * For each candidate, swaps the term's maximum in its bound (bounds[c]) for the term's bound
   * at the candidate's position; keeps, in place, the candidates whose bound × high still reaches
   * `needed`. Branch-free: whether a chunk holds a common term is a coin toss.
   */
  private tightenBounds(term: QueriedTerm, candidates: Int32Array, bounds: Float64Array, needed: number, high: number): Int32Array {
    const { inMain, weight, upper } = term;
    let kept = 0;
    if (!inMain?.ranges || !inMain.present || term.deltaList) {
      for (let c = 0; c < candidates.length; c++) {
        const position = candidates[c]!;
        const bound = bounds[c]! - upper + this.shareBound(term, position);
        candidates[kept] = position;
        bounds[kept] = bound;
        kept += +(bound * high >= needed);
      }
      return candidates.subarray(0, kept);
    }
    const { maxima, shift } = inMain.ranges;
    const { present } = inMain;
    const scale = weight / 255;
    for (let c = 0; c < candidates.length; c++) {
      const position = candidates[c]!;
      const bound = bounds[c]! - upper + scale * maxima[position >> shift]! * bitAt(present, position);
      candidates[kept] = position;
      bounds[kept] = bound;
      kept += +(bound * high >= needed);
    }
    return candidates.subarray(0, kept);
  }

  /**
   * A chunk's BM25 score in double precision: the exact impacts of the query's terms added in
   * query order (each from the segment the chunk is in), as a scan of every posting would add
   * them, so the pruned search ranks exactly as that scan did.
   */
  private exactScore(position: number, queried: readonly QueriedTerm[], norms: Float64Array): number {
    let score = 0;
    for (const term of queried) {
      // A position is in one segment: its term frequency is in the main arrays or the term's delta list.
      if (position < this.mainSize) {
        const at = this.mainPostingOf(term, position);
        if (at >= 0) score += impactOf(term.weight, this.main.tfs[at]!, norms[position]!);
      } else if (term.deltaList) {
        const at = findDeltaPosting(term.deltaList, position);
        if (at >= 0) score += impactOf(term.weight, term.deltaList[at + 1]!, norms[position]!);
      }
    }
    return score;
  }

  /**
   * Computes the long lists' search tables (shares, range tables, presence bitmaps) ahead of
   * the queries that would otherwise build each on first use, until `deadline`
   * (performance.now()); whether all are done. Called a slice at a time after a build, a load
   * or a compaction, so no query pays for them.
   */
  prepareSearch(deadline: number): boolean {
    this.seal();
    const { starts } = this.main;
    for (; this.preparedTerms < starts.length - 1; this.preparedTerms++) {
      const termId = this.preparedTerms;
      if (starts[termId + 1]! - starts[termId]! < MIN_RANGED_POSTINGS) continue;
      if (performance.now() > deadline) return false;
      this.sharesOf(termId);
    }
    return true;
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

  /**
   * A main term's shares, tf / (tf + norm) per posting (in the one shares array), its largest,
   * and for a long list its range table: computed when a query first needs the term and kept
   * until the main segment changes. They are taken at the average length of the first one's
   * moment (shareAverage), so writes, which move the average, leave them valid: a search widens
   * its bounds by the drift instead of recomputing them.
   */
  private sharesOf(termId: number): TermShares {
    const { main } = this;
    if (!this.shares) {
      this.shares = new Float32Array(main.positions.length);
      this.termShares = new Array<TermShares | undefined>(main.starts.length - 1);
      this.shareAverage = this.averageLength();
      this.shareNorms = new Float64Array(this.mainSize);
      for (let position = 0; position < this.mainSize; position++) this.shareNorms[position] = K1 * (1 - B + (B * this.lengths[position]!) / this.shareAverage);
    }
    const cached = this.termShares[termId];
    if (cached) return cached;
    const { positions, tfs } = main;
    const shares = this.shares;
    const norms = this.shareNorms!;
    const start = main.starts[termId]!;
    const end = main.starts[termId + 1]!;
    const ranged = end - start >= MIN_RANGED_POSTINGS;
    // About RANGE_POSTINGS postings per range, and never ranges under 2^MIN_RANGE_SHIFT positions.
    const shift = Math.max(MIN_RANGE_SHIFT, Math.ceil(Math.log2((this.mainSize * RANGE_POSTINGS) / Math.max(1, end - start))));
    const rangeCount = (this.mainSize >> shift) + 1;
    const rangeStarts = ranged ? new Int32Array(rangeCount + 1) : null;
    const rangeMaxima = ranged ? new Float32Array(rangeCount) : null;
    const present = end - start >= this.mainSize * PRESENCE_DENSITY ? new Uint32Array((this.mainSize >>> 5) + 1) : null;
    let max = 0;
    for (let i = start; i < end; i++) {
      const position = positions[i]!;
      const tf = tfs[i]!;
      // What the array keeps (single precision) is what the estimates add and the bounds cover.
      const share = Math.fround(tf / (tf + norms[position]!));
      shares[i] = share;
      if (share > max) max = share;
      if (present) present[position >>> 5]! |= 1 << (position & 31);
      if (rangeStarts && rangeMaxima) {
        const range = position >> shift;
        rangeStarts[range + 1]! += 1;
        if (share > rangeMaxima[range]!) rangeMaxima[range] = share;
      }
    }
    let maxima: Uint8Array | null = null;
    if (rangeStarts && rangeMaxima) {
      rangeStarts[0] = start;
      maxima = new Uint8Array(rangeCount);
      for (let range = 0; range < rangeCount; range++) {
        rangeStarts[range + 1]! += rangeStarts[range]!;
        // Rounded up, so the bound stays above every share of the range.
        maxima[range] = Math.min(255, Math.ceil(rangeMaxima[range]! * 255 * (1 + 2 ** -20)));
      }
    }
    const computed: TermShares = { max, ranges: rangeStarts && maxima ? { shift, starts: rangeStarts, maxima } : null, present };
    this.termShares[termId] = computed;
    return computed;
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

/** A presence bitmap's bit for `position`: 1 where the term occurs, else 0. */
function bitAt(bits: Uint32Array, position: number): number {
  return (bits[position >>> 5]! >>> (position & 31)) & 1;
}

/**
 * The positions that pass (not in `dead`, in `allowed`, where given) and, with up to `rest` more added, could still reach
 * the floor: (estimate + rest) × high ≥ floor × low, rearranged to one comparison (the bounds'
 * margins dwarf the rounding that moves). Branch-free: about half pass, unpredictably, and a
 * mispredicted branch per position cost more than the rest of the loop. Written into `kept`,
 * which may be `positions` itself (it writes at or behind where it reads).
 */
function inReach(estimates: Float32Array, positions: Int32Array, rest: number, floor: number, low: number, high: number, dead: Uint8Array | undefined, allowed: Uint8Array | undefined, kept: Int32Array): Int32Array {
  const needed = (floor * low) / high - rest;
  let count = 0;
  for (let i = 0; i < positions.length; i++) {
    const position = positions[i]!;
    kept[count] = position;
    count += +(estimates[position]! >= needed) & (dead === undefined ? 1 : dead[position]! ^ 1) & (allowed === undefined ? 1 : allowed[position]!);
  }
  return kept.subarray(0, count);
}

/** The k best estimates offered, and whose: a min-heap, so most offers fail one comparison. */
class TopPositions {
  private readonly heap: Float64Array;
  private readonly owners: Int32Array;
  private count = 0;

  constructor(private readonly k: number) {
    this.heap = new Float64Array(k);
    this.owners = new Int32Array(k);
  }

  get full(): boolean {
    return this.count === this.k;
  }

  /** The k-th best estimate, or 0 until k were offered. */
  get floor(): number {
    return this.full ? this.heap[0]! : 0;
  }

  members(): Int32Array {
    return this.owners.subarray(0, this.count);
  }

  /** Offers every position that passes (not in `dead`, in `allowed`, where given), at its current estimate. */
  offerAll(estimates: Float32Array, positions: Int32Array, dead: Uint8Array | undefined, allowed: Uint8Array | undefined): void {
    for (let i = 0; i < positions.length; i++) {
      const position = positions[i]!;
      const estimate = estimates[position]!;
      if (this.count === this.k && estimate <= this.heap[0]!) continue;
      if ((dead !== undefined && dead[position] === 1) || (allowed !== undefined && allowed[position] === 0)) continue;
      this.offer(position, estimate);
    }
  }

  offer(position: number, estimate: number): void {
    const { heap, owners, k } = this;
    let at: number;
    if (this.count < k) {
      at = this.count++;
      while (at > 0 && heap[(at - 1) >> 1]! > estimate) {
        heap[at] = heap[(at - 1) >> 1]!;
        owners[at] = owners[(at - 1) >> 1]!;
        at = (at - 1) >> 1;
      }
    } else {
      if (estimate <= heap[0]!) return;
      at = 0;
      for (;;) {
        const left = 2 * at + 1;
        if (left >= k) break;
        const child = left + 1 < k && heap[left + 1]! < heap[left]! ? left + 1 : left;
        if (heap[child]! >= estimate) break;
        heap[at] = heap[child]!;
        owners[at] = owners[child]!;
        at = child;
      }
    }
    heap[at] = estimate;
    owners[at] = position;
  }
}

interface QueriedTerm {
  termId: number;
  weight: number;
  /** The term's main-segment shares, or null when only the delta holds it. */
  inMain: TermShares | null;
  deltaList: readonly number[] | undefined;
  /** The most the term adds to the estimate of a delta chunk, and of any chunk. */
  deltaUpper: number;
  upper: number;
}

interface TermShares {
  /** The largest share of the term's main postings. */
  max: number;
  /**
   * For a long list: per range of 2^shift positions, where its postings there start
   * (starts[r] .. starts[r + 1], indexes into the main arrays) and their largest share, in
   * 255ths rounded up.
   */
  ranges: { shift: number; starts: Int32Array; maxima: Uint8Array } | null;
  /** For a list dense enough (PRESENCE_DENSITY): one bit per main position, set where the term occurs. */
  present: Uint32Array | null;
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
 * chunk's length normalisation. The exact scores are sums of it; the estimates of delta
 * postings and the terms' upper bounds use it too.
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
