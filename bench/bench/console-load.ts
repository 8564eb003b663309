// The web console's weight and speed (`npm run bench -- --only console`): the gzipped size of
// what a first visit loads, and the time from navigation to an interactive page in Debian's
// Chromium against the built server (`node dist/src/main.js`) holding a collection of 10,000
// documents. Each navigation starts with the browser cache cleared, so every one is a first
// visit; "interactive" is the moment the page's data is on screen (the documents table's
// first row, the collections table), measured from just before the navigation.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromiumContext } from '../common/chromium.js';
import { percentile, round } from '../common/report.js';
import { ingestCorpus, openSiftContext } from '../common/sift-context.js';
import { startSiftServer } from './sift-server.js';

const COLLECTION = 'console';

export interface ConsoleLoadResult {
  documents: number;
  /** What index.html makes a first visit fetch: the entry script and the stylesheet, gzipped. */
  initialJsGzipBytes: number;
  initialCssGzipBytes: number;
  navigations: number;
  collectionsPage: { p50Ms: number; p90Ms: number };
  documentsPage: { p50Ms: number; p90Ms: number };
  /** GET /v1/collections/{c}/documents, 50 rows, the last page sorted by updatedAt descending. */
  deepSortedPageP50Ms: number;
}

/** The console's initial assets as index.html names them, gzipped as a server would send them. */
export function initialAssetSizes(webDir: string): { js: number; css: number } {
  const html = readFileSync(join(webDir, 'index.html'), 'utf8');
  const named = (pattern: RegExp) => [...html.matchAll(pattern)].map((match) => match[1]!);
  const gzipped = (paths: string[]) => paths.reduce((sum, path) => sum + gzipSync(readFileSync(join(webDir, path))).length, 0);
  return {
    js: gzipped([...named(/<script[^>]+src="\/([^"]+\.js)"/g), ...named(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g)]),
    css: gzipped(named(/<link[^>]+rel="stylesheet"[^>]+href="\/([^"]+)"/g)),
  };
}

function* syntheticDocuments(count: number) {
  for (let i = 0; i < count; i += 1) {
    const id = `doc-${String(i).padStart(5, '0')}.txt`;
    yield { id, title: `Note ${i}`, text: `Note ${i} about topic ${i % 97}: the ${i % 2 === 0 ? 'hotel' : 'train'} policy, paragraph ${i}.` };
  }
}

export async function measureConsoleLoad(repoRoot: string, log: (line: string) => void, options = { documents: 10_000, navigations: 15 }): Promise<ConsoleLoadResult> {
  const sizes = initialAssetSizes(join(repoRoot, 'dist/web'));
  log(`console: writing ${options.documents} documents ...`);
  const context = await openSiftContext();
  await ingestCorpus(context.ingestion, COLLECTION, syntheticDocuments(options.documents));
  await context.close({ keepData: true });
  const server = await startSiftServer(repoRoot, context.dataDir);
  const browser = await launchChromiumContext();
  try {
    const base = `http://${server.host}:${server.port}`;
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    const timeToData = async (path: string, selector: string) => {
      await cdp.send('Network.clearBrowserCache');
      const started = performance.now();
      await page.goto(`${base}${path}`, { waitUntil: 'commit' });
      await page.locator(selector).first().waitFor({ state: 'visible' });
      return performance.now() - started;
    };
    // One unmeasured visit of each page, so the server's first-request work is not counted.
    await timeToData('/collections', 'table.collections tbody tr');
    await timeToData(`/collections/${COLLECTION}`, 'table.documents tbody tr');
    const collections: number[] = [];
    const documents: number[] = [];
    log(`console: ${options.navigations} navigations of each page ...`);
    for (let i = 0; i < options.navigations; i += 1) {
      collections.push(await timeToData('/collections', 'table.collections tbody tr'));
      documents.push(await timeToData(`/collections/${COLLECTION}`, 'table.documents tbody tr'));
    }
    const deep: number[] = [];
    const offset = options.documents - 50;
    for (let i = 0; i < 50; i += 1) {
      const started = performance.now();
      const response = await fetch(`${base}/v1/collections/${COLLECTION}/documents?limit=50&offset=${offset}&sort=updatedAt&order=desc`);
      await response.arrayBuffer();
      deep.push(performance.now() - started);
    }
    const summary = (samples: number[]) => ({ p50Ms: round(percentile(samples, 0.5), 1), p90Ms: round(percentile(samples, 0.9), 1) });
    return {
      documents: options.documents,
      initialJsGzipBytes: sizes.js,
      initialCssGzipBytes: sizes.css,
      navigations: options.navigations,
      collectionsPage: summary(collections),
      documentsPage: summary(documents),
      deepSortedPageP50Ms: round(percentile(deep, 0.5), 2),
    };
  } finally {
    await browser.close();
    await server.stop();
    rmSync(context.dataDir, { recursive: true, force: true });
  }
}

export function consoleLoadRows(result: ConsoleLoadResult): string[] {
  return [
    `console initial load, gzipped: ${(result.initialJsGzipBytes / 1024).toFixed(1)} KB JavaScript + ${(result.initialCssGzipBytes / 1024).toFixed(1)} KB CSS (budget 200 KB of JavaScript)`,
    `navigation to interactive, cache cleared, ${result.navigations} runs: collections page p50 ${result.collectionsPage.p50Ms} ms (p90 ${result.collectionsPage.p90Ms} ms); documents page of a ${result.documents.toLocaleString('en-US')}-document collection p50 ${result.documentsPage.p50Ms} ms (p90 ${result.documentsPage.p90Ms} ms)`,
    `last page of ${result.documents.toLocaleString('en-US')} documents sorted by update time, GET p50 ${result.deepSortedPageP50Ms} ms`,
  ];
}
