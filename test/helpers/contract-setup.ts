// Vitest setup: the end-to-end suites' traffic checked against the served OpenAPI document
// (see contract-check.ts). Installed for every file; the check runs for test/e2e/ files.
import { afterAll, expect } from 'vitest';
import { ContractRecorder } from './contract-check.js';

const recorder = new ContractRecorder(globalThis.fetch.bind(globalThis));
globalThis.fetch = recorder.fetch;

afterAll(async () => {
  const violations = await recorder.violations();
  if (!(expect.getState().testPath ?? '').includes('/test/e2e/')) return;
  expect(violations, 'answers that break the OpenAPI document the server serves').toEqual([]);
});
