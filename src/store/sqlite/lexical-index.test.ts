import { describe, expect, it } from 'vitest';
import { LexicalIndex } from './lexical-index.js';

/** BM25 as FTS5 computes it, written out for one term, to check the index against. */
function bm25(tf: number, length: number, averageLength: number, count: number, documentFrequency: number): number {
  const idf = Math.max(1e-6, Math.log((count - documentFrequency + 0.5) / (documentFrequency + 0.5)));
  return (idf * (tf * 2.2)) / (tf + 1.2 * (0.25 + (0.75 * length) / averageLength));
}

describe('LexicalIndex', () => {
  const index = new LexicalIndex();
  index.add({ id: 10, terms: ['otter', 'sleep', 'hand', 'hold'] });
  index.add({ id: 11, terms: ['otter', 'otter', 'otter', 'zoo'] });
  index.add({ id: 12, terms: ['bee', 'danc', 'hive'] });
  index.add({ id: 13, terms: ['market', 'stock', 'close'] });
  index.add({ id: 14, terms: ['bee', 'honey'] });

  it('scores with BM25 from the collection statistics', () => {
    const average = 16 / 5;
    const hits = index.search(['hive'], 10);
    expect(hits).toEqual([{ id: 12, score: expect.closeTo(bm25(1, 3, average, 5, 1), 10) }]);
    const both = index.search(['otter', 'sleep'], 10);
    expect(both[0]!.id).toBe(10);
    expect(both[0]!.score).toBeCloseTo(bm25(1, 4, average, 5, 2) + bm25(1, 4, average, 5, 1), 10);
    expect(both[1]).toEqual({ id: 11, score: expect.closeTo(bm25(3, 4, average, 5, 2), 10) });
  });

  it('returns nothing for unknown terms and respects the limit, ties by id', () => {
    expect(index.search(['nothing'], 10)).toEqual([]);
    expect(index.search(['bee'], 1).map((hit) => hit.id)).toEqual([14]);
    expect(index.search(['bee', 'market'], 3).map((hit) => hit.id)).toHaveLength(3);
  });

  it('keeps the exact top k when there are many more hits than k', () => {
    const big = new LexicalIndex();
    for (let id = 1; id <= 500; id++) big.add({ id, terms: ['common', ...Array.from({ length: id % 7 }, () => 'filler'), ...(id % 50 === 0 ? ['rare'] : [])] });
    const all = big.search(['common', 'rare'], 500);
    const top = big.search(['common', 'rare'], 12);
    expect(top).toEqual(all.slice(0, 12));
    expect(top.slice(0, 10).every((hit) => hit.id % 50 === 0)).toBe(true);
  });

  it('ranks exactly when many more chunks than the limit tie (copies of one text), ties by id', () => {
    const copies = new LexicalIndex();
    const chunks: Array<{ id: number; terms: string[] }> = [];
    for (let id = 1; id <= 300; id++) {
      // Every third chunk is the same text; the rest differ by one rare word and by length.
      const terms = id % 3 === 0 ? ['copy', 'text', 'shared'] : ['copy', `rare${id}`, ...Array.from({ length: id % 7 }, () => 'filler')];
      chunks.push({ id, terms });
      copies.add({ id, terms });
    }
    copies.seal();
    for (const [terms, limit] of [[['copy', 'text'], 5], [['copy', 'shared', 'rare4'], 40], [['copy'], 150]] as const) {
      const expected = exhaustiveSearch(chunks, [...terms], limit);
      const found = copies.search(terms, limit);
      expect(found.map((hit) => hit.id)).toEqual(expected.map((hit) => hit.id));
      found.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 10));
    }
  });

  it('takes chunks in ascending id order until sealed, so the main segment can find their positions', () => {
    const ordered = new LexicalIndex();
    ordered.add({ id: 5, terms: ['a'] });
    expect(() => ordered.add({ id: 5, terms: ['b'] })).toThrow(/ascending id order/);
    expect(() => ordered.add({ id: 4, terms: ['b'] })).toThrow(/ascending id order/);
  });

  it('returns the same top k as a plain reference that scores every chunk', () => {
    // A seeded corpus with Zipf-like term use, so queries mix rare and very common terms.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const vocabulary = Array.from({ length: 300 }, (_, i) => `t${i}`);
    const pick = () => vocabulary[Math.floor(vocabulary.length * random() ** 3)]!;
    const chunks = Array.from({ length: 2000 }, (_, i) => ({ id: 1000 + i, terms: Array.from({ length: 5 + Math.floor(random() * 60) }, pick) }));
    const index = new LexicalIndex();
    for (const chunk of chunks) index.add(chunk);
    // Queries of rare terms only touch a few chunks (the index keeps a list of them); the
    // others touch many (it scans a dense score array). Both must agree with the reference.
    const rare = () => vocabulary[250 + Math.floor(random() * 50)]!;
    for (let query = 0; query < 300; query++) {
      const terms = [...new Set(Array.from({ length: 1 + Math.floor(random() * 12) }, query % 3 === 2 ? rare : pick))];
      const limit = [1, 10, 100][query % 3]!;
      // Every fourth query only among the chunks a filter lets through (about a third).
      const passing = query % 4 === 3 ? chunks.filter((chunk) => chunk.id % 3 === query % 3).map((chunk) => chunk.id) : null;
      const expected = exhaustiveSearch(passing ? chunks.filter((chunk) => passing.includes(chunk.id)) : chunks, terms, limit, chunks);
      const hits = index.search(terms, limit, passing ? index.filterMask(`mod3=${query % 3}`, () => passing) : undefined);
      expect(hits.map((hit) => hit.id)).toEqual(expected.map((hit) => hit.id));
      hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 9));
    }
  });
});

