// With API keys configured, no spelling of a path and no method reaches a protected route
// without a key. The routes come from the app's own route table, so a route added later is
// walked too; requests go out raw (node:http), so the client does not tidy the path first.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_PAGES } from '../../src/console/console-pages.js';
import { startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

const KEY = 'route-walk-key';
/** Open by design: probes, metrics, the OpenAPI UI and documents, and the web console's pages and assets (it asks for the key itself). */
const CONSOLE_ROUTES = new Set<string>([...CONSOLE_PAGES, '/assets/:file'].map((path) => path.replace(':collection', 'walk').replace(':id', '00000000-0000-0000-0000-000000000000')));
const isPublicPath = (path: string) => ['/healthz', '/readyz', '/metrics'].includes(path) || path === '/docs' || path.startsWith('/docs/') || path.startsWith('/docs-') || CONSOLE_ROUTES.has(path);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function rawRequest(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = request({ hostname, port, method, path, headers: { ...headers, ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(parts).toString() }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The route paths Express holds, with parameters filled in. */
function routeTable(sift: RunningSift): Array<{ path: string; methods: string[] }> {
  const router = (sift.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; _methods(): string[] } }> } }).router;
  return router.stack
    .filter((layer) => layer.route)
    .map((layer) => ({
      path: layer.route!.path.replace(':collection', 'walk').replace(':id', '00000000-0000-0000-0000-000000000000'),
      methods: layer.route!._methods().map((method) => method.toUpperCase()),
    }));
}

/** Other ways of writing the same path that a lax router or a string check might accept. */
function spellings(path: string): string[] {
  const upper = path.replace('/v1/', '/V1/');
  return [
    path,
    upper,
    path.toUpperCase(),
    path.replace(/\/([a-z])/, (_, letter: string) => `/${letter.toUpperCase()}`),
    `/${path}`,
    path.replace(/\//g, '//'),
    `${path}/`,
    path.replace('/v1/', '/v1/./'),
    path.replace('/v1/', '/%76%31/'),
    path.replace(/([a-z])/, (letter) => `%${letter.charCodeAt(0).toString(16)}`),
    path.replace('/v1/', '/v1%2F'),
    `${path};x`,
    `${path}?x=1`,
    `${path}#x`,
  ];
}

describe('authorization follows routes, not spellings', () => {
  let sift: RunningSift;
  const auth = { authorization: `Bearer ${KEY}` };

  beforeAll(async () => {
    sift = await startSift({ SIFT_API_KEYS: KEY });
  });
  afterAll(async () => {
    await sift.stop();
  });

  it('answers no protected route, under any spelling or method, without a key', async () => {
    const routes = routeTable(sift);
    expect(routes.map((route) => route.path)).toEqual(expect.arrayContaining(['/v1/collections', '/v1/collections/walk/documents', '/v1/jobs', '/v1/usage']));
    const leaks: string[] = [];
    for (const route of routes) {
      if (isPublicPath(route.path)) continue;
      for (const path of spellings(route.path)) {
        for (const method of METHODS) {
          const response = await rawRequest(sift.url, method, path, {}, method === 'POST' ? '{"query":"x","question":"x","message":"x"}' : undefined);
          if (![401, 404, 405].includes(response.status)) leaks.push(`${method} ${path} -> ${response.status}`);
        }
      }
    }
    expect(leaks).toEqual([]);
    // Nothing was written by any of those requests.
    const listed = await rawRequest(sift.url, 'GET', '/v1/collections', auth);
    expect(JSON.parse(listed.body).collections).toEqual([]);
  });

  it('refuses the upper-case and double-slash spellings that used to bypass the key', async () => {
    const upload = await fetch(`${sift.url}/V1/collections/c/documents`, { method: 'POST', body: uploadForm([{ name: 'x.md', content: '# Secret\n\nlighthouse' }]) });
    expect(upload.status).toBe(404);
    expect((await upload.json()).error.code).toBe('ROUTE_NOT_FOUND');
    const listed = await rawRequest(sift.url, 'GET', '/V1/collections');
    expect(listed.status).toBe(404);
    const removed = await rawRequest(sift.url, 'DELETE', '/V1/collections/x');
    expect(removed.status).toBe(404);
    expect((await rawRequest(sift.url, 'GET', '//v1/collections')).status).not.toBe(200);
  });

  it('serves every protected route to a valid key', async () => {
    const listed = await rawRequest(sift.url, 'GET', '/v1/collections', auth);
    expect(listed.status).toBe(200);
    const trailing = await rawRequest(sift.url, 'GET', '/v1/collections/', auth);
    expect([200, 404]).toContain(trailing.status);
    const wrongKey = await rawRequest(sift.url, 'GET', '/v1/collections', { authorization: 'Bearer nope' });
    expect(wrongKey.status).toBe(401);
  });

  it('keeps probes, metrics and the API docs open', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/docs', '/docs/openapi.json']) {
      const response = await rawRequest(sift.url, 'GET', path);
      expect(response.status, path).toBe(200);
    }
  });

  it('answers a known path with a wrong method 405 and the methods it allows', async () => {
    for (const [method, path, allowed] of [
      ['PUT', '/v1/collections', 'GET, HEAD'],
      ['PATCH', '/v1/collections/walk/documents', 'GET, HEAD, POST'],
      ['GET', '/v1/collections/walk/search', 'POST'],
      ['POST', '/healthz', 'GET, HEAD'],
    ] as const) {
      const response = await rawRequest(sift.url, method, path, auth);
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.allow).toBe(allowed);
      const body = JSON.parse(response.body);
      expect(body.error.code).toBe('METHOD_NOT_ALLOWED');
      expect(body.error.message).toContain(allowed);
    }
    const unknown = await rawRequest(sift.url, 'PUT', '/v1/nothing-here', auth);
    expect(unknown.status).toBe(404);
  });
});
