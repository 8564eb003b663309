// Runs the real server (`node dist/src/main.js`) as a child process over an existing data
// directory. A separate process gives honest figures: the load generator in this process
// and the server each get their own event loop and core, as they would in production,
// instead of the client's work landing inside the measured request latencies.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MEASURED_SETUP } from '../common/sift-context.js';

export interface SiftServer {
  host: string;
  port: number;
  pid: number;
  /**
   * Peak resident memory of the server so far, from /proc (null where there is none): with
   * several workers, the sum over the primary and its workers (each one's own peak).
   */
  peakRssBytes(): number | null;
  stop(): Promise<void>;
}

export async function startSiftServer(repoRoot: string, dataDir: string, env: Record<string, string> = {}): Promise<SiftServer> {
  const host = '127.0.0.1';
  const port = pinnedPort() ?? (await freePort(host));
  const output: string[] = [];
  const child = spawn(process.execPath, [join(repoRoot, 'dist/src/main.js')], {
    cwd: repoRoot,
    env: { ...process.env, ...MEASURED_SETUP, PORT: String(port), HOST: host, DATA_DIR: dataDir, LOG_LEVEL: 'warn', SIFT_API_KEYS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (part: Buffer) => output.push(part.toString()));
  child.stderr?.on('data', (part: Buffer) => output.push(part.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  await waitUntilReady(host, port, child, exited, output);
  return {
    host,
    port,
    pid: child.pid!,
    peakRssBytes: () => peakRssOfTree(child.pid!),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000, undefined, { ref: false }).then(() => child.kill('SIGKILL'))]);
    },
  };
}

async function waitUntilReady(host: string, port: number, child: ChildProcess, exited: Promise<number | null>, output: string[]): Promise<void> {
  let stopped = false;
  void exited.then(() => (stopped = true));
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    if (stopped) throw new Error(`The Sift server exited with code ${child.exitCode} before it was ready:\n${output.join('')}`);
    try {
      const response = await fetch(`http://${host}:${port}/readyz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`The Sift server did not answer /readyz within 30 s:\n${output.join('')}`);
}

/**
 * BENCH_PORT pins the port of the server the bench starts (for a firewall or a profiler
 * attached by port); the servers run one after another, so they can share it.
 */
function pinnedPort(): number | null {
  const raw = process.env.BENCH_PORT;
  if (raw === undefined || raw === '') return null;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`BENCH_PORT (got "${raw}"): must be a port number from 1 to 65535`);
  return port;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function peakRssOfTree(pid: number): number | null {
  const own = peakRss(pid);
  if (own === null) return null;
  return childrenOf(pid).reduce((sum, child) => sum + (peakRss(child) ?? 0), own);
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
        .split(' ')
        .filter((entry) => entry.trim() !== '')
        .map(Number),
    );
  } catch {
    return [];
  }
}

function peakRss(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
