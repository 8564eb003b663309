import { describe, expect, it } from 'vitest';
import { analyze, analyzeQuery } from '../../retrieval/lexical-analyzer.js';
import { countChunkRows, type ChunkTextRow } from './lexical-index-build.js';
import { LexicalIndex } from './lexical-index.js';

const rows: ChunkTextRow[] = [
  { id: 3, title: 'Otters', heading_path: '["Habits","Sleep"]', text: 'Otters hold hands while sleeping; otters float.' },
  { id: 7, title: null, heading_path: '[]', text: 'Café society: naïve bees dance — the hive’s β-cells respond.' },
  { id: 8, title: 'Bees', heading_path: '["Hive"]', text: 'Bees, bees and more bees. '.repeat(40) },
  { id: 12, title: 'Markets', heading_path: '[]', text: 'The stock market closed higher; otters were not consulted.' },
  { id: 13, title: '', heading_path: '["Empty"]', text: '' },
];

/** The index a build makes chunk by chunk from the whole row's terms, as writes add chunks. */
function addedOneByOne(): LexicalIndex {
  const index = new LexicalIndex();
  for (const row of rows) {
    const terms = [...analyze(row.title ?? ''), ...analyze((JSON.parse(row.heading_path) as string[]).join(' ')), ...analyze(row.text)];
    index.add({ id: row.id, terms, extraLength: 1 });
  }
  return index.seal();
}

describe('countChunkRows', () => {
  it('builds, in batches, the index that adding each chunk builds: same statistics, same scores', () => {
    const counted = new LexicalIndex();
    counted.addCounted(countChunkRows(rows.slice(0, 2)));
    counted.addCounted(countChunkRows(rows.slice(2)));
    counted.seal();
    const reference = addedOneByOne();
    for (const query of ['otters sleeping', 'bees hive cafe', 'beta cells', 'naive market higher', 'habits sleep', 'nothing here']) {
      const terms = analyzeQuery(query);
      expect(counted.search(terms, 10)).toEqual(reference.search(terms, 10));
    }
    const [a, b] = [counted.statistics(), reference.statistics()];
    expect([a.chunks, a.averageLength, a.documentFrequency('bee'), a.documentFrequency('otter')]).toEqual([b.chunks, b.averageLength, b.documentFrequency('bee'), b.documentFrequency('otter')]);
  });

  it("counts alike when the analyzer's word table starts over inside a batch (its term ids change)", () => {
    // More distinct words than the table holds: it starts over while the batch is counted.
    const flood = Array.from({ length: 140_000 }, (_, i) => `w${i.toString(36)}x`).join(' ');
    const batch = [rows[0]!, { id: 5, title: 'flood', heading_path: '[]', text: `${flood} otters` }, rows[3]!];
    const counted = new LexicalIndex();
    counted.addCounted(countChunkRows(batch));
    counted.seal();
    const reference = new LexicalIndex();
    for (const row of batch) reference.add({ id: row.id, terms: [...analyze(row.title ?? ''), ...analyze((JSON.parse(row.heading_path) as string[]).join(' ')), ...analyze(row.text)], extraLength: 1 });
    reference.seal();
    for (const query of ['otters market', 'w1x w2x flood', 'hands higher']) expect(counted.search(analyzeQuery(query), 5)).toEqual(reference.search(analyzeQuery(query), 5));
  });

  it('counts each distinct term once per chunk with its frequency, and the collection marker in the length', () => {
    const batch = countChunkRows([rows[2]!]);
    const tf = (term: string) => batch.tfs[[...batch.termIndexes].findIndex((i) => batch.vocabulary[i] === term)];
    expect(tf('bee')).toBe(1 + 120); // the title's and the text's; the heading says "Hive"
    expect(batch.lengths[0]).toBe(1 + 1 + analyze(rows[2]!.text).length + 1);
    expect(new Set(batch.termIndexes).size).toBe(batch.termIndexes.length);
  });

  it('is refused after the seal, and out of id order', () => {
    const index = new LexicalIndex();
    index.addCounted(countChunkRows(rows.slice(1, 2)));
    expect(() => index.addCounted(countChunkRows(rows.slice(0, 1)))).toThrow(/ascending id order/);
    index.seal();
    expect(() => index.addCounted(countChunkRows(rows.slice(3, 4)))).toThrow(/before seal/);
  });
});
