// Builds the server as `npm run build` does and runs it as a separate process, for tests of
// what only a real process shows: several workers (SIFT_WORKERS), signals, a crashed worker.
// The build goes inside the repository so the built files resolve node_modules as dist does.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Compiles src/ into a fresh folder under .test-build; returns the folder and a remover. */
export function buildServer(): { dir: string; remove: () => void } {
  const dir = join(REPO, '.test-build', randomUUID());
  execFileSync(join(REPO, 'node_modules/.bin/swc'), ['src', '-d', dir, '--ignore', '**/*.test.ts', '-q'], { cwd: REPO, stdio: 'pipe' });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  exited: Promise<number | null>;
}

/** Starts the built server and waits until it is ready. */
export async function startServerProcess(buildDir: string, env: Record<string, string>): Promise<ServerProcess> {
  const server = spawnServerProcess(buildDir, { PORT: String(await freePort()), ...env });
  await waitFor(async () => (await fetch(`${server.url}/readyz`).catch(() => null))?.ok === true, 30_000, () => `the server never became ready:\n${server.output()}`);
  return server;
}

/** Starts the built server without waiting for it (for starts that must fail). */
export function spawnServerProcess(buildDir: string, env: Record<string, string> & { PORT: string }): ServerProcess {
  const child = spawn(process.execPath, [join(buildDir, 'src/main.js')], {
    cwd: REPO,
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', SIFT_API_KEYS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed: string[] = [];
  child.stdout!.on('data', (part: Buffer) => printed.push(part.toString()));
  child.stderr!.on('data', (part: Buffer) => printed.push(part.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { url: `http://127.0.0.1:${env.PORT}`, child, output: () => printed.join(''), exited };
}

/** Process ids whose parent is `pid` (Linux /proc). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of stat is the parent pid; the name in field 2 may hold spaces, so split after ")".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** Polls `check` until it holds; a guard against hanging, not a timing assertion. */
export async function waitFor(check: () => boolean | Promise<boolean>, withinMs: number, why: () => string): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(why());
    await sleep(50);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
