// Every kind of bad input gets a 4xx JSON error that says what to fix, stores nothing, and
// leaves the service healthy.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTruncatedPdf } from '../fixtures/make-pdf.js';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xde]);
// Valid UTF-8 ("é") next to a broken sequence: damaged UTF-8, which is refused rather than read as Latin-1.
const DAMAGED_UTF8 = Uint8Array.from([...new TextEncoder().encode('# Notes\n\nThe café'), 0xc3, 0x28, ...new TextEncoder().encode(' closes at noon.\n')]);
const UPLOAD_LIMIT = 2048;

describe('bad input', () => {
  let sift: RunningSift;
  const docs = (collection = 'good') => `${sift.url}/v1/collections/${collection}/documents`;

  async function expectError(response: Response, status: number, code: string, message?: RegExp) {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = await response.json();
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
    expect(JSON.stringify(body)).not.toMatch(/\s+at\s.+\.(js|ts):\d+/);
    if (message) expect(body.error.message).toMatch(message);
    return body;
  }

  async function storedSources(): Promise<string[]> {
    const response = await fetch(docs());
    return ((await response.json()).documents as Array<{ source: string }>).map((d) => d.source);
  }

  beforeAll(async () => {
    sift = await startSift({ MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT), MAX_QUERY_CHARS: '2000' });
    const seeded = await fetch(docs(), { method: 'POST', body: uploadForm([{ name: 'seed.txt', content: 'The seed document mentions lighthouses.' }]) });
    expect(seeded.status).toBe(200);
  });
  afterAll(async () => {
    await sift.stop();
  });
  beforeEach(async () => {
    expect((await fetch(`${sift.url}/healthz`)).status).toBe(200);
  });

  const upload = (files: Parameters<typeof uploadForm>[0], collection?: string) => fetch(docs(collection), { method: 'POST', body: uploadForm(files) });

  it('rejects an empty file', async () => {
    await expectError(await upload([{ name: 'empty.txt', content: '' }]), 400, 'EMPTY_FILE');
    expect(await storedSources()).toEqual(['seed.txt']);
  });

  it('rejects binary content named .txt', async () => {
    await expectError(await upload([{ name: 'photo.txt', content: PNG }]), 415, 'CONTENT_MISMATCH', /photo\.txt.*PNG/i);
    expect(await storedSources()).toEqual(['seed.txt']);
  });

  it('rejects an unsupported type and lists what is supported', async () => {
    await expectError(await upload([{ name: 'tool.exe', content: 'MZ binary' }]), 415, 'UNSUPPORTED_TYPE', /\.txt|\.md|\.html/);
    expect(await storedSources()).toEqual(['seed.txt']);
  });

  it('rejects a file name that climbs out with ../ and an absolute path', async () => {
    await expectError(await upload([{ name: '../../etc/passwd.txt', content: 'root:x:0:0' }]), 400, 'INVALID_SOURCE_NAME');
    await expectError(await upload([{ name: '/etc/hosts.txt', content: 'localhost' }]), 400, 'INVALID_SOURCE_NAME');
    expect(await storedSources()).toEqual(['seed.txt']);
  });

  it('rejects a corrupt file with a supported extension', async () => {
    await expectError(await upload([{ name: 'report.pdf', content: await makeTruncatedPdf() }]), 422, 'CORRUPT_FILE', /report\.pdf.*not a readable PDF/);
    expect(await storedSources()).toEqual(['seed.txt']);
  });

  it('rejects damaged UTF-8 text instead of guessing another encoding', async () => {
    await expectError(await upload([{ name: 'notes.md', content: DAMAGED_UTF8 }]), 422, 'CORRUPT_FILE', /not valid UTF-8.*damaged/);
    expect(await storedSources()).toEqual(['seed.txt']);
  });

  it('answers 413 for a file over the upload limit', async () => {
    await expectError(await upload([{ name: 'big.txt', content: 'word '.repeat(UPLOAD_LIMIT) }]), 413, 'FILE_TOO_LARGE', new RegExp(String(UPLOAD_LIMIT)));
    expect(await storedSources()).toEqual(['seed.txt']);
  });

  it('rejects a collection name with illegal characters', async () => {
    await expectError(await upload([{ name: 'a.txt', content: 'hello' }], 'bad%20name!'), 400, 'INVALID_COLLECTION_NAME');
    const collections = await (await fetch(`${sift.url}/v1/collections`)).json();
    expect(collections.collections.map((c: { name: string }) => c.name)).toEqual(['good']);
  });

  it('rejects metadata that is not a JSON object of scalars', async () => {
    const form = uploadForm([{ name: 'meta.txt', content: 'metadata test' }], '{not json');
    await expectError(await fetch(docs(), { method: 'POST', body: form }), 400, 'MALFORMED_JSON');
    const nested = uploadForm([{ name: 'meta.txt', content: 'metadata test' }], { deep: { x: 1 } });
    await expectError(await fetch(docs(), { method: 'POST', body: nested }), 400, 'VALIDATION_FAILED', /deep/);
    expect(await storedSources()).toEqual(['seed.txt']);
  });

  it('rejects an upload without files, to a collection that exists or not', async () => {
    await expectError(await fetch(docs(), { method: 'POST', body: new FormData() }), 400, 'NO_FILES');
    await expectError(await fetch(docs('not-yet-created'), { method: 'POST', body: new FormData() }), 400, 'NO_FILES');
    await expectError(await fetch(docs('not-yet-created'), { method: 'POST' }), 400, 'NO_FILES');
  });

  it('reports each file of a mixed batch: the good one lands, the bad one says why', async () => {
    const response = await upload([
      { name: 'good.md', content: '# Good\n\nThis file is fine.' },
      { name: 'bad.txt', content: PNG },
    ]);
    expect(response.status).toBe(207);
    const body = await response.json();
    expect(body.documents).toEqual([
      expect.objectContaining({ file: 'good.md', status: 'created', chunkCount: 1 }),
      { file: 'bad.txt', status: 'failed', error: { code: 'CONTENT_MISMATCH', message: expect.stringContaining('bad.txt') } },
    ]);
    expect(body.summary).toEqual({ created: 1, updated: 0, unchanged: 0, failed: 1 });
    // The file is named once, not as `"bad.txt": "bad.txt" is named as text…`.
    expect(body.documents[1].error.message).toMatch(/^"bad\.txt" is named as text/);
    expect((await storedSources()).sort()).toEqual(['good.md', 'seed.txt']);
  });

  it('rejects malformed JSON bodies', async () => {
    await expectError(await postJson(`${sift.url}/v1/collections/good/search`, '{"query": "light'), 400, 'MALFORMED_JSON');
  });

  it('rejects ask without a question and unknown fields', async () => {
    await expectError(await postJson(`${sift.url}/v1/collections/good/ask`, {}), 400, 'VALIDATION_FAILED', /question/);
    await expectError(await postJson(`${sift.url}/v1/collections/good/ask`, { question: '   ' }), 400, 'VALIDATION_FAILED', /question/);
    await expectError(await postJson(`${sift.url}/v1/collections/good/search`, { query: 'x', top_k: 3 }), 400, 'VALIDATION_FAILED', /top_k/);
  });

  it('rejects topK out of range', async () => {
    for (const topK of [0, 101, 2.5, '10']) {
      await expectError(await postJson(`${sift.url}/v1/collections/good/search`, { query: 'lighthouses', topK }), 400, 'VALIDATION_FAILED', /topK/);
    }
    const ok = await postJson(`${sift.url}/v1/collections/good/search`, { query: 'lighthouses', topK: 100 });
    expect(ok.status).toBe(200);
  });

  it('rejects a 200,000-character query with a 400 that names the limit', async () => {
    await expectError(await postJson(`${sift.url}/v1/collections/good/search`, { query: 'a'.repeat(200_000) }), 400, 'QUERY_TOO_LONG', /2000/);
    await expectError(await postJson(`${sift.url}/v1/collections/good/ask`, { question: 'why '.repeat(50_000) }), 400, 'QUERY_TOO_LONG');
  });

  it('answers unknown routes and collections with JSON 404s', async () => {
    await expectError(await fetch(`${sift.url}/v1/nothing-here`), 404, 'ROUTE_NOT_FOUND');
    await expectError(await postJson(`${sift.url}/v1/collections/absent/search`, { query: 'x' }), 404, 'COLLECTION_NOT_FOUND');
  });

  it('is still healthy and serving after all of it', async () => {
    expect((await fetch(`${sift.url}/readyz`)).status).toBe(200);
    const found = await (await postJson(`${sift.url}/v1/collections/good/search`, { query: 'lighthouses' })).json();
    expect(found.results[0].source).toBe('seed.txt');
  });
});
