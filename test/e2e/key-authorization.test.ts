// Every route × {admin, write, read, out-of-scope, revoked, none}: the status each key gets,
// and that nothing outside a key's scope is ever in a response body. The routes come from the
// app's own route table joined with what each handler declares (@Needs, @PublicRoute), so a
// route added later is walked too, and a route that declares nothing fails this test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredRoutes, type DeclaredRoute } from '../../src/http/declared-routes.js';
import type { RouteNeed } from '../../src/http/route-needs.js';
import { postJson, startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

const ROOT = 'root-env-key';
const IN_SCOPE = 'team-a-docs';
const OUT_OF_SCOPE = 'team-b-notes';
/** Words only in each team's documents. */
const TEAM_A_WORD = 'lighthousekeeper';
const TEAM_B_WORD = 'zebracrossing';
/** Open by design, served outside Nest's routing: the OpenAPI UI and document. */
const isDocsPath = (path: string) => path === '/docs' || path.startsWith('/docs/') || path.startsWith('/docs-');

type PersonaName = 'admin' | 'write' | 'read' | 'out-of-scope' | 'revoked' | 'none';
interface Persona {
  name: PersonaName;
  secret: string | null;
  /** null: the request must be refused as unauthenticated. */
  role: 'admin' | 'write' | 'read' | null;
  scope: 'all' | 'team-a' | 'team-b';
}

const RANK = { read: 0, write: 1, admin: 2 } as const;

/** What the key must get: through the guard, or the refusal's status. */
function expectedFor(need: RouteNeed | 'public', persona: Persona): 'allowed' | 401 | 403 | 404 {
  if (need === 'public') return 'allowed';
  if (persona.role === null) return 401;
  if (RANK[persona.role] < RANK[need.role]) return 403;
  if (need.collectionParam && persona.scope === 'team-b') return 404;
  return 'allowed';
}

function routeTable(sift: RunningSift): Array<{ method: string; path: string }> {
  const router = (sift.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; _methods(): string[] } }> } }).router;
  return router.stack
    .filter((layer) => layer.route)
    .flatMap((layer) => layer.route!._methods().map((method) => ({ method: method.toUpperCase(), path: layer.route!.path })))
    .filter((route) => !['HEAD', 'OPTIONS'].includes(route.method));
}

