// Where each end-to-end file leaves what its traffic reached, for the coverage check that
// runs after every other file (vitest.config.ts orders the two projects). The folder is made
// once per run by contract-coverage-global.ts and named in the environment of every worker.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ContractCoverage } from './contract-check.js';

const RECORDS_DIR_VARIABLE = 'SIFT_CONTRACT_RECORDS_DIR';

export interface FileCoverage extends ContractCoverage {
  file: string;
}

/** Makes this run's folder (global setup); the returned function removes it (teardown). */
export function openCoverageRecords(): () => void {
  const dir = join(tmpdir(), `sift-contract-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  process.env[RECORDS_DIR_VARIABLE] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}

export function recordCoverage(testPath: string, coverage: ContractCoverage): void {
  const dir = process.env[RECORDS_DIR_VARIABLE];
  if (!dir) return;
  const record: FileCoverage = { file: basename(testPath), ...coverage };
  writeFileSync(join(dir, `${basename(testPath)}.json`), JSON.stringify(record));
}

/** Every record of this run; null outside a run that made the folder. */
export function readCoverageRecords(): FileCoverage[] | null {
  const dir = process.env[RECORDS_DIR_VARIABLE];
  if (!dir) return null;
  return readdirSync(dir).map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as FileCoverage);
}

export interface CoverageGaps {
  documented: string[];
  /** Documented operations no answer came from. */
  neverCalled: string[];
  /** Documented operations that only ever answered with an error. */
  neverSucceeded: string[];
}

/** What the records of a run leave out of the document the servers served. */
export function coverageGaps(records: FileCoverage[]): CoverageGaps {
  const documented = [...new Set(records.flatMap((record) => record.documented))].sort();
  const statuses = new Map<string, number[]>();
  for (const record of records) for (const [operation, answered] of Object.entries(record.reached)) statuses.set(operation, [...(statuses.get(operation) ?? []), ...answered]);
  return {
    documented,
    neverCalled: documented.filter((operation) => !statuses.has(operation)),
    neverSucceeded: documented.filter((operation) => statuses.has(operation) && !statuses.get(operation)!.some((status) => status >= 200 && status < 300)),
  };
}
