import { describe, expect, it } from 'vitest';
import { collapseNearDuplicates, jaccard, resemblesAtLeast, shingleSet } from './near-duplicates.js';
import type { RankedChunk } from './search-types.js';

const README =
  'Detect the file type of a file, stream, or data. The file type is detected by checking the magic number of the buffer. ' +
  'This package is for detecting binary-based file formats, not text-based formats like .txt, .csv, .svg, etc.';

function passage(source: string, text: string, score: number, hash = text): RankedChunk {
  return {
    rank: 0, chunkId: `${source}#0`, documentId: source, source, title: null, headingPath: [], page: null, text, start: 0, end: text.length,
    contentHash: hash, metadata: {}, score, scores: { lexical: score }, retrievalRank: 0, rerankRank: null,
  };
}

describe('collapseNearDuplicates', () => {
  it('folds identical passages into the best ranked one, which lists the others', () => {
    const results = [
      passage('a/node_modules/file-type/readme.md', README, 9),
      passage('file-type/readme.md', README, 9),
      passage('other.md', 'Something else entirely, about parsing command line flags and their defaults in a small tool.', 5),
      passage('b/node_modules/file-type/readme.md', README, 9),
    ];
    const { results: collapsed, collapsed: count } = collapseNearDuplicates(results);
    expect(count).toBe(2);
    expect(collapsed.map((chunk) => [chunk.source, chunk.rank, chunk.retrievalRank])).toEqual([
      ['a/node_modules/file-type/readme.md', 1, 1],
      ['other.md', 2, 2],
    ]);
    expect(collapsed[0]!.alsoIn?.map((other) => other.source)).toEqual(['file-type/readme.md', 'b/node_modules/file-type/readme.md']);
    expect(collapsed[1]!.alsoIn).toBeUndefined();
  });

  it('folds near-identical text (a changed version number) but keeps text that differs in substance', () => {
    const v2 = README.replace('binary-based', 'binary-based (since v2)');
    const different = 'Detect the encoding of a text file by reading its byte order mark, then fall back to a statistical guess over the first kilobytes.';
    const { results } = collapseNearDuplicates([passage('new.md', README, 8.0), passage('old.md', v2, 7.95), passage('enc.md', different, 7.9)]);
    expect(results.map((chunk) => chunk.source)).toEqual(['new.md', 'enc.md']);
    expect(results[0]!.alsoIn?.map((other) => other.source)).toEqual(['old.md']);
  });

  it('leaves the list alone when nothing repeats', () => {
    const results = [passage('a.md', README, 3), passage('b.md', 'A different passage about other matters entirely, long enough to fingerprint.', 2.99)];
    expect(collapseNearDuplicates(results)).toEqual({ results, collapsed: 0 });
  });

  it('does not compare short passages by fingerprint, only by hash', () => {
    const { collapsed } = collapseNearDuplicates([passage('a.md', 'MIT licence', 1), passage('b.md', 'MIT license', 1)]);
    expect(collapsed).toBe(0);
  });
});

describe('shingle resemblance', () => {
  it('is high for text with a small edit and near zero for unrelated text', () => {
    const edited = jaccard(shingleSet(README)!, shingleSet(README.replace('etc.', 'and so on.'))!);
    const unrelated = jaccard(shingleSet(README)!, shingleSet('Sea otters hold hands while they sleep so that they do not drift apart in the current.')!);
    expect(edited).toBeGreaterThan(0.8);
    expect(unrelated).toBeLessThan(0.05);
  });
});

describe('resemblesAtLeast', () => {
  /** A sorted set of distinct values drawn from 0..range, from a seeded generator. */
  function sortedSet(next: () => number, size: number, range: number): Uint32Array {
    const values = new Set<number>();
    while (values.size < size) values.add(Math.floor(next() * range));
    return Uint32Array.from([...values].sort((x, y) => x - y));
  }

  it('decides exactly what jaccard(a, b) >= min decides, stopping early or not', () => {
    let seed = 7;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let agreedTrue = 0;
    for (let round = 0; round < 3000; round++) {
      const range = 20 + Math.floor(next() * 200);
      const a = sortedSet(next, 1 + Math.floor(next() * 15), range);
      const b = next() < 0.5 ? a.filter(() => next() < 0.9) : sortedSet(next, 1 + Math.floor(next() * 15), range);
      if (b.length === 0) continue;
      for (const min of [0, 0.25, 0.5, 0.8, 0.9, 1]) {
        const expected = jaccard(a, b) >= min;
        expect(resemblesAtLeast(a, b, min), `${[...a]} vs ${[...b]} at ${min}`).toBe(expected);
        if (expected && min >= 0.8) agreedTrue++;
      }
    }
    expect(agreedTrue).toBeGreaterThan(100);
  });
});
