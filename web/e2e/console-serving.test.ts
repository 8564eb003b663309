// The web console is served from the API's own process and port: its pages answer index.html,
// its assets are immutable files, and nothing it adds shadows an API route, a 404 or 405 of
// the API, or the OpenAPI docs. With API keys set, the console's files stay open (the console
// asks for the key) while the API still wants it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_PAGES } from '../../src/console/console-pages.js';
import { startSift, type RunningSift } from '../../test/helpers/sift-server.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

/** A stand-in for a built console: the server only reads index.html and the assets folder. */
function fakeBuild(): { path: string; remove: () => void } {
  const dir = makeTempDir('sift-console-');
  mkdirSync(join(dir.path, 'assets'));
  writeFileSync(join(dir.path, 'index.html'), '<!doctype html><title>Sift console</title><script type="module" src="/assets/index-abc123.js"></script>');
  writeFileSync(join(dir.path, 'assets', 'index-abc123.js'), 'console.log("sift")');
  writeFileSync(join(dir.path, 'assets', '.hidden'), 'secret');
  return dir;
}

describe('serving the console', () => {
  let build: ReturnType<typeof fakeBuild>;
  let sift: RunningSift;
  const KEY = 'console-key';

  beforeAll(async () => {
    build = fakeBuild();
    sift = await startSift({ SIFT_UI_DIR: build.path, SIFT_API_KEYS: KEY });
  });
  afterAll(async () => {
    await sift.stop();
    build.remove();
  });

  it('answers every console page with the console, without a key, under a content security policy', async () => {
    for (const page of CONSOLE_PAGES) {
      const path = page.replace(':collection', 'handbook').replace(':id', 'doc-1');
      const response = await fetch(`${sift.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await response.text()).toContain('<title>Sift console</title>');
    }
  });

  it('serves assets as immutable files, gzipped for clients that take it, and nothing else from their folder', async () => {
    const asset = await fetch(`${sift.url}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'gzip, br' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect(await asset.text()).toBe('console.log("sift")');
    const plain = await fetch(`${sift.url}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe('console.log("sift")');
    for (const path of ['/assets/missing.js', '/assets/.hidden', '/assets/..%2Findex.html', '/assets/%2e%2e%2f%2e%2e%2fpackage.json']) {
      const response = await fetch(`${sift.url}${path}`);
      expect(response.status, path).toBe(404);
      expect((await response.json()).error.code).toBe('ROUTE_NOT_FOUND');
    }
  });

  it('leaves the API, its errors and the docs as they were', async () => {
    const auth = { authorization: `Bearer ${KEY}` };
    expect((await fetch(`${sift.url}/v1/collections`)).status).toBe(401);
    expect((await fetch(`${sift.url}/v1/collections`, { headers: auth })).status).toBe(200);
    const unknown = await fetch(`${sift.url}/v1/nothing-here`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('ROUTE_NOT_FOUND');
    const wrongMethod = await fetch(`${sift.url}/v1/collections/handbook/search`, { headers: auth });
    expect(wrongMethod.status).toBe(405);
    // Not console pages: no fallback answers them.
    for (const path of ['/collections/handbook/extra/deep', '/favicon.ico', '/Collections', '/index.html']) {
      const response = await fetch(`${sift.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toMatch(/json/);
    }
    expect((await fetch(`${sift.url}/docs/openapi.json`)).status).toBe(200);
    expect(await (await fetch(`${sift.url}/docs`)).text()).toMatch(/swagger/i);
  });
});

describe('without a console', () => {
  it('SIFT_UI=false leaves "/" to the API\'s 404', async () => {
    const build = fakeBuild();
    const sift = await startSift({ SIFT_UI_DIR: build.path, SIFT_UI: 'false' });
    try {
      const response = await fetch(`${sift.url}/`);
      expect(response.status).toBe(404);
      expect((await response.json()).error.code).toBe('ROUTE_NOT_FOUND');
      expect((await fetch(`${sift.url}/assets/index-abc123.js`)).status).toBe(404);
    } finally {
      await sift.stop();
      build.remove();
    }
  });

  it('says how to build the console when none is built', async () => {
    const empty = makeTempDir('sift-console-empty-');
    const sift = await startSift({ SIFT_UI_DIR: empty.path });
    try {
      const response = await fetch(`${sift.url}/collections`);
      expect(response.status).toBe(404);
      expect((await response.json()).error.message).toMatch(/npm run build/);
    } finally {
      await sift.stop();
      empty.remove();
    }
  });
});
