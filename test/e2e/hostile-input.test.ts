// Inputs an attacker would try: keys JavaScript treats specially, names that hide what they
// are, one document named twice, impossible dates. Each gets a 4xx that names the problem
// and leaves nothing stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

describe('hostile input', () => {
  let sift: RunningSift;
  const docs = (collection = 'tenant') => `${sift.url}/v1/collections/${collection}/documents`;
  const sources = async (collection = 'tenant') => ((await (await fetch(docs(collection))).json()).documents as Array<{ source: string }>).map((document) => document.source).sort();

  async function expectError(response: Response, status: number, code: string, message?: RegExp) {
    const body = await response.json();
    expect({ status: response.status, code: body.error?.code }).toEqual({ status, code });
    if (message) expect(body.error.message).toMatch(message);
  }

  beforeAll(async () => {
    sift = await startSift();
    const seeded = await fetch(docs(), { method: 'POST', body: uploadForm([{ name: 'beacon.md', content: '# Beacon\n\nThe lighthouse keeper logs every ship.' }], { team: 'ops' }) });
    expect(seeded.status).toBe(200);
  });
  afterAll(async () => {
    await sift.stop();
  });

  it('refuses a __proto__ filter by name instead of answering unfiltered', async () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      // Sent as raw JSON: JSON.stringify of an object literal would not keep "__proto__".
      const response = await postJson(`${sift.url}/v1/collections/tenant/search`, `{"query":"lighthouse","filter":{"${key}":"nomatch"}}`);
      await expectError(response, 400, 'VALIDATION_FAILED', new RegExp(`filter\\.${key}.*"${key}" is reserved`));
    }
    const ask = await postJson(`${sift.url}/v1/collections/tenant/ask`, '{"question":"who logs ships?","filter":{"__proto__":"nomatch"}}');
    await expectError(ask, 400, 'VALIDATION_FAILED', /__proto__/);
  });

  it('applies a filter on a key that no document has, even one every object inherits', async () => {
    for (const filter of [{ toString: 'x' }, { hasOwnProperty: 'x' }, { team: 'sales' }]) {
      const body = await (await postJson(`${sift.url}/v1/collections/tenant/search`, { query: 'lighthouse', filter })).json();
      expect(body.results).toEqual([]);
    }
    const matching = await (await postJson(`${sift.url}/v1/collections/tenant/search`, { query: 'lighthouse', filter: { team: 'ops' } })).json();
    expect(matching.results).toHaveLength(1);
  });

  it('refuses metadata with a __proto__ key instead of storing it without', async () => {
    const response = await fetch(docs(), { method: 'POST', body: uploadForm([{ name: 'proto.md', content: 'prototype pollution attempt' }], '{"__proto__":"x","team":"ops"}') });
    await expectError(response, 400, 'VALIDATION_FAILED', /"__proto__" is reserved/);
    expect(await sources()).toEqual(['beacon.md']);
  });

  it.each([
    ['a right-to-left override', 'invoice\u202Etxt.md', 'U+202E'],
    ['a zero-width space', 'guide\u200B.md', 'U+200B'],
    ['a byte order mark', '\uFEFFnotes.md', 'U+FEFF'],
    ['a bidi isolate', 'a\u2067b.md', 'U+2067'],
  ])('refuses a file name with %s', async (_, name, shown) => {
    const response = await fetch(docs(), { method: 'POST', body: uploadForm([{ name, content: 'hidden name' }]) });
    await expectError(response, 400, 'INVALID_SOURCE_NAME', new RegExp(shown.replace('+', '\\+')));
    expect(await sources()).toEqual(['beacon.md']);
  });

  it('refuses an upload that names one document twice, before storing any of it', async () => {
    for (const names of [
      ['twice.md', 'other.md', 'twice.md'],
      ['dir/same.md', './dir//same.md'],
    ]) {
      const files = names.map((name, index) => ({ name, content: `version ${index} of the file` }));
      await expectError(await fetch(docs(), { method: 'POST', body: uploadForm(files) }), 400, 'DUPLICATE_FILE_NAME', /same document more than once/);
    }
    expect(await sources()).toEqual(['beacon.md']);
  });

  it('refuses a duplicate name in an upload large enough to become a job, without a job', async () => {
    const files = Array.from({ length: 22 }, (_, index) => ({ name: index === 21 ? 'f0.md' : `f${index}.md`, content: `file ${index}` }));
    await expectError(await fetch(docs('jobs'), { method: 'POST', body: uploadForm(files) }), 400, 'DUPLICATE_FILE_NAME', /"f0\.md" \(2 times\)/);
    expect((await (await fetch(`${sift.url}/v1/jobs`)).json()).total).toBe(0);
  });

  it('refuses impossible usage dates and a range that ends before it starts', async () => {
    await expectError(await fetch(`${sift.url}/v1/usage?from=2024-13-45`), 400, 'VALIDATION_FAILED', /from: 2024-13-45 is not a calendar day/);
    await expectError(await fetch(`${sift.url}/v1/usage?to=2023-02-29`), 400, 'VALIDATION_FAILED', /not a calendar day/);
    await expectError(await fetch(`${sift.url}/v1/usage?from=2024-06-02&to=2024-06-01`), 400, 'VALIDATION_FAILED', /from must not be after to/);
    expect((await fetch(`${sift.url}/v1/usage?from=2024-02-29&to=2024-03-01`)).status).toBe(200);
  });
});
