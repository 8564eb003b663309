// Every route in the served OpenAPI document is exercised by the end-to-end suites: this file
// runs after all the others (its own vitest project, a later group) and reads what each
// end-to-end file's checked traffic reached (test/helpers/contract-setup.ts). A new route
// without an end-to-end test that calls it, and succeeds at least once, fails here by name.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coverageGaps, readCoverageRecords } from './helpers/contract-coverage-records.js';

const records = readCoverageRecords() ?? [];
const endToEndFiles = readdirSync(new URL('./e2e/', import.meta.url)).filter((name) => name.endsWith('.test.ts'));
const missing = endToEndFiles.filter((file) => !records.some((record) => record.file === file));
// Only a run of every end-to-end file can say a route is never called.
const wholeRun = records.length > 0 && missing.length === 0;
if (!wholeRun) console.log(`contract coverage: SKIPPED, ${missing.length} of ${endToEndFiles.length} end-to-end files did not run in this vitest run`);

describe.skipIf(!wholeRun)('the end-to-end suites cover the whole contract', () => {
  const gaps = coverageGaps(records);

  it('calls every documented operation', () => {
    expect(gaps.documented.length).toBeGreaterThan(10);
    expect(gaps.neverCalled, 'operations no end-to-end suite called').toEqual([]);
  });

  it('sees every documented operation succeed at least once', () => {
    expect(gaps.neverSucceeded, 'operations only ever answered with an error').toEqual([]);
  });
});
