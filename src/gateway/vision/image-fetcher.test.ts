// The URL fetcher against a local HTTP server. The resolver and address policy are swapped
// so that "public" and "internal" host names both land on 127.0.0.1 while the policy still
// tells them apart by the addresses they resolve to.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../../test/fixtures/make-image.js';
import { publicAddressesOnly, type AddressPolicy } from './address-policy.js';
import { fetchImage, type ResolveHost } from './image-fetcher.js';

const png = makePng(8, 8);
let server: Server;
let port: number;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    hits.push(`${request.headers.host} ${request.url}`);
    const url = request.url ?? '/';
    if (url === '/cat.png') response.writeHead(200, { 'content-type': 'image/png' }).end(png);
    else if (url === '/page') response.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    else if (url === '/big.png') response.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(5000));
    else if (url === '/chunked.png') {
      response.writeHead(200, { 'content-type': 'image/png' });
      for (let i = 0; i < 10; i++) response.write(Buffer.alloc(1000));
      response.end();
    } else if (url === '/hang.png') {
      // never answers; afterAll closes the connection
    } else if (url.startsWith('/to/')) response.writeHead(302, { location: decodeURIComponent(url.slice(4)) }).end();
    else if (url === '/loop') response.writeHead(302, { location: '/loop' }).end();
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

// "public.test" stands for a public host and "internal.test" for one that resolves to a
// private address; both really connect to the local server.
const resolve: ResolveHost = async (hostname) => {
  if (hostname === 'public.test') return [{ address: '127.0.0.1', family: 4 }];
  if (hostname === 'internal.test') return [{ address: '10.0.0.7', family: 4 }];
  if (hostname === 'mixed.test') return [{ address: '127.0.0.1', family: 4 }, { address: '192.168.0.9', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};
// The test's loopback server plays the public internet; everything else follows the real policy.
const policy: AddressPolicy = (address) => (address === '127.0.0.1' ? { allowed: true, range: 'unicast' } : publicAddressesOnly(address));
const options = { maxBytes: 4096, timeoutMs: 1000, policy, resolve };
const at = (host: string, path: string) => `http://${host}:${port}${path}`;

describe('fetching an image by URL', () => {
  it('downloads an image from an allowed host', async () => {
    const fetched = await fetchImage(at('public.test', '/cat.png'), options);
    expect(fetched.contentType).toBe('image/png');
    expect(Buffer.from(fetched.bytes).equals(Buffer.from(png))).toBe(true);
  });

  it('refuses a host that resolves to a private address before connecting', async () => {
    hits.length = 0;
    await expect(fetchImage(at('internal.test', '/cat.png'), options)).rejects.toMatchObject({ code: 'IMAGE_URL_REFUSED', message: expect.stringMatching(/10\.0\.0\.7.*private/) });
    expect(hits).toEqual([]);
  });

  it('refuses a host when any one of its addresses is private', async () => {
    await expect(fetchImage(at('mixed.test', '/cat.png'), options)).rejects.toMatchObject({ code: 'IMAGE_URL_REFUSED', message: expect.stringMatching(/192\.168\.0\.9/) });
  });

  it('checks every redirect hop: a public URL that redirects inside is refused', async () => {
    hits.length = 0;
    const inside = encodeURIComponent(at('internal.test', '/cat.png'));
    await expect(fetchImage(at('public.test', `/to/${inside}`), options)).rejects.toMatchObject({ code: 'IMAGE_URL_REFUSED' });
    expect(hits).toHaveLength(1);
    const literal = encodeURIComponent('http://169.254.169.254/latest/meta-data');
    await expect(fetchImage(at('public.test', `/to/${literal}`), options)).rejects.toMatchObject({ code: 'IMAGE_URL_REFUSED', message: expect.stringMatching(/linkLocal/) });
  });

  it('follows a redirect between allowed hosts, a few times at most', async () => {
    const fetched = await fetchImage(at('public.test', `/to/${encodeURIComponent('/cat.png')}`), options);
    expect(fetched.url).toBe(at('public.test', '/cat.png'));
    await expect(fetchImage(at('public.test', '/loop'), options)).rejects.toMatchObject({ code: 'IMAGE_FETCH_FAILED', message: expect.stringMatching(/redirected more than 3/) });
  });

  it('refuses literal private addresses, other schemes and credentials with the real policy', async () => {
    const real = { ...options, policy: publicAddressesOnly };
    await expect(fetchImage(at('127.0.0.1', '/cat.png'), real)).rejects.toMatchObject({ code: 'IMAGE_URL_REFUSED', message: expect.stringMatching(/loopback/) });
    await expect(fetchImage(`http://[::1]:${port}/cat.png`, real)).rejects.toMatchObject({ code: 'IMAGE_URL_REFUSED' });
    await expect(fetchImage(`http://[::ffff:127.0.0.1]:${port}/cat.png`, real)).rejects.toMatchObject({ code: 'IMAGE_URL_REFUSED' });
    // The URL parser writes [::127.0.0.1] as [::7f00:1], an IPv4-compatible form of loopback.
    for (const host of ['[::127.0.0.1]', '[64:ff9b::7f00:1]', '[2002:7f00:1::]']) {
      await expect(fetchImage(`http://${host}:${port}/cat.png`, real)).rejects.toMatchObject({ code: 'IMAGE_URL_REFUSED', message: expect.stringMatching(/loopback/) });
    }
    await expect(fetchImage('file:///etc/passwd', real)).rejects.toMatchObject({ code: 'IMAGE_URL_REFUSED', message: expect.stringMatching(/http or https/) });
    await expect(fetchImage(at('user:secret@public.test', '/cat.png'), real)).rejects.toMatchObject({ code: 'IMAGE_URL_REFUSED' });
    // "localhost" is a name: it is looked up, and its loopback address refused.
    await expect(fetchImage(at('localhost', '/cat.png'), { ...real, resolve: undefined })).rejects.toMatchObject({ code: 'IMAGE_URL_REFUSED' });
  });

  it('refuses a response that is not an image type', async () => {
    await expect(fetchImage(at('public.test', '/page'), options)).rejects.toMatchObject({ code: 'UNSUPPORTED_TYPE', message: expect.stringMatching(/text\/html/) });
  });

  it('stops at the size limit, declared or counted', async () => {
    await expect(fetchImage(at('public.test', '/big.png'), options)).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    await expect(fetchImage(at('public.test', '/chunked.png'), options)).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
  });

  it('gives up after the time budget', async () => {
    await expect(fetchImage(at('public.test', '/hang.png'), { ...options, timeoutMs: 200 })).rejects.toMatchObject({ code: 'IMAGE_FETCH_FAILED', message: expect.stringMatching(/within 200 ms/) });
  });

  it('says when the URL does not work', async () => {
    await expect(fetchImage(at('public.test', '/missing.png'), options)).rejects.toMatchObject({ code: 'IMAGE_FETCH_FAILED', message: expect.stringMatching(/HTTP 404/) });
    await expect(fetchImage(at('nowhere.test', '/cat.png'), options)).rejects.toMatchObject({ code: 'IMAGE_FETCH_FAILED', message: expect.stringMatching(/does not resolve/) });
  });
});
