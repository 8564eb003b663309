// With SIFT_API_KEYS set the console loads without a key, asks for one, refuses a wrong one
// with the server's message, keeps a right one for the browser session and sends it on every
// call; forgetting it asks again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RunningSift } from '../../test/helpers/sift-server.js';
import type { Browser } from './helpers/chromium.js';
import { openConsoleSession, screenshot, visible, type ConsoleSession } from './helpers/console-page.js';

describe('the console with API keys', () => {
  const KEY = 'right-key-123';
  let session: ConsoleSession;
  let sift: RunningSift;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ sift, browser, page } = session = await openConsoleSession({ SIFT_API_KEYS: `other-key,${KEY}` }));
  }, 120_000);
  afterAll(() => session?.close());

  it('asks for a key, refuses a wrong one, and works with the right one', async () => {
    const authorizations: Array<string | undefined> = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/v1/')) authorizations.push(request.headers().authorization);
    });
    await page.goto(`${sift.url}/collections`);
    await visible(page.getByRole('heading', { name: 'API key needed' }));
    expect(await page.locator('.key-prompt').textContent()).toContain('This server requires an API key');
    await screenshot(page, 'key-prompt');

    const input = page.getByLabel('API key');
    await input.fill('wrong-key');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await visible(page.getByRole('alert'));
    expect(await page.getByRole('alert').textContent()).toMatch(/^Refused: The API key is not valid\b/);
    expect(await input.getAttribute('aria-invalid')).toBe('true');

    await input.fill(KEY);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await visible(page.getByRole('heading', { name: 'Collections' }));
    await visible(page.getByText('No collections yet'));
    expect(authorizations.at(-1)).toBe(`Bearer ${KEY}`);

    // Kept for the session: another page of the console needs no second prompt.
    await page.goto(`${sift.url}/settings`);
    await visible(page.locator('tr[data-stage="generation"]'));
    expect(await page.locator('dl').first().textContent()).toContain('required on every /v1 call');
    expect(authorizations.at(-1)).toBe(`Bearer ${KEY}`);
  });

  it('asks again once the key is forgotten, or when the server stops taking the stored one', async () => {
    await page.getByRole('button', { name: 'Forget API key' }).click();
    await visible(page.getByRole('heading', { name: 'API key needed' }));
    await page.evaluate(() => sessionStorage.setItem('sift.apiKey', 'revoked-key'));
    await page.goto(`${sift.url}/usage`);
    await visible(page.getByRole('heading', { name: 'API key needed' }));
    expect(await page.locator('.key-prompt').textContent()).toMatch(/The server refused the key kept for this session: The API key is not valid\b/);
  });

  it('shows the server\'s refusal where a read-only key tries to write', async () => {
    const created = await fetch(`${sift.url}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'reader', role: 'read' }),
    });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };
    await page.goto(`${sift.url}/collections`);
    await page.getByLabel('API key').fill(secret);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await visible(page.getByText('No collections yet'));
    await page.getByLabel('New collection name').fill('notes');
    await page.locator('input[name="files"]').setInputFiles([{ name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('A note.') }]);
    await page.getByRole('button', { name: 'Upload 1 file' }).click();
    const alert = page.getByRole('alert');
    await visible(alert);
    expect(await alert.textContent()).toMatch(/needs a key with the write role.*FORBIDDEN/);
  });

  it('reported no script error or blocked resource in any page', () => {
    expect(browser.problems).toEqual([]);
  });
});
