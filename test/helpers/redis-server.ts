// A real redis-server (Debian's /usr/bin/redis-server, which .ci/run installs) on a free
// loopback port with a temporary directory, for tests of the shared state. No fake Redis:
// Lua scripts, expiry and reconnects behave as in production.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir } from './temp-dir.js';

export const REDIS_SERVER_BINARY = process.env.REDIS_SERVER_BINARY ?? '/usr/bin/redis-server';

export interface RunningRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: a crash, not a clean shutdown); `start` brings it back on the same port. */
  kill: () => Promise<void>;
  start: () => Promise<void>;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startRedis(): Promise<RunningRedis> {
  if (!existsSync(REDIS_SERVER_BINARY)) throw new Error(`${REDIS_SERVER_BINARY} is missing: install Debian's redis-server (apt-get install -y redis-server; .ci/run does this)`);
  const dir = makeTempDir('sift-redis-');
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    // No persistence: each test run starts empty; a restart after kill() starts empty too.
    child = spawn(REDIS_SERVER_BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir.path, '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await answers(port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
      await sleep(20);
    }
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start,
    stop: async () => {
      await kill();
      dir.remove();
    },
  };
}
