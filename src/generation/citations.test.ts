import { describe, expect, it } from 'vitest';
import type { RankedChunk } from '../retrieval/search-types.js';
import { checkCitations } from './citations.js';

function passage(n: number): RankedChunk {
  return {
    rank: n, chunkId: `c${n}`, documentId: `d${n}`, source: `doc${n}.md`, title: null, headingPath: ['H'], page: n === 2 ? 7 : null,
    text: `Passage number ${n} text.`, start: 0, end: 10, contentHash: `h${n}`, metadata: {}, score: 1, scores: {}, retrievalRank: n, rerankRank: null,
  };
}
const passages = [passage(1), passage(2), passage(3)];

describe('checkCitations', () => {
  it('turns valid markers into structured citations in order of first use', () => {
    const checked = checkCitations('Rivers flood in spring [2]. Dams help [1][2].', passages);
    expect(checked.text).toBe('Rivers flood in spring [2]. Dams help [1][2].');
    expect(checked.citations.map((c) => c.n)).toEqual([2, 1]);
    expect(checked.citations[0]).toMatchObject({ chunkId: 'c2', documentId: 'd2', source: 'doc2.md', page: 7, snippet: 'Passage number 2 text.' });
  });

  it('drops numbers that name no passage and keeps the valid ones of a group', () => {
    const checked = checkCitations('Claim one [4]. Claim two [1, 9]. Claim three [0].', passages);
    expect(checked.text).toBe('Claim one. Claim two [1]. Claim three.');
    expect(checked.citations.map((c) => c.n)).toEqual([1]);
    expect(checked.droppedNumbers).toEqual([4, 9, 0]);
  });

  it('returns no citations for an answer without markers', () => {
    expect(checkCitations('Plain answer.', passages)).toEqual({ text: 'Plain answer.', citations: [], droppedNumbers: [] });
  });
});
