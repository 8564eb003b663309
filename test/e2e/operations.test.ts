// What operators rely on: API keys, health probes, Prometheus metrics and the OpenAPI docs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

describe('operations', () => {
  let sift: RunningSift;
  const auth = { authorization: 'Bearer key-two' };

  beforeAll(async () => {
    sift = await startSift({ SIFT_API_KEYS: 'key-one, key-two' });
  });
  afterAll(async () => {
    await sift.stop();
  });

  it('requires a valid bearer key on /v1 routes when keys are configured', async () => {
    const missing = await fetch(`${sift.url}/v1/collections`);
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe('UNAUTHORIZED');
    const wrong = await fetch(`${sift.url}/v1/collections`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const upload = await fetch(`${sift.url}/v1/collections/ops/documents`, { method: 'POST', headers: auth, body: uploadForm([{ name: 'a.txt', content: 'keys unlock doors' }]) });
    expect(upload.status).toBe(200);
    const search = await postJson(`${sift.url}/v1/collections/ops/search`, { query: 'doors' }, auth);
    expect((await search.json()).results).toHaveLength(1);
  });

  it('keeps health, readiness, metrics and docs open', async () => {
    expect(await (await fetch(`${sift.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${sift.url}/readyz`)).json()).toEqual({ status: 'ready', checks: { store: 'ok' } });
    const docs = await fetch(`${sift.url}/docs`);
    expect(docs.status).toBe(200);
    const openApi = await (await fetch(`${sift.url}/docs/openapi.json`)).json();
    expect(Object.keys(openApi.paths)).toEqual(
      expect.arrayContaining(['/v1/collections', '/v1/collections/{collection}/documents', '/v1/collections/{collection}/search', '/v1/collections/{collection}/ask']),
    );
  });

  it('counts requests per route and status in Prometheus format', async () => {
    await postJson(`${sift.url}/v1/collections/ops/search`, { query: 'doors' }, auth);
    const metrics = await fetch(`${sift.url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await metrics.text();
    expect(text).toMatch(/sift_http_requests_total\{method="POST",route="\/v1\/collections\/:collection\/search",status="200"\} [1-9]/);
    expect(text).toMatch(/sift_http_requests_total\{method="GET",route="\/v1\/collections",status="401"\} 2/);
    expect(text).toMatch(/sift_http_request_duration_seconds_bucket\{le="0.1",method="POST",route="\/v1\/collections\/:collection\/search"\}/);
  });
});
