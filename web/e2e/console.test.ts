// The console end to end in a real Chromium over a booted Sift without models: upload three
// files through the file input and see their outcomes, browse and sort the documents, open
// one's chunks, ask and follow up with citations that open their passage, see "not found" as
// such and the trace, search with a filter, delete a document and see it gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RunningSift } from '../../test/helpers/sift-server.js';
import type { Browser } from './helpers/chromium.js';
import { gone, HANDBOOK, openConsoleSession, screenshot, visible, type ConsoleSession } from './helpers/console-page.js';

describe('the console in a browser, no model configured', () => {
  let session: ConsoleSession;
  let sift: RunningSift;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ sift, browser, page } = session = await openConsoleSession());
  }, 120_000);
  afterAll(() => session?.close());

  it('creates a collection by uploading three files through the file input and shows each outcome', async () => {
    await page.goto(`${sift.url}/`);
    await visible(page.getByRole('heading', { name: 'Collections' }));
    await visible(page.getByText('No collections yet'));
    await page.getByLabel('New collection name').fill('handbook');
    await page.locator('input[name="files"]').setInputFiles(HANDBOOK);
    await visible(page.getByText('3 files'));
    await page.getByRole('button', { name: 'Upload 3 files' }).click();
    await visible(page.getByText('3 created, 0 updated, 0 unchanged, 0 failed.'));
    const rows = page.locator('table.outcomes tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await page.locator('table.outcomes tbody tr[data-status="created"]').count()).toBe(3);
    // The new collection is listed with its counts.
    await visible(page.locator('table.collections').getByRole('link', { name: 'handbook' }));
    const row = page.locator('table.collections tbody tr').first();
    expect(await row.locator('td.number').allTextContents()).toEqual(['3', expect.stringMatching(/^\d+$/)]);
    // Last update: the newest document's, through the documents list sorted on the server.
    await visible(row.locator('td', { hasText: new Date().getUTCFullYear().toString() }).first());
    await screenshot(page, 'collections');
  });

  it('shows a failed file with the server\'s message beside the ones that landed', async () => {
    await page.goto(`${sift.url}/collections/handbook`);
    await page.locator('input[name="files"]').setInputFiles([
      HANDBOOK[2]!,
      { name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) },
    ]);
    await page.getByRole('button', { name: 'Upload 2 files' }).click();
    await visible(page.getByText('0 created, 0 updated, 1 unchanged, 1 failed.'));
    const failed = page.locator('table.outcomes tbody tr[data-status="failed"]');
    expect(await failed.textContent()).toMatch(/empty\.txt.*failed.*EMPTY_FILE/);
  });

  it('lists the documents a page at a time, sorts them on the server, and opens one with its chunks', async () => {
    await page.goto(`${sift.url}/collections/handbook`);
    await visible(page.getByText('1–3 of 3 documents'));
    const sources = () => page.locator('table.documents tbody th[scope="row"] a').allTextContents();
    expect(await sources()).toEqual(['kitchen.html', 'notes.txt', 'travel.md']);
    await page.getByRole('button', { name: 'Source' }).click();
    await visible(page.locator('table.documents tbody tr:first-child th a', { hasText: 'travel.md' }));
    expect(await sources()).toEqual(['travel.md', 'notes.txt', 'kitchen.html']);
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('Source');
    await screenshot(page, 'documents');

    await page.getByRole('link', { name: 'travel.md' }).click();
    await visible(page.getByRole('heading', { name: /chunks$/ }));
    const firstChunk = await page.locator('.chunk').first().textContent();
    // The handbook's two small sections share one chunk, under the path they share.
    expect(firstChunk).toMatch(/^#1 · Travel handbook · \d+ tokens · \d+ characters.*Expenses.*Trains/s);
    await screenshot(page, 'document');
  });

  it('answers with a streamed, cited answer whose marker opens the passage, then a follow-up', async () => {
    await page.goto(`${sift.url}/collections/handbook/ask`);
    await visible(page.getByTestId('history-support').filter({ hasText: /\S/ }));
    const question = page.getByLabel('Question');
    await question.fill('How much is reimbursed for a hotel night?');
    await question.press('Enter');
    const answer = page.getByRole('article', { name: 'Answer to: How much is reimbursed for a hotel night?' });
    await visible(answer.getByText('Extractive answer'));
    expect(await answer.locator('.answer-text').textContent()).toContain('180 euros');
    // The note says what a configured model would add.
    expect(await answer.locator('.note').textContent()).toMatch(/GENERATION_PROVIDER/);

    await answer.locator('button.cite').first().click();
    const dialog = page.getByRole('dialog');
    await visible(dialog);
    expect(await dialog.textContent()).toMatch(/travel\.md.*Travel handbook › Expenses.*180 euros/s);
    await screenshot(page, 'citation');
    await page.keyboard.press('Escape');
    await gone(page.locator('dialog[open]'));

    await question.fill('And are train tickets reimbursed?');
    await question.press('Enter');
    const followUp = page.getByRole('article', { name: 'Answer to: And are train tickets reimbursed?' });
    await visible(followUp.getByText('Extractive answer'));
    expect(await followUp.locator('.answer-text').textContent()).toMatch(/train tickets/i);
    expect(await page.locator('.conversation > li').count()).toBe(2);

    // The trace of an answer: its stages with times, opened from the answer.
    await followUp.getByText(/^Trace:/).click();
    const trace = followUp.getByRole('region', { name: 'Answer trace' });
    await visible(trace);
    // This server's ask takes history: the follow-up went with the first turn, and its rewrite is a stage.
    expect(await page.getByTestId('history-support').textContent()).toMatch(/^Follow-up questions are sent/);
    expect(await trace.locator('tbody tr[data-stage]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-stage')))).toEqual(['rewrite', 'lexical', 'extractive-answer']);
    expect(await trace.locator('tr[data-stage="rewrite"]').textContent()).toMatch(/method (rule|none)/);
    expect(await trace.locator('caption').textContent()).toMatch(/ms in all, no model tokens/);
    await screenshot(page, 'ask');
  });

  it('shows "not found in the documents" as such, without citations', async () => {
    // A new conversation: no earlier turn lends the question its terms.
    await page.getByRole('button', { name: 'New conversation' }).click();
    expect(await page.locator('.conversation > li').count()).toBe(0);
    const question = page.getByLabel('Question');
    await question.fill('What is the capital of Mongolia?');
    await question.press('Enter');
    const answer = page.getByRole('article', { name: 'Answer to: What is the capital of Mongolia?' });
    await visible(answer.locator('.not-found'));
    expect(await answer.locator('.not-found').textContent()).toMatch(/^Not found in the documents/);
    expect(await answer.locator('button.cite').count()).toBe(0);
  });

  it('searches with a metadata filter and shows the scores and the trace', async () => {
    await page.goto(`${sift.url}/collections/handbook/search`);
    await page.getByLabel('Query').fill('reimbursed');
    await page.getByRole('button', { name: 'Search' }).click();
    await visible(page.getByText(/passages, lexical retrieval\./));
    expect(await page.locator('table.results tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('table.results tbody tr').first().textContent()).toContain('travel.md');
    await visible(page.getByRole('region', { name: 'Search trace' }));

    await page.getByRole('button', { name: 'Add a filter' }).click();
    await page.getByLabel('Key').fill('source');
    await page.getByLabel('Value(s)').fill('notes.txt');
    await page.getByRole('button', { name: 'Search' }).click();
    await visible(page.getByText('0 passages, lexical retrieval.'));
    await screenshot(page, 'search');
  });

  it('shows the server\'s own message when a request fails', async () => {
    await page.goto(`${sift.url}/collections/no-such-collection`);
    const alert = page.getByRole('alert');
    await visible(alert);
    expect(await alert.textContent()).toMatch(/Collection "no-such-collection" does not exist.*COLLECTION_NOT_FOUND/);
  });

  it('deletes a document after confirmation and no longer lists it', async () => {
    await page.goto(`${sift.url}/collections/handbook`);
    await visible(page.getByText('1–3 of 3 documents'));
    await page.getByRole('button', { name: 'Delete notes.txt' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete notes.txt' });
    await visible(dialog);
    await dialog.getByRole('button', { name: 'Delete document' }).click();
    await visible(page.getByText('1–2 of 2 documents'));
    expect(await page.locator('table.documents tbody th a').allTextContents()).toEqual(['kitchen.html', 'travel.md']);
    const listed = await (await fetch(`${sift.url}/v1/collections/handbook/documents`)).json();
    expect(listed.documents.map((document: { source: string }) => document.source)).toEqual(['kitchen.html', 'travel.md']);
  });

  it('works from the keyboard: the skip link and the navigation take focus in order', async () => {
    await page.goto(`${sift.url}/collections`);
    await visible(page.getByRole('heading', { name: 'Collections' }));
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Collections');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await visible(page.getByRole('heading', { name: 'Jobs' }));
    expect(new URL(page.url()).pathname).toBe('/jobs');
  });

  it('sends the answered turns as history once the server\'s OpenAPI document says ask takes them', async () => {
    const tab = await browser.newPage();
    // A server with multi-turn ask lists `history` on the ask body; this one is made to say so.
    await tab.route('**/docs/openapi.json', async (route) => {
      const document = await (await route.fetch()).json();
      document.paths['/v1/collections/{collection}/ask'].post.requestBody.content['application/json'].schema.properties.history = { type: 'array' };
      await route.fulfill({ json: document });
    });
    const sent: unknown[] = [];
    tab.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/ask')) sent.push(request.postDataJSON());
    });
    await tab.goto(`${sift.url}/collections/handbook/ask`);
    await visible(tab.getByText('Follow-up questions are sent with the conversation so far'));
    const question = tab.getByLabel('Question');
    await question.fill('How much is reimbursed for a hotel night?');
    await question.press('Enter');
    await visible(tab.getByText('Extractive answer'));
    await question.fill('And train tickets?');
    await question.press('Enter');
    await visible(tab.locator('.conversation > li').nth(1).locator('.answer-badges, [role="alert"]'));
    expect(sent[0]).not.toHaveProperty('history');
    expect(sent[1]).toMatchObject({
      question: 'And train tickets?',
      history: [
        { role: 'user', content: 'How much is reimbursed for a hotel night?' },
        { role: 'assistant', content: expect.stringContaining('180 euros') },
      ],
    });
    await tab.close();
  });

  it('deletes a collection only after its confirmation, which can be cancelled', async () => {
    await page.goto(`${sift.url}/collections`);
    await page.getByRole('button', { name: 'Delete handbook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete handbook' });
    expect(await dialog.textContent()).toContain('Delete collection "handbook" with its 2 documents?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await gone(page.locator('dialog[open]'));
    expect((await (await fetch(`${sift.url}/v1/collections`)).json()).collections).toHaveLength(1);
    await page.getByRole('button', { name: 'Delete handbook' }).click();
    await dialog.getByRole('button', { name: 'Delete collection' }).click();
    await visible(page.getByText('No collections yet'));
    expect((await (await fetch(`${sift.url}/v1/collections`)).json()).collections).toEqual([]);
  });

  it('reported no script error or blocked resource in any page', () => {
    expect(browser.problems).toEqual([]);
  });
});
