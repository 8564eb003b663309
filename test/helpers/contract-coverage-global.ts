// Vitest global setup: one folder per run for the end-to-end files' coverage records.
import { openCoverageRecords } from './contract-coverage-records.js';

export default function setup(): () => void {
  return openCoverageRecords();
}
