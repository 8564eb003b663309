// What this process does when Sift runs as several worker processes on one data directory
// (SIFT_WORKERS > 1, node:cluster). Every worker serves HTTP. Background jobs run in worker 1
// only, so a job is never run twice and a restart's recovery cannot take over a job another
// process is running; the others store the jobs they accept and worker 1 picks them up. The
// primary process sets the variables read here when it forks a worker.

export const WORKER_SLOT_VARIABLE = 'SIFT_WORKER_SLOT';
export const FIRST_START_VARIABLE = 'SIFT_WORKER_FIRST_START';

export interface ProcessRole {
  /** 1 to SIFT_WORKERS; 1 when Sift runs as one process. */
  slot: number;
  /** Whether other worker processes serve the same port and data directory. */
  clustered: boolean;
  /** Whether this process runs background jobs (one process does). */
  runsJobs: boolean;
  /**
   * Whether no other process uses the data directory while this one starts: the first start
   * of a server, not a worker replaced after a crash. Only then may leftovers of an earlier
   * run (half-received uploads, orphaned spool folders) be cleared.
   */
  startsAlone: boolean;
}

export const SINGLE_PROCESS: ProcessRole = { slot: 1, clustered: false, runsJobs: true, startsAlone: true };

export function processRoleFrom(env: Record<string, string | undefined>): ProcessRole {
  const slot = Number(env[WORKER_SLOT_VARIABLE]);
  if (!Number.isInteger(slot) || slot < 1) return SINGLE_PROCESS;
  return { slot, clustered: true, runsJobs: slot === 1, startsAlone: slot === 1 && env[FIRST_START_VARIABLE] === '1' };
}
