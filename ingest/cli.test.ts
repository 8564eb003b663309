// The ingest CLI run as `npm run ingest` runs it, against a real folder and a real store
// (or a real server with --server). Fixtures are made by real PDF and Word writers.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteVectorStore } from '../src/store/sqlite/sqlite-vector-store.js';
import { makeDocx } from '../test/fixtures/make-docx.js';
import { makeEncryptedPdf, makePdf, makeTruncatedPdf } from '../test/fixtures/make-pdf.js';
import { startSift, type RunningSift } from '../test/helpers/sift-server.js';
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

  it('lists collections with counts and last update, then one collection\'s documents, as tables and as JSON', async () => {
    expect(await run('--list')).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/^No collections yet \(data in .*\)\. Load some with: npm run ingest/)]);
    expect(await run(folder.path, '-c', 'notes')).toBe(0);
    lines = [];
    expect(await run('--list')).toBe(0);
    expect(lines[0]).toMatch(/^1 collection \(data in /);
    expect(lines[1]).toMatch(/^collection\s+documents\s+chunks\s+embeddings\s+last update\n-+/);
    expect(lines[1]).toMatch(/\nnotes\s+2\s+2\s+none\s+\d{4}-\d{2}-\d{2}T/);
    lines = [];
    expect(await run('--list', '--json')).toBe(0);
    const listing = JSON.parse(lines.at(-1)!);
    expect(listing.collections).toEqual([expect.objectContaining({ name: 'notes', documentCount: 2, chunkCount: 2, embeddingModel: null, lastUpdate: expect.any(String) })]);
    lines = [];
    expect(await run('--list', '-c', 'notes', '--json')).toBe(0);
    expect(JSON.parse(lines.at(-1)!).documents.map((document: { source: string; chunkCount: number }) => [document.source, document.chunkCount])).toEqual([
      ['faq.html', 1],
      ['guides/setup.md', 1],
    ]);
    lines = [];
    expect(await run('--list', '-c', 'absent')).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/^Collection "absent" has no documents/)]);
  });

  it('refuses files and ingest-only flags with --list', async () => {
    expect(await run('--list', folder.path)).toBe(2);
    expect(errors.join('\n')).toMatch(/--list takes no files or folders/);
    errors = [];
    expect(await run('--list', '--dry-run')).toBe(2);
    expect(errors.join('\n')).toMatch(/--list cannot be combined with --dry-run/);
  });
});

/** A folder as people have them: PDF, Word, HTML, Markdown and text, and three files that cannot be read. */
async function writeDocumentFolder(root: string): Promise<void> {
  const write = (path: string, content: string | Uint8Array) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  write('report.pdf', await makePdf([['The pumps were inspected.'], ['The valves were replaced.'], ['The measured flow rate was 42 litres per second.']], { title: 'Maintenance report' }));
  write('handbook.docx', await makeDocx([{ heading: 'Staff handbook', level: 1 }, { paragraph: 'Badges are worn at all times on site.' }, { bullets: ['Visitors sign in', 'Contractors sign out'] }]));
  write('web/faq.html', '<html><head><title>FAQ</title></head><body><main><h1>FAQ</h1><p>The canteen opens at eight.</p></main></body></html>');
  write('guides/setup.md', '# Setup\n\nInstall the agent, then restart the service.');
  write('notes.txt', 'Notes from the planning meeting: the move is in May.');
  write('broken.pdf', await makeTruncatedPdf());
  write('locked.pdf', await makeEncryptedPdf('Minutes of the board, not for circulation.'));
  write('empty.txt', '');
}

const GOOD = ['guides/setup.md', 'handbook.docx', 'notes.txt', 'report.pdf', 'web/faq.html'];
const BAD = ['broken.pdf', 'empty.txt', 'locked.pdf'];

interface JsonReport {
  dryRun: boolean;
  files: number;
  summary: { created: number; updated: number; unchanged: number; failed: number; deleted: number };
  parsed: number | null;
  notStarted: number;
  documents: Array<{ file: string; status: string; error?: { code: string; message: string } }>;
  deleted: Array<{ documentId: string; source: string }>;
  failures: Array<{ file: string; code: string; message: string }>;
}

