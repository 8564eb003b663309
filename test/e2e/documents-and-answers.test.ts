// The walking skeleton as a user meets it: upload documents, search and ask over HTTP, and
// re-upload to update them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

const HANDBOOK = `# Travel handbook

## Expenses

Hotel stays are reimbursed up to 180 euros per night. Keep every receipt and submit the claim within 30 days of returning.

## Booking

Book trains through the internal portal at least one week ahead.
`;

const KITCHEN = `<!doctype html><html><head><title>Office kitchen rules</title><script>track()</script></head>
<body><nav>Home | About</nav><main><h1>Kitchen</h1><p>The dishwasher runs every evening at six. Label your food with your name and the date.</p></main>
<footer>Copyright ACME</footer></body></html>`;

const PARKING = 'Parking spaces in the garage are assigned by seniority.\n\nVisitors park on level minus two and register at reception.';

describe('documents and answers over HTTP', () => {
  let sift: RunningSift;
  const docs = () => `${sift.url}/v1/collections/handbook/documents`;

  beforeAll(async () => {
    sift = await startSift();
  });
  afterAll(async () => {
    await sift.stop();
  });

  it('uploads three documents and answers a question with a citation of the right one', async () => {
    const upload = await fetch(docs(), {
      method: 'POST',
      body: uploadForm([
        { name: 'travel.md', content: HANDBOOK },
        { name: 'kitchen.html', content: KITCHEN },
        { name: 'parking.txt', content: PARKING },
      ]),
    });
    expect(upload.status).toBe(200);
    const uploaded = await upload.json();
    expect(uploaded.documents.map((d: { status: string }) => d.status)).toEqual(['created', 'created', 'created']);
    expect(uploaded.summary).toEqual({ created: 3, updated: 0, unchanged: 0, failed: 0 });

    const response = await postJson(`${sift.url}/v1/collections/handbook/ask`, { question: 'How much is reimbursed for a hotel night?' });
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer.found).toBe(true);
    expect(answer.answer).toContain('180 euros');
    expect(answer.answer).toMatch(/\[1\]/);
    expect(answer.citations[0]).toMatchObject({ n: 1, source: 'travel.md', headingPath: ['Travel handbook', 'Expenses'] });
    expect(answer.citations[0].documentId).toBe(uploaded.documents[0].documentId);
    expect(answer.mode).toBe('extractive');
    expect(answer.note).toMatch(/GENERATION_PROVIDER/);
    expect(answer.trace.stages.map((s: { stage: string }) => s.stage)).toEqual(['lexical', 'extractive-answer']);
    // The first search of a collection starts its in-memory index; FTS5 answers meanwhile, and the trace says so.
    expect(answer.trace.stages[0].detail).toEqual({ candidates: expect.any(Number), path: 'fts5', reason: expect.stringMatching(/index building/) });
  });

  it('extracts the main text of HTML and keeps its title, without navigation or scripts', async () => {
    const response = await postJson(`${sift.url}/v1/collections/handbook/search`, { query: 'dishwasher evening', topK: 3 });
    const body = await response.json();
    const top = body.results[0];
    expect(top).toMatchObject({ source: 'kitchen.html', title: 'Office kitchen rules', retrievalRank: 1, rerankRank: null });
    expect(top.text).toContain('dishwasher runs every evening');
    expect(top.text).not.toMatch(/track\(\)|Home \| About|Copyright/);
    for (const noise of ['track', 'copyright']) {
      const found = await (await postJson(`${sift.url}/v1/collections/handbook/search`, { query: noise })).json();
      expect(found.results).toEqual([]);
    }
  });

  it('answers "not found" with no citations when nothing matches', async () => {
    const answer = await (await postJson(`${sift.url}/v1/collections/handbook/ask`, { question: 'What is the quarterly revenue forecast?' })).json();
    expect(answer.found).toBe(false);
    expect(answer.answer).toMatch(/not found in the documents/i);
    expect(answer.citations).toEqual([]);
  });

  it('says unchanged for an identical re-upload and replaces the text of an edited one', async () => {
    const again = await (await fetch(docs(), { method: 'POST', body: uploadForm([{ name: 'parking.txt', content: PARKING }]) })).json();
    expect(again.documents[0].status).toBe('unchanged');

    const edited = PARKING.replace('level minus two', 'the rooftop deck');
    const update = await (await fetch(docs(), { method: 'POST', body: uploadForm([{ name: 'parking.txt', content: edited }]) })).json();
    expect(update.documents[0]).toMatchObject({ status: 'updated', documentId: again.documents[0].documentId });

    const old = await (await postJson(`${sift.url}/v1/collections/handbook/search`, { query: 'minus two level' })).json();
    expect(old.results.map((r: { text: string }) => r.text).join(' ')).not.toContain('minus two');
    const fresh = await (await postJson(`${sift.url}/v1/collections/handbook/search`, { query: 'rooftop deck' })).json();
    expect(fresh.results[0].text).toContain('rooftop deck');

    const document = await (await fetch(`${docs()}/${update.documents[0].documentId}`)).json();
    expect(document).toMatchObject({ source: 'parking.txt', version: 2, chunkCount: 1 });
    expect(document.chunks[0].text).toContain('rooftop');
  });

  it('re-indexes an unchanged file when its metadata changes, and filters on metadata', async () => {
    const form = uploadForm([{ name: 'parking.txt', content: PARKING.replace('level minus two', 'the rooftop deck') }], { site: 'berlin', floor: 3 });
    const result = await (await fetch(docs(), { method: 'POST', body: form })).json();
    expect(result.documents[0].status).toBe('updated');

    const berlin = await (await postJson(`${sift.url}/v1/collections/handbook/search`, { query: 'parking visitors', filter: { site: 'berlin' } })).json();
    expect(berlin.results.map((r: { source: string }) => r.source)).toEqual(['parking.txt']);
    expect(berlin.results[0].metadata).toEqual({ site: 'berlin', floor: 3 });
    const paris = await (await postJson(`${sift.url}/v1/collections/handbook/search`, { query: 'parking visitors', filter: { site: 'paris' } })).json();
    expect(paris.results).toEqual([]);
  });

  it('lists, reads and deletes documents and collections', async () => {
    const listed = await (await fetch(docs())).json();
    expect(listed.total).toBe(3);
    expect(listed.documents.map((d: { source: string }) => d.source)).toEqual(['kitchen.html', 'parking.txt', 'travel.md']);

    const collections = await (await fetch(`${sift.url}/v1/collections`)).json();
    expect(collections.collections).toEqual([expect.objectContaining({ name: 'handbook', documentCount: 3 })]);

    const kitchen = listed.documents[0];
    expect((await fetch(`${docs()}/${kitchen.id}`, { method: 'DELETE' })).status).toBe(200);
    const missing = await fetch(`${docs()}/${kitchen.id}`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('DOCUMENT_NOT_FOUND');
    const search = await (await postJson(`${sift.url}/v1/collections/handbook/search`, { query: 'dishwasher' })).json();
    expect(search.results).toEqual([]);

    expect((await fetch(`${sift.url}/v1/collections/handbook`, { method: 'DELETE' })).status).toBe(200);
    const gone = await postJson(`${sift.url}/v1/collections/handbook/search`, { query: 'hotel' });
    expect(gone.status).toBe(404);
    expect((await gone.json()).error.code).toBe('COLLECTION_NOT_FOUND');
  });
});
