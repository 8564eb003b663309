// The browser for the console's tests: a real Chromium (bench/common/chromium.ts), whose pages
// report every script error, console error and failed request, so a test can insist on none.
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromiumContext } from '../../../bench/common/chromium.js';

export interface Browser {
  context: BrowserContext;
  /** A new tab whose problems are collected in `problems`. */
  newPage(): Promise<Page>;
  /** Problems pages reported: console errors, page errors, failed requests (CSP blocks included). */
  problems: string[];
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const launched = await launchChromiumContext(viewport);
  const problems: string[] = [];
  return {
    context: launched.context,
    problems,
    async newPage() {
      const page = await launched.context.newPage();
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
    close: launched.close,
  };
}
