// A client that sends its headers (or its body) too slowly is cut off after the configured
// time, instead of holding a connection for Node's default minutes.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSift, type RunningSift } from '../helpers/sift-server.js';

/** Opens a connection, sends `start`, then one byte every 200 ms; resolves with how it ended. */
function trickle(url: string, start: string, byte: string): Promise<{ closedAfterMs: number; answer: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const opened = Date.now();
    const socket = connect(Number(port), hostname, () => socket.write(start));
    let answer = '';
    const dripping = setInterval(() => socket.writable && socket.write(byte), 200);
    const give = setTimeout(() => {
      clearInterval(dripping);
      socket.destroy();
      reject(new Error('the server kept the slow connection open for 15 s'));
    }, 15_000);
    socket.on('data', (part) => (answer += part.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(dripping);
      clearTimeout(give);
      resolve({ closedAfterMs: Date.now() - opened, answer });
    });
  });
}

describe('slow clients', () => {
  let sift: RunningSift;

  beforeAll(async () => {
    sift = await startSift({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' });
  });
  afterAll(async () => {
    await sift.stop();
  });

  it('closes a connection whose headers never end', async () => {
    const outcome = await trickle(sift.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X');
    expect(outcome.answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a connection whose body never ends', async () => {
    const outcome = await trickle(
      sift.url,
      'POST /v1/collections/c/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"query":"',
      'a',
    );
    expect(outcome.answer === '' || /^HTTP\/1\.1 408/.test(outcome.answer)).toBe(true);
  });

  it('still answers a normal client', async () => {
    expect((await fetch(`${sift.url}/healthz`)).status).toBe(200);
  });
});
