// REDIS_URL on the HTTP app: a clear start-up error when Redis cannot be reached, and
// /readyz reporting Redis while it is lost and after it comes back, without a restart; and two
// app instances (each its own DATA_DIR) counting one key's rate limit together.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS_FILE_NAME } from '../../src/auth/auth-database.js';
import { loadConfig } from '../../src/config/app-config.js';
import { startRedis, type RunningRedis } from '../helpers/redis-server.js';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

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
    // A write needs its document's lease: a clean 503 naming Redis, and nothing written.
    const upload = await fetch(`${sift.url}/v1/collections/docs/documents`, { method: 'POST', body: uploadForm([{ name: 'etna.md', content: 'Etna is quiet now.' }]) });
    expect(upload.status).toBe(503);
    const refused = (await upload.json()) as { error: { code: string; message: string } };
    expect(refused.error).toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    expect(refused.error.message).toContain('REDIS_URL');

    await redis.start();
    expect((await waitForStatus(`${sift.url}/readyz`, 200)).status).toBe(200);
    const listed = (await (await fetch(`${sift.url}/v1/collections/docs/documents`)).json()) as { documents: Array<{ id: string }> };
    const kept = (await (await fetch(`${sift.url}/v1/collections/docs/documents/${listed.documents[0]!.id}`)).json()) as { chunks: Array<{ text: string }> };
    expect(kept.chunks.map((chunk) => chunk.text).join(' ')).toContain('erupts often');
    const again = await fetch(`${sift.url}/v1/collections/docs/documents`, { method: 'POST', body: uploadForm([{ name: 'etna.md', content: 'Etna is quiet now.' }]) });
    expect(again.status).toBe(200);
  });
});

describe('two Sift instances over one Redis', () => {
  const ROOT = 'shared-root-key';
  let redis: RunningRedis;
  let a: RunningSift;
  let b: RunningSift;
  const bDir = makeTempDir('sift-replica-b-');

  beforeAll(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'replicas:', SIFT_API_KEYS: ROOT };
    a = await startSift(env);
    // Each replica has its own DATA_DIR; the keys are copied over, as a deployment would provision them.
    const created = await postJson(`${a.url}/v1/keys`, { name: 'shared', role: 'read', rateLimit: { perMinute: 6, burst: 5 } }, { authorization: `Bearer ${ROOT}` });
    expect(created.status).toBe(201);
    secret = ((await created.json()) as { secret: string }).secret;
    const source = new Database(join(a.dataDir, KEYS_FILE_NAME), { readonly: true });
    await source.backup(join(bDir.path, KEYS_FILE_NAME));
    source.close();
    b = await startSift({ ...env, DATA_DIR: bDir.path });
  });
  let secret = '';
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    bDir.remove();
    await redis?.stop();
  });

  it("count one key's rate limit together: a burst of 5 spread over both lets 5 through, not 10", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const response = await fetch(`${(i % 2 === 0 ? a : b).url}/v1/collections`, { headers: { authorization: `Bearer ${secret}` } });
      statuses.push(response.status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    expect(statuses.slice(5).every((status) => status === 429)).toBe(true);
  });
});
