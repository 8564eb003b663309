// Files built to hurt the server: markup nested a million deep, a DOCX that unpacks to far
// more than it weighs, a PDF of ten thousand empty pages. Each fails alone with a code and
// the setting that bounds it, the server keeps answering while they are parsed, and the
// next upload works (the parser process that a file took down is replaced).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDocxWithBodyOf } from '../fixtures/make-docx.js';
import { makeBlankPdf } from '../fixtures/make-pdf.js';
import { startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

/** Asks the server's /healthz over and over until `work` settles; returns how many answers came back meanwhile. */
async function healthAnswersDuring(url: string, work: Promise<unknown>): Promise<number> {
  let settled = false;
  void work.finally(() => (settled = true)).catch(() => undefined);
  let answers = 0;
  while (!settled) {
    const response = await fetch(`${url}/healthz`);
    if (!settled && response.ok) answers += 1;
  }
  return answers;
}

describe('files that cost too much to parse', () => {
  let sift: RunningSift;
  const docs = (collection = 'heavy') => `${sift.url}/v1/collections/${collection}/documents`;
  const upload = (files: Parameters<typeof uploadForm>[0], collection?: string) => fetch(docs(collection), { method: 'POST', body: uploadForm(files) });
  const sources = async () => {
    const response = await fetch(docs());
    return response.status === 404 ? [] : ((await response.json()).documents as Array<{ source: string }>).map((document) => document.source).sort();
  };

  beforeAll(async () => {
    sift = await startSift({ PARSE_HEAP_MB: '128', PARSE_WORKERS: '1', DOCX_MAX_EXPANDED_BYTES: String(32 * 1024 * 1024) });
  });
  afterAll(async () => {
    await sift.stop();
  });

  it('refuses HTML nested deeper than HTML_MAX_DEPTH, a million deep included, without freezing', async () => {
    for (const depth of [100_000, 1_000_000]) {
      const response = await upload([{ name: `nested-${depth}.html`, content: '<div>'.repeat(depth) + 'deep text' }]);
      expect(response.status).toBe(422);
      const body = await response.json();
      expect(body.error.code).toBe('FILE_TOO_COMPLEX');
      expect(body.error.message).toMatch(/nests HTML elements more than 512 deep.*HTML_MAX_DEPTH/);
    }
    expect(await sources()).toEqual([]);
  });

  it('fails a DOCX that needs more heap than a parser process has, names PARSE_HEAP_MB, and keeps serving', { timeout: 90_000 }, async () => {
    const bomb = await makeDocxWithBodyOf(24 * 1024 * 1024);
    expect(bomb.byteLength).toBeLessThan(200 * 1024);
    const uploading = upload([{ name: 'bomb.docx', content: bomb }]);
    expect(await healthAnswersDuring(sift.url, uploading)).toBeGreaterThan(0);
    const response = await uploading;
    const body = await response.json();
    expect({ status: response.status, code: body.error.code }).toEqual({ status: 422, code: 'FILE_TOO_COMPLEX' });
    expect(body.error.message).toMatch(/"bomb\.docx" needs more than the 128 MiB.*PARSE_HEAP_MB/);
    // The thread it took down is replaced: the next file parses.
    const next = await upload([{ name: 'after-bomb.md', content: '# After\n\nThe server still parses files.' }]);
    expect(next.status).toBe(200);
    expect(await sources()).toEqual(['after-bomb.md']);
  });

  it('refuses a DOCX that would unpack past DOCX_MAX_EXPANDED_BYTES before unpacking it', async () => {
    const response = await upload([{ name: 'huge.docx', content: await makeDocxWithBodyOf(40 * 1024 * 1024) }]);
    const body = await response.json();
    expect({ status: response.status, code: body.error.code }).toEqual({ status: 413, code: 'FILE_TOO_LARGE' });
    expect(body.error.message).toMatch(/would unpack to .*DOCX_MAX_EXPANDED_BYTES/);
  });

  it('fails only the heavy file of a background job, with the reason, and runs the rest', { timeout: 90_000 }, async () => {
    const files = [
      { name: 'bomb.docx', content: await makeDocxWithBodyOf(24 * 1024 * 1024) },
      ...Array.from({ length: 21 }, (_, index) => ({ name: `note-${index}.md`, content: `# Note ${index}\n\nOrdinary note number ${index}.` })),
    ];
    const accepted = await upload(files, 'jobs');
    expect(accepted.status).toBe(202);
    const { job } = await accepted.json();
    let view;
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      view = (await (await fetch(`${sift.url}/v1/jobs/${job.id}`)).json()).job;
    } while (view.state === 'queued' || view.state === 'running');
    expect(view.state).toBe('succeeded');
    expect(view.summary).toMatchObject({ created: 21, failed: 1 });
    expect(view.documents.find((document: { file: string }) => document.file === 'bomb.docx')).toMatchObject({ status: 'failed', error: { code: 'FILE_TOO_COMPLEX' } });
  });
});

describe('a file that takes too long to parse', () => {
  let sift: RunningSift;

  beforeAll(async () => {
    // Long enough for a parser process to start on a busy machine, far too short for 10,000 pages.
    sift = await startSift({ PARSE_TIMEOUT_MS: '4000', PARSE_WORKERS: '1' });
  });
  afterAll(async () => {
    await sift.stop();
  });

  it('is stopped after PARSE_TIMEOUT_MS while the server answers other requests', { timeout: 60_000 }, async () => {
    const blank = await makeBlankPdf(10_000);
    expect(blank.byteLength).toBeLessThan(1024 * 1024);
    const uploading = fetch(`${sift.url}/v1/collections/slow/documents`, { method: 'POST', body: uploadForm([{ name: 'blank.pdf', content: blank }]) });
    expect(await healthAnswersDuring(sift.url, uploading)).toBeGreaterThan(0);
    const response = await uploading;
    const body = await response.json();
    expect({ status: response.status, code: body.error.code }).toEqual({ status: 422, code: 'FILE_TOO_COMPLEX' });
    expect(body.error.message).toMatch(/"blank\.pdf" took longer than 4000 ms.*PARSE_TIMEOUT_MS/);
    const next = await fetch(`${sift.url}/v1/collections/slow/documents`, { method: 'POST', body: uploadForm([{ name: 'quick.txt', content: 'A quick file parses after the slow one.' }]) });
    expect(next.status).toBe(200);
  });
});
