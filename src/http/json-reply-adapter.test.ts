import express, { type Request, type Response } from 'express';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonReplyAdapter } from './json-reply-adapter.js';

interface Answer {
  status: number;
  headers: string[];
  body: string;
}

const BODIES: Record<string, unknown> = {
  passages: { query: 'señal – 信号', results: [{ rank: 1, text: 'Ünïcödé text, "quotes", \\ and \u2028 line separators', metadata: {}, page: null }], usage: { tokens: 0 } },
  list: [1, 'two', { three: 3 }],
  nested: { toJSON: undefined, when: new Date(0), deep: { a: [null, true, 0.5] } },
};

/** Each route answers the same body twice: by Express's res.json(), and by the adapter's reply(). */
function appWith(settings: (app: express.Express) => void): express.Express {
  const app = express();
  settings(app);
  const adapter = new JsonReplyAdapter(app);
  // As Nest calls it: with the route's status code (@HttpCode, or its default).
  const route = (path: string, status: number) =>
    app.all(`/:via/${path}/:body`, (request: Request, response: Response) => {
      const body = BODIES[String(request.params.body)];
      if (request.params.via === 'express') response.status(status).json(body);
      else adapter.reply(response, body, status);
    });
  route('plain', 200);
  route('created', 201);
  route('no-content', 204);
  // Where the adapter must not fall back to res.json().
  app.post('/alone/:body', (request: Request, response: Response) => {
    response.json = () => {
      throw new Error('res.json() was used');
    };
    adapter.reply(response, BODIES[String(request.params.body)], 200);
  });
  app.all('/:via/typed/:body', (request: Request, response: Response) => {
    response.setHeader('Content-Type', 'application/problem+json');
    const body = BODIES[String(request.params.body)];
    if (request.params.via === 'express') response.json(body);
    else adapter.reply(response, body, 200);
  });
  return app;
}

async function listen(app: express.Express): Promise<{ server: Server; port: number }> {
  const server = await new Promise<Server>((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  return { server, port: (server.address() as AddressInfo).port };
}

function call(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        // Everything but the clock, in the order the server wrote it.
        const raw = response.rawHeaders;
        const kept: string[] = [];
        for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() !== 'date') kept.push(`${raw[i]}: ${raw[i + 1]}`);
        resolve({ status: response.statusCode!, headers: kept, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('JsonReplyAdapter', () => {
  const servers: Server[] = [];
  let sift: number;
  let defaults: number;

  beforeAll(async () => {
    // As app.factory.ts sets Express up, and with Express's defaults (ETags on).
    const configured = await listen(appWith((app) => app.set('etag', false)));
    const plain = await listen(appWith(() => undefined));
    servers.push(configured.server, plain.server);
    sift = configured.port;
    defaults = plain.port;
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  const cases: Array<[string, string, string, Record<string, string>?]> = [
    ['a passage list with non-ASCII text', 'POST', 'plain/passages'],
    ['an array', 'POST', 'plain/list'],
    ['dates and nulls', 'GET', 'plain/nested'],
    ['a status other than 200', 'POST', 'created/passages'],
    ['204, which carries no body', 'POST', 'no-content/passages'],
    ['a Content-Type set by the handler', 'POST', 'typed/passages'],
    ['HEAD', 'HEAD', 'plain/passages'],
    ['a conditional GET that Express answers 304', 'GET', 'plain/passages', { 'if-none-match': '*' }],
  ];

  it.each(cases)('writes what res.json() writes: %s', async (_name, method, path, headers) => {
    for (const port of [sift, defaults]) {
      const expected = await call(port, method, `/express/${path}`, headers);
      const actual = await call(port, method, `/adapter/${path}`, headers);
      expect(actual).toEqual(expected);
    }
  });

  it('answers a plain object without res.json(), with its type and byte length', async () => {
    const answer = await call(sift, 'POST', '/alone/passages');
    expect(answer.status).toBe(200);
    expect(answer.headers).toEqual(['X-Powered-By: Express', 'Content-Type: application/json; charset=utf-8', `Content-Length: ${Buffer.byteLength(JSON.stringify(BODIES.passages))}`, 'Connection: keep-alive', 'Keep-Alive: timeout=5']);
    expect(JSON.parse(answer.body)).toEqual(BODIES.passages);
  });
});