describe('LexicalIndex pruning (MaxScore with range bounds)', () => {
  // The bench's corpus in small: base texts and perturbed copies of them (a word in ten
  // swapped for a frequent one, some dropped), so many chunks score alike and queries mix a few
  // rare terms with long lists. Every search must equal the plain reference, including after
  // writes that move the average length away from the one the cached shares were taken at.
  let seed = 23;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const vocabulary = Array.from({ length: 2000 }, (_, i) => `v${i}`);
  const frequent = () => vocabulary[Math.floor(vocabulary.length * random() ** 4)]!;
  const bases = Array.from({ length: 80 }, () => Array.from({ length: 20 + Math.floor(random() * 120) }, frequent));
  const copyOf = (base: string[]) => base.flatMap((word) => (random() < 0.1 ? [frequent()] : random() < 0.05 ? [] : [word]));
  const queryOf = () => {
    const base = bases[Math.floor(random() * bases.length)]!;
    return [...new Set(Array.from({ length: 3 + Math.floor(random() * 14) }, () => (random() < 0.7 ? base[Math.floor(random() * base.length)]! : frequent())))];
  };

  it('returns the exact top k of copies and mixed queries, filtered or not, before and after writes', () => {
    const live = new Map<number, string[]>();
    const index = new LexicalIndex();
    for (let id = 1; id <= 4000; id++) {
      const terms = id <= bases.length ? bases[id - 1]! : copyOf(bases[id % bases.length]!);
      index.add({ id, terms });
      live.set(id, terms);
    }
    index.seal();
    const check = (queries: number) => {
      const chunks = [...live].sort(([a], [b]) => a - b).map(([id, terms]) => ({ id, terms }));
      for (let query = 0; query < queries; query++) {
        const terms = queryOf();
        const limit = [1, 10, 30, 100][query % 4]!;
        const passing = query % 5 === 4 ? chunks.filter((chunk) => chunk.id % 4 !== 0).map((chunk) => chunk.id) : null;
        const expected = exhaustiveSearch(passing ? chunks.filter((chunk) => chunk.id % 4 !== 0) : chunks, terms, limit, chunks);
        const hits = index.search(terms, limit, passing ? index.filterMask(`not4-${live.size}`, () => passing) : undefined);
        expect(hits.map((hit) => hit.id)).toEqual(expected.map((hit) => hit.id));
        hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 9));
      }
    };
    check(120);
    // Longer chunks in the delta, removals and replacements: the average length moves by a few
    // per cent, the shares cached above stay, and the bounds must widen to match.
    for (let i = 0; i < 400; i++) {
      const id = 4001 + i;
      const terms = [...copyOf(bases[i % bases.length]!), ...copyOf(bases[(i * 7) % bases.length]!)];
      index.add({ id, terms });
      live.set(id, terms);
    }
    for (let id = 2; id <= 4000; id += 9) {
      index.remove(id);
      live.delete(id);
    }
    for (let id = 5; id <= 4000; id += 31) {
      if (!live.has(id)) continue;
      const terms = copyOf(bases[(id * 3) % bases.length]!);
      index.add({ id, terms });
      live.set(id, terms);
    }
    check(120);
    index.compact();
    check(40);
  });
});

describe('LexicalIndex.prepareSearch', () => {
  it('computes the long lists\' tables in slices up to a deadline, and searches the same after', () => {
    const build = () => {
      const index = new LexicalIndex();
      for (let id = 1; id <= 3000; id++) index.add({ id, terms: [`t${id % 3}`, `u${id % 5}`, ...(id % 97 === 0 ? ['rare'] : [])] });
      return index.seal();
    };
    const prepared = build();
    expect(prepared.prepareSearch(performance.now() - 1)).toBe(false);
    while (!prepared.prepareSearch(performance.now() + 1));
    expect(prepared.prepareSearch(performance.now() - 1)).toBe(true);
    const lazy = build();
    for (const terms of [['t1', 'rare'], ['u2', 't0'], ['rare']]) expect(prepared.search(terms, 10)).toEqual(lazy.search(terms, 10));
  });
});

