import { describe, expect, it } from 'vitest';
import { mergePicked, type PickedFile } from './dropped-files.ts';

const picked = (name: string, content = name): PickedFile => ({ name, file: { name, size: content.length } as File });

describe('picking files to upload', () => {
  it('keeps one entry per name, the later pick winning, so an upload never names a file twice', () => {
    const merged = mergePicked([picked('a.md'), picked('guides/b.md')], [picked('a.md', 'newer'), picked('c.txt')]);
    expect(merged.map((entry) => entry.name)).toEqual(['a.md', 'guides/b.md', 'c.txt']);
    expect(merged[0]!.file.size).toBe('newer'.length);
  });
});
