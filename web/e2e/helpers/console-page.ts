// What the browser tests share: a console server on a fresh data directory with the built
// console, a browser, screenshots into .test-output/console/, and small waits on the page.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { launchChromium, type Browser } from './chromium.js';
import { startSift, type RunningSift } from '../../../test/helpers/sift-server.js';
import { builtConsole } from './built-console.js';

export const SCREENSHOTS = fileURLToPath(new URL('../../../.test-output/console/', import.meta.url));

/** Sift with the console built from the current sources. */
export function startConsoleServer(env: Record<string, string> = {}): Promise<RunningSift> {
  return startSift({ SIFT_UI_DIR: builtConsole(), ...env });
}

export interface ConsoleSession {
  sift: RunningSift;
  browser: Browser;
  /** A first tab; tests open more from `browser`. */
  page: Page;
  close(): Promise<void>;
}

/** A console server, a browser and a tab on it, for one test file. */
export async function openConsoleSession(env: Record<string, string> = {}): Promise<ConsoleSession> {
  const sift = await startConsoleServer(env);
  const browser = await launchChromium().catch(async (error: unknown) => {
    await sift.stop();
    throw error;
  });
  const page = await browser.newPage();
  return {
    sift,
    browser,
    page,
    async close() {
      await browser.close();
      await sift.stop();
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Waits for the locator to be visible; a guard against hanging, not a timing assertion. */
export async function visible(locator: Locator, timeout = 10_000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator;
}

export async function gone(locator: Locator, timeout = 10_000): Promise<void> {
  await locator.first().waitFor({ state: 'detached', timeout });
}

export const HANDBOOK = [
  {
    name: 'travel.md',
    mimeType: 'text/markdown',
    buffer: Buffer.from(
      '# Travel handbook\n\n## Expenses\n\nHotel stays are reimbursed up to 180 euros per night. Keep the receipt of every hotel night.\n\n## Trains\n\nSecond class train tickets are reimbursed in full. First class train tickets need a manager\'s approval.\n',
    ),
  },
  {
    name: 'kitchen.html',
    mimeType: 'text/html',
    buffer: Buffer.from('<html><head><title>Kitchen rules</title></head><body><h1>Kitchen rules</h1><h2>Coffee</h2><p>Clean the coffee machine every Friday afternoon.</p></body></html>'),
  },
  { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Parking: the garage closes at 22:00 on weekdays and is shut on Sundays.\n') },
];
