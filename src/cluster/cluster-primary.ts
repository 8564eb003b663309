// The primary process when SIFT_WORKERS > 1. It serves no requests: it forks the workers,
// which share the listening socket (node:cluster hands connections out in turn), replaces a
// worker that dies, stops them all on SIGTERM or SIGINT, and sums their metrics for /metrics.
import { Logger } from '@nestjs/common';
import cluster, { type Worker } from 'node:cluster';
import { serveClusterMetrics } from './cluster-metrics.js';
import { FIRST_START_VARIABLE, WORKER_SLOT_VARIABLE } from './process-role.js';
import { RestartPolicy } from './restart-policy.js';

const RESTART_DELAY_MS = 1_000;
/** Workers give jobs in flight 10 s to finish; past this they are killed. */
const STOP_GRACE_MS = 20_000;

export async function runPrimary(workers: number): Promise<void> {
  const logger = new Logger('Cluster');
  const slots = new Map<Worker, number>();
  const restarts = new RestartPolicy();
  let stopping = false;
  /** Set once worker 1 listens; a worker dying before that is a failed start, not a crash. */
  let serving = false;

  const fork = (slot: number, firstStart: boolean): Worker => {
    const worker = cluster.fork({ [WORKER_SLOT_VARIABLE]: String(slot), [FIRST_START_VARIABLE]: firstStart ? '1' : '0' });
    slots.set(worker, slot);
    return worker;
  };

  const stopAll = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    process.exitCode = exitCode;
    if (slots.size === 0) process.exit(exitCode);
    for (const worker of slots.keys()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      logger.error(`Workers still running ${STOP_GRACE_MS / 1000} s after the stop; killing them.`);
      for (const worker of slots.keys()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, STOP_GRACE_MS).unref();
  };

  serveClusterMetrics((listener) => cluster.on('message', (worker, message) => listener((reply) => worker.send(reply), message)));

  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.get(worker);
    slots.delete(worker);
    if (stopping) {
      if (slots.size === 0) process.exit();
      return;
    }
    if (!serving) return;
    if (!restarts.allowRestart(Date.now())) {
      logger.fatal(`Workers died ${restarts.recentDeaths} times within a minute; stopping. The log above says why.`);
      stopAll(1);
      return;
    }
    logger.error(`Worker ${slot} (pid ${worker.process.pid}) exited with ${signal ?? `code ${code}`}; starting a new one in ${RESTART_DELAY_MS / 1000} s.`);
    setTimeout(() => {
      if (!stopping && slot !== undefined) fork(slot, false);
    }, RESTART_DELAY_MS);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      logger.log(`${signal}: stopping ${slots.size} worker(s).`);
      stopAll(0);
    });
  }

  // Worker 1 starts alone: it migrates the store, clears leftovers and recovers jobs before
  // any other process opens the data directory.
  const first = fork(1, true);
  const started = await new Promise<boolean>((resolve) => {
    first.once('listening', () => resolve(true));
    first.once('exit', () => resolve(false));
  });
  if (!started) {
    logger.fatal('Worker 1 stopped before it was listening; the log above says why.');
    stopAll(1);
    return;
  }
  serving = true;
  for (let slot = 2; slot <= workers; slot++) fork(slot, false);
  logger.log(`${workers} workers serve the port; background jobs run in worker 1.`);
}
