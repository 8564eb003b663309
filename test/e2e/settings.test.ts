// GET /v1/settings: how the server is set up, as the console's Settings view shows it. It names
// the provider and model of each stage with what that means, and never a secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGemini } from '../fakes/fake-gemini.js';
import { startSift, type RunningSift } from '../helpers/sift-server.js';

describe('GET /v1/settings', () => {
  const KEY = 'settings-admin-key';
  let fake: FakeGemini;
  let sift: RunningSift;

  beforeAll(async () => {
    fake = await startFakeGemini();
    sift = await startSift({ SIFT_API_KEYS: KEY, GENERATION_PROVIDER: 'gemini', GOOGLE_API_KEY: 'google-secret', GEMINI_BASE_URL: fake.url, MAX_UPLOAD_FILES: '7' });
  });
  afterAll(async () => {
    await sift?.stop();
    await fake?.close();
  });

  it('says which model serves each stage and what a stage without one does, with the store and limits', async () => {
    const response = await fetch(`${sift.url}/v1/settings`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(response.status).toBe(200);
    const settings = await response.json();
    expect(settings.stages.generation).toMatchObject({ provider: 'gemini', model: 'gemini-3.1-flash-lite' });
    expect(settings.stages.generation.effect).toMatch(/written answers/);
    expect(settings.stages.embeddings).toMatchObject({ provider: 'none', model: null });
    expect(settings.stages.embeddings.effect).toMatch(/BM25 .*only/);
    expect(settings).toMatchObject({ store: { kind: 'sqlite' }, retrieval: { mode: 'lexical' }, limits: { uploadFiles: 7 }, auth: { apiKeysRequired: true } });
  });

  it('never carries a key or a provider secret, and needs a key itself', async () => {
    const text = await (await fetch(`${sift.url}/v1/settings`, { headers: { authorization: `Bearer ${KEY}` } })).text();
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('google-secret');
    expect((await fetch(`${sift.url}/v1/settings`)).status).toBe(401);
  });
});
