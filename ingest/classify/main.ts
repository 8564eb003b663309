// `npm run classify -- <file> --labels A,B,C [--column text] [--out file]`: see cli.ts.
// First: on another Node.js the native SQLite module would crash the process unexplained.
import '../../src/common/node-version-check.js';
import { config as loadDotenv } from 'dotenv';
import { runClassifyCli } from './cli.js';

loadDotenv({ quiet: true });

// The first Ctrl-C lets the batches in flight finish and be written; a second one quits at once.
const interrupt = new AbortController();
process.once('SIGINT', () => {
  console.error('\nStopping after the batches in progress (Ctrl-C again to quit now)...');
  interrupt.abort();
  process.once('SIGINT', () => process.exit(130));
});

runClassifyCli(process.argv.slice(2), process.env, { log: (line) => console.log(line), error: (line) => console.error(line) }, { signal: interrupt.signal }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
