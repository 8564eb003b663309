import { describe, expect, it } from 'vitest';
import type { ScoredChunk } from '../store/vector-store.js';
import { fuseByReciprocalRank } from './rrf.js';

function hit(id: string, score = 1): ScoredChunk {
  return {
    chunk: { id, documentId: `d${id}`, ordinal: 0, text: id, headingPath: [], page: null, start: 0, end: 1, tokenCount: 1, contentHash: id },
    document: { id: `d${id}`, source: `${id}.txt`, title: null, metadata: {}, version: 1 },
    score,
  };
}

describe('reciprocal rank fusion', () => {
  it('puts a candidate both retrievers found above ones only one found', () => {
    const fused = fuseByReciprocalRank(
      [
        { name: 'lexical', weight: 1, hits: [hit('a', 9), hit('b', 5)] },
        { name: 'dense', weight: 1, hits: [hit('c', 0.9), hit('b', 0.8)] },
      ],
      60,
    );
    expect(fused.map((c) => c.hit.chunk.id)).toEqual(['b', 'a', 'c']);
    expect(fused[0]).toMatchObject({ ranks: { lexical: 2, dense: 2 }, scores: { lexical: 5, dense: 0.8 } });
    expect(fused[0]!.score).toBeCloseTo(2 / 62);
  });

  it('lets weights favour one retriever', () => {
    const lists = (denseWeight: number) =>
      fuseByReciprocalRank(
        [
          { name: 'lexical', weight: 1, hits: [hit('a')] },
          { name: 'dense', weight: denseWeight, hits: [hit('c')] },
        ],
        60,
      ).map((c) => c.hit.chunk.id);
    expect(lists(2)).toEqual(['c', 'a']);
    expect(lists(0.5)).toEqual(['a', 'c']);
  });

  it('is stable for ties and empty lists', () => {
    const fused = fuseByReciprocalRank(
      [
        { name: 'lexical', weight: 1, hits: [hit('x')] },
        { name: 'dense', weight: 1, hits: [hit('y')] },
      ],
      60,
    );
    expect(fused.map((c) => c.hit.chunk.id)).toEqual(['x', 'y']);
    expect(fuseByReciprocalRank([{ name: 'lexical', weight: 1, hits: [] }], 60)).toEqual([]);
  });
});
