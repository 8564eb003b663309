// REDIS_URL on the HTTP app: a clear start-up error when Redis cannot be reached, and
// /readyz reporting Redis while it is lost and after it comes back, without a restart.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import { startRedis, type RunningRedis } from '../helpers/redis-server.js';
import { startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

async function waitForStatus(url: string, status: number): Promise<Response> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await fetch(url);
    if (response.status === status || Date.now() > deadline) return response;
    await sleep(100);
  }
}

describe('REDIS_URL', () => {
  let redis: RunningRedis;
  let sift: RunningSift;

  beforeAll(async () => {
    redis = await startRedis();
    sift = await startSift({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'readyz:' });
    const uploaded = await fetch(`${sift.url}/v1/collections/docs/documents`, { method: 'POST', body: uploadForm([{ name: 'etna.md', content: 'Mount Etna erupts often.' }]) });
    expect(uploaded.status).toBe(200);
  });
  afterAll(async () => {
    await sift?.stop();
    await redis?.stop();
  });

  it('refuses a URL that is not redis://', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL .*redis:\/\//);
  });

  it('does not start when Redis cannot be reached, and says which variable to fix', async () => {
    await expect(startSift({ REDIS_URL: 'redis://127.0.0.1:1' })).rejects.toThrow(/REDIS_URL is set but Redis at redis:\/\/127\.0\.0\.1:1 cannot be reached/);
  });

  it('reports Redis in /readyz, lost and back again without a restart', async () => {
    const ready = await fetch(`${sift.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: unknown }).checks).toMatchObject({ store: 'ok', redis: { status: 'ok' } });

    await redis.kill();
    const down = await waitForStatus(`${sift.url}/readyz`, 503);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('REDIS_UNAVAILABLE');
    expect(body.error.message).toContain(redis.url);
    // Searches do not need Redis.
    const search = await fetch(`${sift.url}/v1/collections/docs/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'Etna' }) });
    expect(search.status).toBe(200);
    expect(JSON.stringify(await search.json())).toContain('Etna');

    await redis.start();
    expect((await waitForStatus(`${sift.url}/readyz`, 200)).status).toBe(200);
  });
});
