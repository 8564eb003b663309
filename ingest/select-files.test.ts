// Globs, the walk and the scope of --delete-missing, on real folders.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../test/helpers/temp-dir.js';
import { PathFilter } from './path-filter.js';
import { selectFiles } from './select-files.js';
import { documentsToDelete, isInScope } from './sync-scope.js';

describe('PathFilter', () => {
  it('selects everything visible without globs', () => {
    expect(new PathFilter().selects('guides/setup.md')).toBe(true);
  });

  it('matches a glob without "/" at any depth, and one with "/" from the base', () => {
    const filter = new PathFilter(['*.md', 'manuals/**/*.pdf']);
    expect(filter.selects('a.md')).toBe(true);
    expect(filter.selects('deep/er/a.md')).toBe(true);
    expect(filter.selects('manuals/x/y.pdf')).toBe(true);
    expect(filter.selects('other/y.pdf')).toBe(false);
    expect(filter.selects('a.txt')).toBe(false);
  });

  it('excludes a folder with everything in it, and exclusion wins over inclusion', () => {
    const filter = new PathFilter(['*.md'], ['drafts', 'archive/2019/']);
    expect(filter.selects('drafts/a.md')).toBe(false);
    expect(filter.selects('team/drafts/b.md')).toBe(false);
    expect(filter.selects('archive/2019/c.md')).toBe(false);
    expect(filter.selects('archive/2020/c.md')).toBe(true);
    expect(filter.excludesFolder('team/drafts')).toBe(true);
    expect(filter.excludesFolder('team')).toBe(false);
  });

  it('refuses an empty glob', () => {
    expect(() => new PathFilter([''])).toThrow(/matches nothing/);
  });
});

describe('selectFiles', () => {
  let root: ReturnType<typeof makeTempDir>;
  const write = (path: string, content = 'text') => {
    mkdirSync(dirname(join(root.path, path)), { recursive: true });
    writeFileSync(join(root.path, path), content);
  };
  const sources = async (paths: string[], filter = new PathFilter(), base?: string) =>
    (await selectFiles(paths.map((p) => join(root.path, p)), { filter, ...(base ? { base: join(root.path, base) } : {}) })).files.map((f) => f.source);

  beforeEach(() => {
    root = makeTempDir('sift-select-');
    write('docs/guides/setup.md');
    write('docs/faq.html');
    write('docs/.hidden/secret.md');
    write('docs/.DS_Store');
    write('docs/drafts/wip.md');
    write('notes/todo.txt');
    write('notes/ideas.md');
    write('single.pdf');
  });
  afterEach(() => root.remove());

  it('names files relative to the one folder given, skipping hidden ones, in name order', async () => {
    expect(await sources(['docs'])).toEqual(['drafts/wip.md', 'faq.html', 'guides/setup.md']);
  });

  it('names files relative to the common parent when several paths are given', async () => {
    expect(await sources(['docs', 'notes/ideas.md', 'single.pdf'])).toEqual(['docs/drafts/wip.md', 'docs/faq.html', 'docs/guides/setup.md', 'notes/ideas.md', 'single.pdf']);
  });

  it('takes an explicit base, and lists a file given twice once', async () => {
    expect(await sources(['docs/guides', 'docs/guides/setup.md'], new PathFilter(), 'docs')).toEqual(['guides/setup.md']);
  });

  it('applies the globs to the walk', async () => {
    expect(await sources(['docs', 'notes'], new PathFilter(['*.md'], ['drafts']))).toEqual(['docs/guides/setup.md', 'notes/ideas.md']);
  });

  it('follows a link to a file but not a link to a folder', async () => {
    symlinkSync(join(root.path, 'single.pdf'), join(root.path, 'docs', 'linked.pdf'));
    symlinkSync(join(root.path, 'notes'), join(root.path, 'docs', 'linked-notes'));
    expect(await sources(['docs'])).toContain('linked.pdf');
    expect((await sources(['docs'])).some((s) => s.startsWith('linked-notes'))).toBe(false);
  });

  it('refuses a path that does not exist and a root outside --base', async () => {
    await expect(sources(['missing'])).rejects.toThrow(/does not exist/);
    await expect(sources(['notes'], new PathFilter(), 'docs')).rejects.toThrow(/not inside the base folder/);
  });
});

describe('the scope of --delete-missing', () => {
  const roots = [
    { absolutePath: '/x/docs', relativePath: 'docs', isFolder: true },
    { absolutePath: '/x/single.pdf', relativePath: 'single.pdf', isFolder: false },
  ];

  it('covers the documents under the paths given, not others in the collection', () => {
    const filter = new PathFilter();
    expect(isInScope('docs/a.md', roots, filter)).toBe(true);
    expect(isInScope('single.pdf', roots, filter)).toBe(true);
    expect(isInScope('uploaded-by-hand.md', roots, filter)).toBe(false);
    expect(isInScope('docs-old/a.md', roots, filter)).toBe(false);
    expect(isInScope('docs/.hidden/a.md', roots, filter)).toBe(false);
  });

  it('leaves out what the globs leave out', () => {
    expect(isInScope('docs/a.pdf', roots, new PathFilter(['*.md']))).toBe(false);
    expect(isInScope('docs/drafts/a.md', roots, new PathFilter([], ['drafts']))).toBe(false);
  });

  it('deletes exactly the documents in scope whose files are gone', () => {
    const entry = (id: string, source: string) => ({ id, source, chunkCount: 1, sizeBytes: 10, updatedAt: '2026-12-01T00:00:00.000Z' });
    const stored = [entry('1', 'docs/a.md'), entry('2', 'docs/gone.md'), entry('3', 'elsewhere.md')];
    expect(documentsToDelete(stored, new Set(['docs/a.md']), roots, new PathFilter())).toEqual([entry('2', 'docs/gone.md')]);
  });

  it('covers the whole collection when the one folder given is the base', () => {
    expect(isInScope('anything/at/all.md', [{ absolutePath: '/x', relativePath: '', isFolder: true }], new PathFilter())).toBe(true);
  });
});
