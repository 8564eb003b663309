// What checking API keys adds to a request: the same route on two servers started side by
// side, one without keys and one whose data directory holds keys, timed at concurrency 1 in
// interleaved rounds in turning order (so drift of the shared machine lands on all three alike):
//   - no keys: the open server, as before keys existed;
//   - scoped key: a read key for `bench-*`, so the guard hashes the secret, reads the key from
//     DATA_DIR/keys.sqlite, checks the role and the collection against the scope;
//   - scoped key with limits: the same plus a rate limit (one write transaction per request)
//     and a budget (read only when a model is called, so not on this route).
// The route is GET /v1/collections/{c}/documents?limit=1: one small store read, so the
// key check is not lost in the noise of a search. Two server processes never run quite
// alike, so the guard's own work is also timed in this process, call by call, on the same
// key store: that figure is what the check costs, the HTTP rows show it is not more.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuthDatabase } from '../../src/auth/auth-database.js';
import { AuthService } from '../../src/auth/auth.service.js';
import { KeyStore } from '../../src/auth/key-store.js';
import { roleAllows } from '../../src/auth/roles.js';
import { loadConfig } from '../../src/config/app-config.js';
import { percentile, round } from '../common/report.js';
import { runLoad } from './http-load.js';
import { startSiftServer, type SiftServer } from './sift-server.js';

const COLLECTION = 'bench-keys';
const PATH = `/v1/collections/${COLLECTION}/documents?limit=1`;

export interface KeyCheckVariant {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

export interface KeyCheckResult {
  noKeys: KeyCheckVariant;
  scopedKey: KeyCheckVariant;
  limitedKey: KeyCheckVariant;
  /** p50 with the key minus p50 without keys, in ms. */
  addedP50Ms: { scopedKey: number; limitedKey: number };
  addedMeanMs: { scopedKey: number; limitedKey: number };
  /** The guard's work per request in this process (hash, lookup, rate limit, role, scope), mean of many calls, in µs. */
  inProcessMicros: { scopedKey: number; limitedKey: number; calls: number };
  rounds: number;
  secondsPerPhase: number;
}

async function seed(server: SiftServer, headers: Record<string, string>): Promise<void> {
  const form = new FormData();
  for (let i = 0; i < 20; i++) form.append('files', new Blob([`# Note ${i}\n\nThe keeper writes down storm number ${i}.`]), `note-${i}.md`);
  const response = await fetch(`http://${server.host}:${server.port}/v1/collections/${COLLECTION}/documents`, { method: 'POST', headers, body: form });
  if (response.status !== 200) throw new Error(`seeding the key-check collection failed: HTTP ${response.status} ${await response.text()}`);
}

function summary(latencies: number[]): KeyCheckVariant {
  const mean = latencies.reduce((sum, value) => sum + value, 0) / latencies.length;
  return { requests: latencies.length, p50Ms: round(percentile(latencies, 0.5), 4), p99Ms: round(percentile(latencies, 0.99), 3), meanMs: round(mean, 4) };
}

/** What the key guard does for one request, minus Nest's plumbing, timed over many calls. */
async function guardMicros(auth: AuthService, secret: string, calls: number): Promise<number> {
  const once = async () => {
    const caller = auth.authenticate(secret);
    if (!caller) throw new Error('the bench key was not found');
    await auth.takeRequest(caller);
    if (!roleAllows(caller.role, 'read') || !caller.scope.allows(COLLECTION)) throw new Error('the bench key was refused');
  };
  for (let i = 0; i < 1000; i++) await once();
  const started = performance.now();
  for (let i = 0; i < calls; i++) await once();
  return round(((performance.now() - started) * 1000) / calls, 2);
}

export async function measureKeyCheckCost(repoRoot: string, options: { rounds: number; secondsPerPhase: number }): Promise<KeyCheckResult> {
  const openDir = mkdtempSync(join(tmpdir(), 'sift-bench-nokeys-'));
  const keyedDir = mkdtempSync(join(tmpdir(), 'sift-bench-keys-'));
  const servers: SiftServer[] = [];
  try {
    // The keys go into the data directory before the server starts, as `npm run keys` puts them.
    const db = openAuthDatabase(keyedDir);
    const keys = new KeyStore(db);
    const writer = keys.create({ name: 'bench-writer', role: 'write', scope: ['bench-*'] }).secret;
    const scoped = keys.create({ name: 'bench-reader', role: 'read', scope: ['bench-*'] }).secret;
    const limited = keys.create({ name: 'bench-limited', role: 'read', scope: ['bench-*'], rateLimit: { perMinute: 10_000_000, burst: 1_000_000 }, budget: { tokens: 1_000_000_000 } }).secret;
    db.close();

    const open = await startSiftServer(repoRoot, openDir);
    servers.push(open);
    const keyed = await startSiftServer(repoRoot, keyedDir);
    servers.push(keyed);
    await seed(open, {});
    await seed(keyed, { authorization: `Bearer ${writer}` });

    const variants: Array<{ name: 'noKeys' | 'scopedKey' | 'limitedKey'; server: SiftServer; headers: Record<string, string> }> = [
      { name: 'noKeys', server: open, headers: {} },
      { name: 'scopedKey', server: keyed, headers: { authorization: `Bearer ${scoped}` } },
      { name: 'limitedKey', server: keyed, headers: { authorization: `Bearer ${limited}` } },
    ];
    const latencies = { noKeys: [] as number[], scopedKey: [] as number[], limitedKey: [] as number[] };
    for (const variant of variants) {
      await runLoad({ host: variant.server.host, port: variant.server.port, path: PATH, method: 'GET', bodies: [], headers: variant.headers }, 1, { seconds: 0.5, maxRequests: Infinity });
    }
    for (let round = 0; round < options.rounds; round++) {
      // The order turns each round, so no variant always follows the other server's phase.
      for (const variant of [...variants.slice(round % variants.length), ...variants.slice(0, round % variants.length)]) {
        const result = await runLoad({ host: variant.server.host, port: variant.server.port, path: PATH, method: 'GET', bodies: [], headers: variant.headers }, 1, {
          seconds: options.secondsPerPhase,
          maxRequests: Infinity,
        });
        if (result.errors > 0) throw new Error(`key-check load (${variant.name}) had ${result.errors} failed requests: ${result.firstError}`);
        latencies[variant.name].push(...result.latenciesMs);
      }
    }
    const figures = { noKeys: summary(latencies.noKeys), scopedKey: summary(latencies.scopedKey), limitedKey: summary(latencies.limitedKey) };
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    const auth = new AuthService(loadConfig({ DATA_DIR: keyedDir }));
    const calls = 20_000;
    const inProcessMicros = { scopedKey: await guardMicros(auth, scoped, calls), limitedKey: await guardMicros(auth, limited, calls), calls };
    auth.onApplicationShutdown();
    return {
      ...figures,
      addedP50Ms: { scopedKey: round(figures.scopedKey.p50Ms - figures.noKeys.p50Ms, 4), limitedKey: round(figures.limitedKey.p50Ms - figures.noKeys.p50Ms, 4) },
      addedMeanMs: { scopedKey: round(figures.scopedKey.meanMs - figures.noKeys.meanMs, 4), limitedKey: round(figures.limitedKey.meanMs - figures.noKeys.meanMs, 4) },
      inProcessMicros,
      rounds: options.rounds,
      secondsPerPhase: options.secondsPerPhase,
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(openDir, { recursive: true, force: true });
    rmSync(keyedDir, { recursive: true, force: true });
  }
}
