import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config.js';
import { processRoleFrom } from './process-role.js';

describe('processRoleFrom', () => {
  it('is the single process when no primary set a worker slot', () => {
    expect(processRoleFrom({})).toEqual({ slot: 1, clustered: false, runsJobs: true, startsAlone: true });
    expect(processRoleFrom({ SIFT_WORKER_SLOT: 'x' })).toMatchObject({ clustered: false });
  });

  it('gives jobs to worker 1, and the start-up cleaning only to its first start', () => {
    expect(processRoleFrom({ SIFT_WORKER_SLOT: '1', SIFT_WORKER_FIRST_START: '1' })).toEqual({ slot: 1, clustered: true, runsJobs: true, startsAlone: true });
    expect(processRoleFrom({ SIFT_WORKER_SLOT: '1' })).toEqual({ slot: 1, clustered: true, runsJobs: true, startsAlone: false });
    expect(processRoleFrom({ SIFT_WORKER_SLOT: '2', SIFT_WORKER_FIRST_START: '1' })).toEqual({ slot: 2, clustered: true, runsJobs: false, startsAlone: false });
  });
});

describe('SIFT_WORKERS', () => {
  it('is 1 by default, a count, or one per core with "auto"', () => {
    expect(loadConfig({}).values.SIFT_WORKERS).toBe(1);
    expect(loadConfig({ SIFT_WORKERS: '3' }).values.SIFT_WORKERS).toBe(3);
    expect(loadConfig({ SIFT_WORKERS: 'auto' }).values.SIFT_WORKERS).toBeGreaterThanOrEqual(1);
  });

  it('names the variable and what is allowed when the value is bad', () => {
    expect(() => loadConfig({ SIFT_WORKERS: '0' })).toThrow(/SIFT_WORKERS \(got "0"\).*1 to 64, or "auto"/);
    expect(() => loadConfig({ SIFT_WORKERS: 'many' })).toThrow(/SIFT_WORKERS \(got "many"\)/);
  });
});
