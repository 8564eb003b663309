import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LexicalIndex } from './lexical-index.js';
import { readLexicalIndexFile, writeLexicalIndexFile } from './lexical-index-file.js';

function sealedIndex(chunks: number): LexicalIndex {
  const index = new LexicalIndex();
  for (let id = 1; id <= chunks; id++) index.add({ id, terms: [`word${id % 7}`, 'common', `rare${id}`], extraLength: 1 });
  return index.seal();
}

describe('lexical index file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sift-lexidx-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back a freshly sealed index, whose delta segment is empty, with the same search results', async () => {
    const index = sealedIndex(200);
    const file = join(dir, 'docs.lexidx');
    await writeLexicalIndexFile(file, 'docs', 42, index);
    const stored = await readLexicalIndexFile(file, 'docs');
    expect(stored?.revision).toBe(42);
    expect(stored!.index.search(['common', 'word3', 'rare10'], 5)).toEqual(index.search(['common', 'word3', 'rare10'], 5));
  });

  it('reads back an index with a delta segment and tombstones', async () => {
    const index = sealedIndex(50);
    index.add({ id: 500, terms: ['fresh', 'common'] });
    index.remove(3);
    const file = join(dir, 'docs.lexidx');
    await writeLexicalIndexFile(file, 'docs', 7, index);
    const stored = await readLexicalIndexFile(file, 'docs');
    expect(stored!.index.search(['fresh', 'common', 'rare3'], 60)).toEqual(index.search(['fresh', 'common', 'rare3'], 60));
  });

  it('refuses a file with a flipped byte, or saved for another collection', async () => {
    const file = join(dir, 'docs.lexidx');
    await writeLexicalIndexFile(file, 'docs', 1, sealedIndex(100));
    expect(await readLexicalIndexFile(file, 'other')).toBeNull();
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    writeFileSync(file, bytes);
    expect(await readLexicalIndexFile(file, 'docs')).toBeNull();
  });
});
