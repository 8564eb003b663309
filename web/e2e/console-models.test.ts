// The console against the fake Gemini (embeddings, rerank and generation through the real
// LangChain clients): a generated answer streamed in pieces with citations, rerank moves in
// search, the trace with tokens and cost per stage, the usage chart and the settings; a large
// upload followed as a background job; and the console at a phone's width.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startFakeGemini, type FakeGemini } from '../../test/fakes/fake-gemini.js';
import { readPrompt } from '../../test/fakes/fake-model.js';
import type { RunningSift } from '../../test/helpers/sift-server.js';
import type { Browser } from './helpers/chromium.js';
import { HANDBOOK, openConsoleSession, screenshot, visible, type ConsoleSession } from './helpers/console-page.js';

describe('the console with models (fake Gemini)', () => {
  let fake: FakeGemini;
  let session: ConsoleSession;
  let sift: RunningSift;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // Pauses between stream events, so the answer is on screen in pieces before it is done.
    fake = await startFakeGemini({ chunkDelayMs: 250, streamChunks: 5 });
    // A rerank model that reverses the retrieval order, so every move is visible.
    fake.setResponder((request) => {
      if (!JSON.stringify(request.schema ?? '').includes('ranking')) return undefined;
      return JSON.stringify({ ranking: readPrompt(request.prompt).passages.map((passage) => passage.id).reverse() });
    });
    ({ sift, browser, page } = session = await openConsoleSession({
      EMBEDDINGS_PROVIDER: 'gemini',
      RERANK_PROVIDER: 'gemini',
      GENERATION_PROVIDER: 'gemini',
      GOOGLE_API_KEY: 'test-key',
      GEMINI_BASE_URL: fake.url,
      JOB_THRESHOLD_FILES: '2',
      RERANK_CACHE_SIZE: '0',
    }));
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
  });

  it('follows a large upload as a background job with a live progress bar, then shows each file', async () => {
    await page.goto(`${sift.url}/collections`);
    await page.getByLabel('New collection name').fill('handbook');
    await page.locator('input[name="files"]').setInputFiles(HANDBOOK);
    await page.getByRole('button', { name: 'Upload 3 files' }).click();
    const job = page.getByRole('region', { name: /^Job / });
    await visible(job.getByRole('progressbar', { name: 'Files ingested' }));
    await visible(job.locator('.state-succeeded'));
    expect(await job.locator('.progress-text').textContent()).toBe('3 / 3 (100%)');
    expect(await job.locator('table.outcomes tbody tr[data-status="created"]').count()).toBe(3);
    await screenshot(page, 'upload-job');
    await page.goto(`${sift.url}/jobs`);
    await visible(page.getByRole('heading', { name: 'Recent jobs' }));
    expect(await page.locator('table tbody tr').first().textContent()).toMatch(/ingest.*succeeded.*3 \/ 3/);
    await screenshot(page, 'jobs');
  });

  it('streams a generated answer in pieces, with citation markers that open the passage', async () => {
    await page.goto(`${sift.url}/collections/handbook/ask`);
    const question = page.getByLabel('Question');
    await question.fill('How much is reimbursed for a hotel night?');
    await question.press('Enter');
    // Part of the answer is on screen while the answer is still being written.
    // (Code as text: it runs in the page, whose DOM this Node program's types do not describe.)
    await page.waitForFunction(`(() => {
      const streaming = document.querySelector('[data-testid="streaming-answer"]');
      return Boolean(streaming?.closest('[aria-busy="true"]')) && (streaming.textContent ?? '').length > 0;
    })()`);
    const answer = page.getByRole('article', { name: 'Answer to: How much is reimbursed for a hotel night?' });
    await visible(answer.getByText('Generated answer'), 20_000);
    expect(await answer.locator('.answer-text').textContent()).toContain('180');
    await answer.locator('button.cite').first().click();
    const dialog = page.getByRole('dialog');
    await visible(dialog);
    expect(await dialog.textContent()).toMatch(/travel\.md/);
    await page.keyboard.press('Escape');

    // The trace: every stage of the answer, tokens and cost where a model worked.
    await answer.getByText(/^Trace:/).click();
    const trace = answer.getByRole('region', { name: 'Answer trace' });
    await visible(trace);
    const stages = await trace.locator('tbody tr[data-stage]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-stage')));
    expect(stages).toEqual(expect.arrayContaining(['embed-query', 'lexical', 'dense', 'generate']));
    const generate = await trace.locator('tr[data-stage="generate"]').textContent();
    expect(generate).toMatch(/\d+ \/ \d+/);
    expect(generate).toMatch(/\$\d/);
    expect(generate).toContain('gemini gemini-3.1-flash-lite');
    expect(await trace.locator('caption').textContent()).toMatch(/tokens, about \$/);
    await screenshot(page, 'ask-generated');
  });

  it('asks a follow-up with the conversation so far, and shows the query it was rewritten into', async () => {
    const question = page.getByLabel('Question');
    await question.fill('And for train tickets?');
    await question.press('Enter');
    const answer = page.getByRole('article', { name: 'Answer to: And for train tickets?' });
    await visible(answer.locator('.answer-badges'), 20_000);
    const rewritten = await answer.getByTestId('rewritten-query').textContent();
    expect(rewritten).toMatch(/^Searched for “.*train.*” \(the follow-up rewritten by (the model|rule)\)$/i);
    await answer.getByText(/^Trace:/).click();
    const rewrite = await answer.getByRole('region', { name: 'Answer trace' }).locator('tr[data-stage="rewrite"]').textContent();
    expect(rewrite).toMatch(/method (model|rule)/);
    await screenshot(page, 'ask-follow-up');
  });

  it('shows how the rerank moved each passage, with every score', async () => {
    await page.goto(`${sift.url}/collections/handbook/search`);
    await page.getByLabel('Query').fill('reimbursed train tickets hotel');
    await page.getByLabel('Rerank', { exact: true }).check();
    await page.getByRole('button', { name: 'Search' }).click();
    await visible(page.getByText(/passages, hybrid retrieval, reranked\./), 20_000);
    const moves = await page.locator('table.results .movement').allTextContents();
    expect(moves.length).toBeGreaterThan(1);
    // Reversed by the model: the last retrieved comes first.
    expect(moves[0]).toMatch(new RegExp(`^${moves.length} → 1`));
    expect(await page.locator('table.results .movement.up').count()).toBeGreaterThan(0);
    const firstRow = await page.locator('table.results tbody tr').first().locator('td.number').allTextContents();
    // Rank, lexical, dense, fused, rerank: dense and fused are scores, not dashes.
    expect(firstRow[2]).toMatch(/^\d\.\d{4}$/);
    expect(firstRow[3]).toMatch(/^\d\.\d{4}$/);
    const rerank = await page.getByRole('region', { name: 'Search trace' }).locator('tr[data-stage="rerank"]').textContent();
    expect(rerank).toMatch(/listwise complete, 1 call in 1 round trip/);
    await screenshot(page, 'search-reranked');
  });

  it('charts usage by day and stage, with totals by stage and model', async () => {
    await page.goto(`${sift.url}/usage`);
    await visible(page.getByTestId('usage-totals'));
    expect(await page.getByTestId('usage-totals').textContent()).toMatch(/model calls .* about \$/);
    await visible(page.locator('.usage-chart canvas'));
    const byStage = page.locator('table', { has: page.locator('caption', { hasText: 'By stage' }) });
    expect(await byStage.locator('tbody th').allTextContents()).toEqual(expect.arrayContaining(['embed', 'generate', 'rerank']));
    await page.locator('label', { has: page.getByText('By', { exact: true }) }).locator('select').selectOption('model');
    await visible(page.getByRole('img', { name: /by day and model/ }));
    await screenshot(page, 'usage');
  });

  it('says which model serves each stage', async () => {
    await page.goto(`${sift.url}/settings`);
    const generation = page.locator('tr[data-stage="generation"]');
    await visible(generation);
    expect(await generation.textContent()).toMatch(/gemini.*gemini-3\.1-flash-lite.*written answers/);
    expect(await page.locator('dl').first().textContent()).toMatch(/hybrid/);
    await screenshot(page, 'settings');
  });

  it('fits a phone\'s width: nothing wider than the screen but the tables that scroll', async () => {
    const phone = await browser.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/collections', '/collections/handbook/ask', '/usage', '/settings']) {
      await phone.goto(`${sift.url}${path}`);
      await visible(phone.locator('main h1'));
      const wider = await phone.evaluate<string[]>(`[...document.querySelectorAll('body *')]
        .filter((element) => !element.closest('.table-scroll') && element.getBoundingClientRect().right > window.innerWidth + 1)
        .map((element) => element.tagName.toLowerCase() + '.' + element.className + ' ends at ' + Math.round(element.getBoundingClientRect().right))`);
      expect(wider, path).toEqual([]);
      expect(await phone.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'), path).toBeLessThanOrEqual(0);
    }
    await screenshot(phone, 'phone-ask');
    await phone.close();
  });

  it('reported no script error or blocked resource in any page', () => {
    expect(browser.problems).toEqual([]);
  });
});