describe('LexicalIndex after writes (delta segment and tombstones)', () => {
  // Random write sequences on a sealed index (adds, replacements that reuse or change an id,
  // removals, now and then a compaction); after each step the index must score exactly as
  // one built from scratch over the chunks that are live at that point.
  it('keeps the statistics and the scores of a from-scratch build through random writes', () => {
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const vocabulary = Array.from({ length: 120 }, (_, i) => `w${i}`);
    const pick = () => vocabulary[Math.floor(vocabulary.length * random() ** 2)]!;
    const makeTerms = () => Array.from({ length: 1 + Math.floor(random() * 30) }, pick);
    for (let sequence = 0; sequence < 12; sequence++) {
      const live = new Map<number, string[]>();
      let nextId = 1;
      const index = new LexicalIndex();
      for (let i = 0; i < 150; i++) {
        const terms = makeTerms();
        index.add({ id: nextId, terms, extraLength: 1 });
        live.set(nextId++, terms);
      }
      index.seal();
      for (let step = 0; step < 120; step++) {
        const roll = random();
        const ids = [...live.keys()];
        if (roll < 0.35 || ids.length === 0) {
          const terms = makeTerms();
          index.add({ id: nextId, terms, extraLength: 1 });
          live.set(nextId++, terms);
        } else if (roll < 0.6) {
          const id = ids[Math.floor(random() * ids.length)]!;
          expect(index.remove(id)).toBe(true);
          live.delete(id);
        } else if (roll < 0.75) {
          // Replaced in place under the same id (SQLite reuses the highest rowid once it is deleted).
          const id = ids[Math.floor(random() * ids.length)]!;
          const terms = makeTerms();
          index.add({ id, terms, extraLength: 1 });
          live.set(id, terms);
        } else if (roll < 0.95) {
          const id = ids[Math.floor(random() * ids.length)]!;
          index.remove(id);
          live.delete(id);
          const terms = makeTerms();
          index.add({ id: nextId, terms, extraLength: 1 });
          live.set(nextId++, terms);
        } else index.compact();
        expect(index.remove(10_000_000)).toBe(false);
        const scratch = new LexicalIndex();
        for (const id of [...live.keys()].sort((a, b) => a - b)) scratch.add({ id, terms: live.get(id)!, extraLength: 1 });
        const [mine, theirs] = [index.statistics(), scratch.statistics()];
        expect(mine.chunks).toBe(theirs.chunks);
        expect(mine.averageLength).toBe(theirs.averageLength);
        for (const term of vocabulary) expect(mine.documentFrequency(term)).toBe(theirs.documentFrequency(term));
        for (let query = 0; query < 4; query++) {
          const terms = [...new Set(Array.from({ length: 1 + Math.floor(random() * 6) }, pick))];
          const limit = [3, 10, 1000][query % 3]!;
          expect(index.search(terms, limit)).toEqual(scratch.search(terms, limit));
        }
        const passing = [...live.keys()].filter((id) => id % 3 === step % 3);
        expect(index.search(['w0', 'w5'], 10, index.filterMask(`f${step}`, () => passing))).toEqual(scratch.search(['w0', 'w5'], 10, scratch.filterMask('f', () => passing)));
      }
    }
  });

  it('survives a round trip through its exported state, delta and tombstones included', () => {
    const index = new LexicalIndex();
    for (let id = 1; id <= 50; id++) index.add({ id, terms: [`t${id % 7}`, `t${id % 3}`, 'common'] });
    index.seal();
    index.remove(4);
    index.add({ id: 60, terms: ['t1', 'fresh'] });
    index.add({ id: 10, terms: ['fresh', 'fresh'] });
    const copy = LexicalIndex.fromState(index.exportState());
    for (const terms of [['t1'], ['fresh', 'common'], ['t2', 't0', 'common']]) expect(copy.search(terms, 20)).toEqual(index.search(terms, 20));
    expect(copy.has(4)).toBe(false);
    expect(copy.chunkCount).toBe(index.chunkCount);
  });
});

/**
 * Every chunk scored, term by term, then sorted: the reference the index must match. The
 * statistics come from the whole collection even when only some chunks are ranked.
 */
function exhaustiveSearch(chunks: Array<{ id: number; terms: string[] }>, terms: string[], limit: number, collection = chunks) {
  const average = collection.reduce((sum, chunk) => sum + chunk.terms.length, 0) / collection.length;
  const frequencies = new Map(terms.map((term) => [term, collection.filter((chunk) => chunk.terms.includes(term)).length]));
  const scored = chunks.map((chunk) => ({
    id: chunk.id,
    score: terms.reduce((sum, term) => {
      const tf = chunk.terms.filter((t) => t === term).length;
      return tf === 0 ? sum : sum + bm25(tf, chunk.terms.length, average, collection.length, frequencies.get(term)!);
    }, 0),
  }));
  return scored
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, limit);
}
