// The ingest CLI run as `npm run ingest` runs it, against a real folder and a real store.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../test/helpers/temp-dir.js';
import { runIngestCli } from './cli.js';

describe('ingest CLI', () => {
  let folder: ReturnType<typeof makeTempDir>;
  let data: ReturnType<typeof makeTempDir>;
  let lines: string[];
  let errors: string[];
  const out = { log: (line: string) => lines.push(line), error: (line: string) => errors.push(line) };
  const run = (...args: string[]) => runIngestCli(args, { DATA_DIR: data.path }, out);

  beforeEach(() => {
    folder = makeTempDir('sift-cli-docs-');
    data = makeTempDir('sift-cli-data-');
    lines = [];
    errors = [];
    mkdirSync(join(folder.path, 'guides'));
    mkdirSync(join(folder.path, '.git'));
    writeFileSync(join(folder.path, 'guides', 'setup.md'), '# Setup\n\nInstall the agent, then restart.');
    writeFileSync(join(folder.path, 'faq.html'), '<html><head><title>FAQ</title></head><body><p>Answers live here.</p></body></html>');
    writeFileSync(join(folder.path, '.git', 'config'), '[core]');
  });
  afterEach(() => {
    folder.remove();
    data.remove();
  });

  it('ingests every visible file, prints each outcome and totals, and exits 0', async () => {
    expect(await run(folder.path, '--collection', 'manuals')).toBe(0);
    expect(lines).toContain('created    faq.html  (1 chunk)');
    expect(lines).toContain('created    guides/setup.md  (1 chunk)');
    expect(lines.at(-1)).toMatch(/2 files: 2 created, 0 updated, 0 unchanged, 0 failed \(collection "manuals"/);
  });

  it('reports unchanged and updated files on a re-run', async () => {
    await run(folder.path, '--collection', 'manuals');
    writeFileSync(join(folder.path, 'faq.html'), '<html><body><p>New answers live here.</p></body></html>');
    lines = [];
    expect(await run(folder.path, '-c', 'manuals')).toBe(0);
    expect(lines).toContain('updated    faq.html  (1 chunk)');
    expect(lines).toContain('unchanged  guides/setup.md  (1 chunk)');
  });

  it('lists failed files with the reason and exits 1 while the good files still land', async () => {
    writeFileSync(join(folder.path, 'empty.txt'), '');
    writeFileSync(join(folder.path, 'photo.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
    expect(await run(folder.path, '--collection', 'manuals')).toBe(1);
    expect(lines.find((line) => line.startsWith('failed     empty.txt'))).toMatch(/EMPTY_FILE/);
    expect(lines.find((line) => line.startsWith('failed     photo.txt'))).toMatch(/CONTENT_MISMATCH/);
    expect(lines.at(-1)).toMatch(/4 files: 2 created, 0 updated, 0 unchanged, 2 failed/);
  });

  it('exits 2 with the usage on bad arguments or configuration', async () => {
    expect(await run(folder.path)).toBe(2);
    expect(errors.at(-1)).toMatch(/Usage: npm run ingest/);
    expect(await run(join(folder.path, 'missing'), '--collection', 'x')).toBe(2);
    expect(await run(folder.path, '--collection', 'bad name!')).toBe(2);
    expect(errors.at(-1)).toMatch(/Collection name/);
    expect(await runIngestCli([folder.path, '--collection', 'x'], { DATA_DIR: data.path, CHUNK_TOKENS: 'many' }, out)).toBe(2);
    expect(errors.at(-1)).toMatch(/CHUNK_TOKENS/);
  });
});
