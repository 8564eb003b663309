// Vitest setup: the end-to-end suites' traffic checked against the served OpenAPI document
// (see contract-check.ts). Installed for every file; the check runs for test/e2e/ files,
// and each of those leaves what its traffic reached for contract-coverage.test.ts.
import { afterAll, expect } from 'vitest';
import { ContractRecorder } from './contract-check.js';
import { recordCoverage } from './contract-coverage-records.js';

const recorder = new ContractRecorder(globalThis.fetch.bind(globalThis));
globalThis.fetch = recorder.fetch;

afterAll(async () => {
  const violations = await recorder.violations();
  const testPath = expect.getState().testPath ?? '';
  if (!testPath.includes('/test/e2e/')) return;
  recordCoverage(testPath, recorder.coverage());
  expect(violations, 'answers that break the OpenAPI document the server serves').toEqual([]);
});
