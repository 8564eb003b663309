// The usage ledger's records as a test reads them: DATA_DIR/usage.jsonl, one JSON object a line.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningSift } from './sift-server.js';

export function usageLines(sift: RunningSift): Array<Record<string, unknown>> {
  const file = join(sift.dataDir, 'usage.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) : [];
}
