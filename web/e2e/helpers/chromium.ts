// A real Chromium (Debian's package, /usr/bin/chromium) driven by playwright-core, with a fresh
// profile each time. The flags keep it from reaching for the network, which is closed here.
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { makeTempDir } from '../../../test/helpers/temp-dir.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  context: BrowserContext;
  /** A new tab that fails the test on any console error or uncaught exception in the page. */
  newPage(): Promise<Page>;
  /** Problems pages reported: console errors, page errors, CSP violations. */
  problems: string[];
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" (.ci/run does), or set CHROMIUM_PATH.`);
  }
  const profile = makeTempDir('sift-chromium-');
  const context = await chromium.launchPersistentContext(profile.path, { executablePath: CHROMIUM_PATH, headless: true, args: FLAGS, viewport });
  const problems: string[] = [];
  return {
    context,
    problems,
    async newPage() {
      const page = await context.newPage();
      page.on('console', (message) => {
        // An API answer of 4xx logs as a failed resource; the console shows those itself (tests check it).
        if (message.type() === 'error' && !/the server responded with a status of 4\d\d/.test(message.text())) problems.push(`console: ${message.text()}`);
      });
      page.on('requestfailed', (request) => {
        if (request.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      return page;
    },
    async close() {
      await context.close();
      profile.remove();
    },
  };
}