describe('ingest CLI on a folder of real documents', () => {
  let folder: ReturnType<typeof makeTempDir>;
  let data: ReturnType<typeof makeTempDir>;
  let lines: string[];
  let errors: string[];
  const out = { log: (line: string) => lines.push(line), error: (line: string) => errors.push(line) };
  const run = (...args: string[]) => runIngestCli(args, { DATA_DIR: data.path }, out);
  /** Runs with --json and reads the summary from the last line of standard output. */
  const runJson = async (...args: string[]): Promise<{ code: number; report: JsonReport }> => {
    lines = [];
    errors = [];
    const code = await run(...args, '--json');
    return { code, report: JSON.parse(lines.at(-1)!) as JsonReport };
  };
  const storedDocuments = async (collection = 'docs') => {
    const store = new SqliteVectorStore(join(data.path, 'sift.sqlite'));
    try {
      return (await store.listDocuments(collection, { limit: 1000, offset: 0 })).documents;
    } finally {
      await store.close();
    }
  };
  const removeBadFiles = () => BAD.forEach((file) => rmSync(join(folder.path, file)));

  beforeEach(async () => {
    folder = makeTempDir('sift-cli-folder-');
    data = makeTempDir('sift-cli-data-');
    lines = [];
    errors = [];
    await writeDocumentFolder(folder.path);
  });
  afterEach(() => {
    folder.remove();
    data.remove();
  });

  it('lands the good files, lists the bad ones at the end with their reasons, and exits 1', async () => {
    expect(await run(folder.path, '--collection', 'docs')).toBe(1);
    for (const file of GOOD) expect(lines.some((line) => line.startsWith(`created    ${file}  (`))).toBe(true);
    const failureList = errors.slice(errors.findIndex((line) => /Failed files \(3\):/.test(line)));
    expect(failureList.find((line) => line.startsWith('failed     broken.pdf'))).toMatch(/CORRUPT_FILE/);
    expect(failureList.find((line) => line.startsWith('failed     locked.pdf'))).toMatch(/ENCRYPTED_FILE: .*password/);
    expect(failureList.find((line) => line.startsWith('failed     empty.txt'))).toMatch(/EMPTY_FILE/);
    // Every good file and the two unreadable PDFs went through a parser; the empty file never got that far.
    expect(lines.at(-1)).toMatch(/^8 files: 5 created, 0 updated, 0 unchanged, 3 failed \(collection "docs", data in .*; parsed: 7; [\d.]+ s\)$/);
    expect((await storedDocuments()).map((d) => d.source)).toEqual(GOOD);
  });

  it('re-runs without parsing unchanged files; an edit and a deletion give exactly one updated and one deleted', async () => {
    await run(folder.path, '--collection', 'docs');

    // The unreadable files were never stored, so they are tried (and fail) again; nothing else is parsed.
    const again = await runJson(folder.path, '-c', 'docs');
    expect(again.code).toBe(1);
    expect(again.report.summary).toEqual({ created: 0, updated: 0, unchanged: 5, failed: 3, deleted: 0 });
    expect(again.report.parsed).toBe(2);
    expect(again.report.failures.map((f) => [f.file, f.code])).toEqual([['broken.pdf', 'CORRUPT_FILE'], ['empty.txt', 'EMPTY_FILE'], ['locked.pdf', 'ENCRYPTED_FILE']]);

    removeBadFiles();
    const unchanged = await runJson(folder.path, '-c', 'docs');
    expect(unchanged.code).toBe(0);
    expect(unchanged.report.documents.map((d) => d.status)).toEqual(GOOD.map(() => 'unchanged'));
    expect(unchanged.report.parsed).toBe(0);

    writeFileSync(join(folder.path, 'notes.txt'), 'Notes from the planning meeting: the move is now in June.');
    rmSync(join(folder.path, 'web', 'faq.html'));
    const synced = await runJson(folder.path, '-c', 'docs', '--delete-missing');
    expect(synced.code).toBe(0);
    expect(synced.report.summary).toEqual({ created: 0, updated: 1, unchanged: 3, failed: 0, deleted: 1 });
    expect(synced.report.documents.filter((d) => d.status === 'updated').map((d) => d.file)).toEqual(['notes.txt']);
    expect(synced.report.deleted.map((d) => d.source)).toEqual(['web/faq.html']);
    expect(synced.report.parsed).toBe(1);
    expect((await storedDocuments()).map((d) => d.source)).toEqual(['guides/setup.md', 'handbook.docx', 'notes.txt', 'report.pdf']);
  });

  it('--dry-run says what would be created, updated, unchanged and deleted, and changes nothing', async () => {
    removeBadFiles();
    await run(folder.path, '--collection', 'docs');
    const before = await storedDocuments();
    writeFileSync(join(folder.path, 'notes.txt'), 'Edited notes.');
    rmSync(join(folder.path, 'web', 'faq.html'));
    writeFileSync(join(folder.path, 'new.md'), '# New\n\nA new page.');

    lines = [];
    expect(await run(folder.path, '-c', 'docs', '--dry-run', '--delete-missing')).toBe(0);
    expect(lines).toEqual(expect.arrayContaining(['create     new.md', 'update     notes.txt', 'unchanged  report.pdf', 'delete     web/faq.html']));
    expect(lines.at(-1)).toMatch(/^Dry run, nothing written\. 5 files: 1 to create, 1 to update, 3 unchanged, 0 failed, 1 to delete \(.*parsed: 0;/);

    const dry = await runJson(folder.path, '-c', 'docs', '--dry-run', '--delete-missing');
    expect(dry.report).toMatchObject({ dryRun: true, summary: { created: 1, updated: 1, unchanged: 3, failed: 0, deleted: 1 }, parsed: 0 });
    expect(await storedDocuments()).toEqual(before);
  });

  it('does only the files not yet done when re-run after an interruption', async () => {
    removeBadFiles();
    const interrupt = new AbortController();
    const stopAfterFirst = { log: (line: string) => (lines.push(line), line.startsWith('created') && interrupt.abort()), error: out.error };
    expect(await runIngestCli([folder.path, '-c', 'docs', '--concurrency', '1'], { DATA_DIR: data.path }, stopAfterFirst, { signal: interrupt.signal })).toBe(130);
    expect(errors).toContain('Stopped after 1 of 5 files. A re-run does the rest.');
    expect(await storedDocuments()).toHaveLength(1);

    const rest = await runJson(folder.path, '-c', 'docs');
    expect(rest.code).toBe(0);
    expect(rest.report.summary).toMatchObject({ created: 4, unchanged: 1 });
    expect(rest.report.parsed).toBe(4);
  });

  it('takes several paths with --include/--exclude, stores typed --metadata, and deletes only under the paths given', async () => {
    removeBadFiles();
    // Another folder's document in the same collection must survive --delete-missing on this one.
    await run(join(folder.path, 'web'), '-c', 'docs');
    const selected = await runJson(join(folder.path, 'guides'), join(folder.path, 'report.pdf'), join(folder.path, 'notes.txt'), '-c', 'docs', '--exclude', '*.txt', '--metadata', 'team=ops', '--metadata', 'year=2024', '--metadata', 'public=true');
    expect(selected.report.documents.map((d) => d.file)).toEqual(['guides/setup.md', 'report.pdf']);
    const stored = await storedDocuments();
    expect(stored.find((d) => d.source === 'report.pdf')!.metadata).toEqual({ team: 'ops', year: 2024, public: true });

    rmSync(join(folder.path, 'guides', 'setup.md'));
    writeFileSync(join(folder.path, 'guides', 'install.md'), '# Install\n\nRun the installer.');
    const synced = await runJson(join(folder.path, 'guides'), '--base', folder.path, '-c', 'docs', '--include', '*.md', '--delete-missing');
    expect(synced.report.summary).toMatchObject({ created: 1, deleted: 1 });
    expect(synced.report.deleted.map((d) => d.source)).toEqual(['guides/setup.md']);
    expect((await storedDocuments()).map((d) => d.source)).toEqual(['faq.html', 'guides/install.md', 'report.pdf']);
  });
});

describe('ingest CLI with --server', () => {
  const API_KEY = 'cli-test-key';
  let sift: RunningSift;
  let folder: ReturnType<typeof makeTempDir>;
  let lines: string[];
  let errors: string[];
  const out = { log: (line: string) => lines.push(line), error: (line: string) => errors.push(line) };
  const runJson = async (...args: string[]): Promise<{ code: number; report: JsonReport }> => {
    lines = [];
    errors = [];
    const code = await runIngestCli([...args, '--json'], {}, out);
    return { code, report: JSON.parse(lines.at(-1)!) as JsonReport };
  };
  const serverSources = async () =>
    ((await (await fetch(`${sift.url}/v1/collections/docs/documents`, { headers: { authorization: `Bearer ${API_KEY}` } })).json()).documents as Array<{ source: string }>).map((d) => d.source);

  beforeAll(async () => {
    // A tiny job threshold: the PDF and DOCX uploads become jobs the CLI must poll, the text files do not.
    sift = await startSift({ SIFT_API_KEYS: API_KEY, JOB_THRESHOLD_BYTES: '400' });
    folder = makeTempDir('sift-cli-server-');
    await writeDocumentFolder(folder.path);
  });
  afterAll(async () => {
    await sift.stop();
    folder.remove();
  });

  it('uploads over HTTP, waits for the jobs the server makes, re-runs unchanged, and syncs deletions', async () => {
    const first = await runJson(folder.path, '-c', 'docs', '--server', sift.url, '--api-key', API_KEY);
    expect(first.code).toBe(1);
    expect(first.report.summary).toEqual({ created: 5, updated: 0, unchanged: 0, failed: 3, deleted: 0 });
    expect(first.report.parsed).toBeNull();
    expect(first.report.failures.map((f) => [f.file, f.code])).toEqual([['broken.pdf', 'CORRUPT_FILE'], ['empty.txt', 'EMPTY_FILE'], ['locked.pdf', 'ENCRYPTED_FILE']]);
    expect(await serverSources()).toEqual(GOOD);

    const again = await runJson(folder.path, '-c', 'docs', '--server', sift.url, '--api-key', API_KEY, '--exclude', 'broken.pdf', '--exclude', 'locked.pdf', '--exclude', 'empty.txt');
    expect(again.code).toBe(0);
    expect(again.report.documents.map((d) => d.status)).toEqual(GOOD.map(() => 'unchanged'));

    writeFileSync(join(folder.path, 'notes.txt'), 'Notes, edited for the server run.');
    rmSync(join(folder.path, 'web', 'faq.html'));
    const synced = await runJson(folder.path, '-c', 'docs', '--server', sift.url, '--api-key', API_KEY, '--delete-missing', '--exclude', '*.pdf', '--exclude', 'empty.txt');
    expect(synced.report.summary).toEqual({ created: 0, updated: 1, unchanged: 2, failed: 0, deleted: 1 });
    expect(synced.report.deleted.map((d) => d.source)).toEqual(['web/faq.html']);
    // The PDFs are outside this run's globs, so --delete-missing leaves report.pdf alone.
    expect(await serverSources()).toEqual(['guides/setup.md', 'handbook.docx', 'notes.txt', 'report.pdf']);
  });

  it('lists what the server stores with --list', async () => {
    lines = [];
    expect(await runIngestCli(['--list', '--server', sift.url, '--api-key', API_KEY, '--json'], {}, out)).toBe(0);
    const listing = JSON.parse(lines.at(-1)!);
    expect(listing.collections.map((entry: { name: string }) => entry.name)).toContain('docs');
    lines = [];
    expect(await runIngestCli(['--list', '-c', 'docs', '--server', sift.url, '--api-key', API_KEY], {}, out)).toBe(0);
    expect(lines[0]).toMatch(new RegExp(`^Collection "docs", \\d+ documents \\(server ${sift.url.replace(/[.]/g, '\\.')}\\):`));
  });

  it('exits 2 when the server refuses the key or cannot be reached', async () => {
    lines = [];
    errors = [];
    expect(await runIngestCli([folder.path, '-c', 'docs', '--server', sift.url, '--api-key', 'wrong'], {}, out)).toBe(2);
    expect(errors.join('\n')).toMatch(/refused the API key/);
    errors = [];
    expect(await runIngestCli([folder.path, '-c', 'docs', '--server', 'http://127.0.0.1:9'], {}, out)).toBe(2);
    expect(errors.join('\n')).toMatch(/Cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
