// The contract check must be able to fail: a tiny server that serves a document and answers
// against it, or not.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractRecorder } from './contract-check.js';
import { coverageGaps } from './contract-coverage-records.js';

const DOCUMENT = {
  openapi: '3.1.0',
  paths: {
    '/v1/things/{id}': {
      get: {
        responses: {
          200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          404: { content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
  },
  components: { schemas: { Thing: { type: 'object', required: ['id'], properties: { id: { type: 'string' } }, additionalProperties: false } } },
};

const ANSWERS: Record<string, { status: number; body: unknown; type?: string }> = {
  '/v1/things/good': { status: 200, body: { id: 'good' } },
  '/v1/things/extra': { status: 200, body: { id: 'extra', secret: 1 } },
  '/v1/things/wrong-type': { status: 200, body: { id: 7 } },
  '/v1/things/teapot': { status: 418, body: {} },
  '/v1/other': { status: 200, body: {} },
  // A file of the web console: not API, not in the document, not a breach.
  '/console-page': { status: 200, body: '<!doctype html>', type: 'text/html; charset=utf-8' },
};

describe('the contract check', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/docs/openapi.json') return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(DOCUMENT));
      const answer = ANSWERS[request.url ?? ''] ?? { status: 404, body: {} };
      response.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json', 'x-request-id': 'r' }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('passes a documented answer and names each kind of breach', async () => {
    const recorder = new ContractRecorder(globalThis.fetch);
    for (const path of Object.keys(ANSWERS)) await recorder.fetch(`${origin}${path}`);
    const violations = await recorder.violations();
    expect(recorder.checked).toBe(6);
    expect(Object.fromEntries(violations.map((v) => [v.answer.split(' ')[1], v.problem]))).toEqual({
      '/v1/things/extra': expect.stringContaining('must NOT have additional properties: secret'),
      '/v1/things/wrong-type': expect.stringContaining('/id must be string'),
      '/v1/things/teapot': expect.stringContaining('status 418 is not documented'),
      '/v1/other': 'the path is not in the document',
    });
    expect(recorder.coverage()).toEqual({ documented: ['GET /v1/things/{id}'], reached: { 'GET /v1/things/{id}': [200, 418] } });
  });

  it('leaves answers without a request id (the model fakes) alone', async () => {
    const recorder = new ContractRecorder(async () => new Response('{}', { status: 599, headers: { 'content-type': 'application/json' } }));
    await recorder.fetch(`${origin}/v1/anything`);
    expect(await recorder.violations()).toEqual([]);
    expect(recorder.checked).toBe(0);
  });
});

describe('the contract coverage', () => {
  const documented = ['GET /a', 'POST /a', 'DELETE /a/{id}'];
  it('names the operations never called and those that never succeeded, over several files', () => {
    const gaps = coverageGaps([
      { file: 'one.test.ts', documented, reached: { 'GET /a': [200], 'POST /a': [400] } },
      { file: 'two.test.ts', documented, reached: { 'POST /a': [401] } },
    ]);
    expect(gaps).toEqual({ documented: ['DELETE /a/{id}', 'GET /a', 'POST /a'], neverCalled: ['DELETE /a/{id}'], neverSucceeded: ['POST /a'] });
    expect(coverageGaps([{ file: 'one.test.ts', documented, reached: { 'GET /a': [200], 'POST /a': [201], 'DELETE /a/{id}': [404, 204] } }])).toMatchObject({ neverCalled: [], neverSucceeded: [] });
  });
});