describe('keys with roles and scopes, on every route', () => {
  let sift: RunningSift;
  const root = { authorization: `Bearer ${ROOT}` };
  const personas: Persona[] = [];
  let teamADocumentId = '';
  let teamAJobId = '';
  let teamBJobId = '';
  let throwaway = 0;

  async function createKey(body: Record<string, unknown>): Promise<string> {
    const response = await postJson(`${sift.url}/v1/keys`, body, root);
    expect(response.status, JSON.stringify(body)).toBe(201);
    return (await response.json()).secret as string;
  }

  async function upload(collection: string, files: Array<{ name: string; content: string }>): Promise<any> {
    const response = await fetch(`${sift.url}/v1/collections/${collection}/documents`, { method: 'POST', headers: root, body: uploadForm(files) });
    expect(response.status, collection).toBeLessThan(300);
    return response.json();
  }

  /** The documents every request may count on; destructive routes remove them, so before each. */
  async function ensureFixtures(): Promise<void> {
    const a = await upload(IN_SCOPE, [{ name: 'keeper.md', content: `# Keeper\n\nThe ${TEAM_A_WORD} writes down every storm.` }]);
    teamADocumentId = a.documents[0].documentId;
    await upload(OUT_OF_SCOPE, [{ name: 'zebra.md', content: `# Zebra\n\nA ${TEAM_B_WORD} is painted white and black.` }]);
  }

  beforeAll(async () => {
    // Uploads of two files become jobs, so there are jobs of both teams to list.
    sift = await startSift({ SIFT_API_KEYS: ROOT, JOB_THRESHOLD_FILES: '1' });
    await ensureFixtures();
    const jobA = await upload(IN_SCOPE, [
      { name: 'j1.md', content: `# J1\n\n${TEAM_A_WORD} one.` },
      { name: 'j2.md', content: `# J2\n\n${TEAM_A_WORD} two.` },
    ]);
    teamAJobId = jobA.job.id;
    const jobB = await upload(OUT_OF_SCOPE, [
      { name: 'j1.md', content: `# J1\n\n${TEAM_B_WORD} one.` },
      { name: 'j2.md', content: `# J2\n\n${TEAM_B_WORD} two.` },
    ]);
    teamBJobId = jobB.job.id;
    personas.push(
      { name: 'admin', secret: await createKey({ name: 'ops', role: 'admin' }), role: 'admin', scope: 'all' },
      { name: 'write', secret: await createKey({ name: 'team-a-writer', role: 'write', scope: ['team-a-*'] }), role: 'write', scope: 'team-a' },
      { name: 'read', secret: await createKey({ name: 'team-a-reader', role: 'read', scope: ['team-a-*'] }), role: 'read', scope: 'team-a' },
      { name: 'out-of-scope', secret: await createKey({ name: 'team-b-writer', role: 'write', scope: ['team-b-*', 'other'] }), role: 'write', scope: 'team-b' },
    );
    const revoked = await createKey({ name: 'gone', role: 'admin' });
    expect((await fetch(`${sift.url}/v1/keys/gone`, { method: 'DELETE', headers: root })).status).toBe(200);
    personas.push({ name: 'revoked', secret: revoked, role: null, scope: 'all' }, { name: 'none', secret: null, role: null, scope: 'all' });
  });
  afterAll(async () => {
    await sift?.stop();
  });

  it('has a declared need on every route', () => {
    const declared = declaredRoutes(sift.app);
    const undeclared = routeTable(sift)
      .filter((route) => !isDocsPath(route.path))
      .filter((route) => (declared.find((entry) => entry.method === route.method && entry.path === route.path)?.need ?? null) === null)
      .map((route) => `${route.method} ${route.path}`);
    expect(undeclared).toEqual([]);
  });

  /** A request to `route` with parameters and a body that would succeed for a key allowed there. */
  async function requestFor(route: DeclaredRoute): Promise<{ path: string; init: RequestInit }> {
    let path = route.path.replace(':collection', IN_SCOPE);
    if (path.includes('/documents/:id')) path = path.replace(':id', teamADocumentId);
    if (path.startsWith('/v1/jobs/')) path = path.replace(':id', teamAJobId);
    if (path.startsWith('/v1/keys/')) {
      const name = `throwaway-${throwaway++}`;
      await createKey({ name, role: 'read' });
      path = path.replace(':name', name);
    }
    const json = (body: unknown): RequestInit => ({ method: route.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bodies: Record<string, () => RequestInit> = {
      'POST /v1/collections/:collection/documents': () => ({ method: 'POST', body: uploadForm([{ name: 'extra.md', content: `# Extra\n\n${TEAM_A_WORD} again.` }]) }),
      'POST /v1/collections/:collection/search': () => json({ query: `${TEAM_A_WORD} storm` }),
      'POST /v1/collections/:collection/ask': () => json({ question: `What does the ${TEAM_A_WORD} write down?` }),
      'POST /v1/keys': () => json({ name: `created-${throwaway++}`, role: 'read', scope: ['team-a-*'] }),
      'POST /v1/chat': () => json({ message: 'Hello' }),
      'POST /v1/vision': () => json({ prompt: 'What is it?' }),
      'POST /v1/classify': () => json({ texts: ['Love it'] }),
      'POST /v1/estimate': () => json({ input_tokens: 100, requests_per_month: 10 }),
      'POST /v1/chat/completions': () => json({ model: `sift/${IN_SCOPE}`, messages: [{ role: 'user', content: `What does the ${TEAM_A_WORD} write down?` }] }),
      'POST /v1/rerank': () => json({ query: 'storm', documents: ['a storm', 'a calm sea'] }),
      'POST /v2/rerank': () => json({ model: 'rerank/bm25', query: 'storm', documents: ['a storm', 'a calm sea'] }),
    };
    return { path, init: bodies[`${route.method} ${route.path}`]?.() ?? { method: route.method } };
  }

  it('answers each key on each route as its role and scope say, and shows no key what is outside its scope', async () => {
    const routes = declaredRoutes(sift.app).filter((route) => route.need !== null) as Array<DeclaredRoute & { need: RouteNeed | 'public' }>;
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const wrong: string[] = [];
    const leaks: string[] = [];
    for (const route of routes) {
      for (const persona of personas) {
        if (route.method === 'DELETE' || route.path.endsWith('/documents')) await ensureFixtures();
        const { path, init } = await requestFor(route);
        const headers = new Headers(init.headers);
        if (persona.secret) headers.set('authorization', `Bearer ${persona.secret}`);
        const response = await fetch(`${sift.url}${path}`, { ...init, headers });
        const text = await response.text();
        const code = /"code":"([A-Z_]+)"/.exec(text)?.[1];
        const expected = expectedFor(route.need, persona);
        const label = `${persona.name} ${route.method} ${route.path} -> ${response.status} ${code ?? ''}`;
        if (expected === 'allowed') {
          if ([401, 403, 429].includes(response.status) || code === 'COLLECTION_NOT_FOUND') wrong.push(`${label} (expected through)`);
        } else if (response.status !== expected) {
          wrong.push(`${label} (expected ${expected})`);
        } else if (expected === 404 && code !== 'COLLECTION_NOT_FOUND') {
          wrong.push(`${label} (expected COLLECTION_NOT_FOUND, as for a missing collection)`);
        }
        const hidden = persona.scope === 'team-a' ? [OUT_OF_SCOPE, TEAM_B_WORD, teamBJobId] : persona.scope === 'team-b' ? [IN_SCOPE, TEAM_A_WORD, teamAJobId] : [];
        // A refusal may repeat the name the client itself sent, in the path or the body (as for a
        // missing collection); anything else is a leak.
        const sent = [...path.split('/'), ...(typeof init.body === 'string' ? init.body.split(/["/]/) : [])].filter((part) => part.length > 0);
        const told = response.status >= 400 ? sent.reduce((rest, name) => rest.replaceAll(`\\"${name}\\"`, '\\"\\"'), text) : text;
        for (const secret of hidden) if (told.includes(secret)) leaks.push(`${label} shows "${secret}"`);
        if (/"secret"/.test(text) && !(route.method === 'POST' && route.path === '/v1/keys')) leaks.push(`${label} shows a key secret`);
      }
    }
    expect(wrong).toEqual([]);
    expect(leaks).toEqual([]);
  }, 120_000);

  it('answers a collection outside the scope exactly as one that does not exist', async () => {
    const writer = personas.find((persona) => persona.name === 'out-of-scope')!;
    const headers = { authorization: `Bearer ${writer.secret}` };
    const hidden = await postJson(`${sift.url}/v1/collections/${IN_SCOPE}/search`, { query: 'storm' }, headers);
    const missing = await postJson(`${sift.url}/v1/collections/team-b-missing/search`, { query: 'storm' }, headers);
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    const [hiddenError, missingError] = [(await hidden.json()).error, (await missing.json()).error];
    expect(hiddenError.message.replace(IN_SCOPE, 'X')).toBe(missingError.message.replace('team-b-missing', 'X'));
    // An upload cannot create a collection outside the scope either.
    const upload = await fetch(`${sift.url}/v1/collections/team-a-new/documents`, { method: 'POST', headers, body: uploadForm([{ name: 'x.md', content: '# X\n\nx' }]) });
    expect(upload.status).toBe(404);
    const listed = await fetch(`${sift.url}/v1/collections`, { headers: root });
    expect((await listed.json()).collections.map((collection: { name: string }) => collection.name)).not.toContain('team-a-new');
  });

  it('lists only the collections and jobs in the key\'s scope, and every one to an admin', async () => {
    const names = async (secret: string) => (await (await fetch(`${sift.url}/v1/collections`, { headers: { authorization: `Bearer ${secret}` } })).json()).collections.map((c: { name: string }) => c.name);
    const jobs = async (secret: string) => (await (await fetch(`${sift.url}/v1/jobs`, { headers: { authorization: `Bearer ${secret}` } })).json()) as { jobs: Array<{ id: string }>; total: number };
    const [admin, reader, outsider] = ['admin', 'read', 'out-of-scope'].map((name) => personas.find((persona) => persona.name === name)!.secret!);
    expect(await names(admin!)).toEqual(expect.arrayContaining([IN_SCOPE, OUT_OF_SCOPE]));
    expect(await names(reader!)).toEqual([IN_SCOPE]);
    expect(await names(outsider!)).toEqual([OUT_OF_SCOPE]);
    const readerJobs = await jobs(reader!);
    expect(readerJobs.jobs.map((job) => job.id)).toContain(teamAJobId);
    expect(readerJobs.jobs.map((job) => job.id)).not.toContain(teamBJobId);
    expect(readerJobs.total).toBe(readerJobs.jobs.length);
    const outsiderJob = await fetch(`${sift.url}/v1/jobs/${teamAJobId}`, { headers: { authorization: `Bearer ${outsider}` } });
    expect(outsiderJob.status).toBe(404);
    expect((await outsiderJob.json()).error.code).toBe('JOB_NOT_FOUND');
    expect((await jobs(admin!)).jobs.map((job) => job.id)).toEqual(expect.arrayContaining([teamAJobId, teamBJobId]));

    // The OpenAI-compatible surface: sift/<collection> models only for the key's collections.
    const models = async (secret: string) => (await (await fetch(`${sift.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } })).json()).data.map((m: { id: string }) => m.id).filter((id: string) => id.startsWith('sift/'));
    expect(await models(reader!)).toEqual([`sift/${IN_SCOPE}`]);
    expect(await models(admin!)).toEqual(expect.arrayContaining([`sift/${IN_SCOPE}`, `sift/${OUT_OF_SCOPE}`]));
    const completion = await postJson(`${sift.url}/v1/chat/completions`, { model: `sift/${IN_SCOPE}`, messages: [{ role: 'user', content: 'What is written down?' }] }, { authorization: `Bearer ${outsider}` });
    expect(completion.status).toBe(404);
    expect((await completion.json()).error.code).toBe('model_not_found');
  });

  it('manages keys: the secret once, listings without secrets, names taken, bad scopes refused', async () => {
    const created = await postJson(`${sift.url}/v1/keys`, { name: 'ci', role: 'write', scope: ['team-a-*'], rateLimit: { perMinute: 120, burst: 20 }, budget: { tokens: 100000, usd: 5 } }, root);
    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body.secret).toMatch(/^sift_[A-Za-z0-9_-]{32}$/);
    expect(body.key).toMatchObject({ name: 'ci', role: 'write', scope: ['team-a-*'], rateLimit: { perMinute: 120, burst: 20 }, budget: { tokens: 100000, usd: 5 }, lastUsedAt: null });
    const listed = await fetch(`${sift.url}/v1/keys`, { headers: root });
    const text = await listed.text();
    expect(text).not.toContain(body.secret);
    expect(text).not.toContain('digest');
    await fetch(`${sift.url}/v1/collections`, { headers: { authorization: `Bearer ${body.secret}` } });
    const ci = (await (await fetch(`${sift.url}/v1/keys`, { headers: root })).json()).keys.find((key: { name: string }) => key.name === 'ci');
    expect(ci.lastUsedAt).not.toBeNull();

    const again = await postJson(`${sift.url}/v1/keys`, { name: 'ci', role: 'read' }, root);
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('KEY_EXISTS');
    for (const bad of [{ name: 'x', role: 'read', scope: ['../etc'] }, { name: 'x', role: 'admin', scope: ['team-a-*'] }, { name: 'bad name', role: 'read' }, { name: 'x', role: 'owner' }]) {
      const refused = await postJson(`${sift.url}/v1/keys`, bad, root);
      expect(refused.status, JSON.stringify(bad)).toBe(400);
      expect((await refused.json()).error.code).toBe('VALIDATION_FAILED');
    }
    const unknown = await fetch(`${sift.url}/v1/keys/nobody`, { method: 'DELETE', headers: root });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('KEY_NOT_FOUND');
  });
});
