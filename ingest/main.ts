// `npm run ingest -- <paths...> --collection <name>`: loads files and folders into a
// collection through the same modules as the server (no HTTP), or into a running server with
// --server. SQLite's WAL lets it run beside a server that uses the same DATA_DIR.
// First: on another Node.js the native SQLite module would crash the process unexplained.
import '../src/common/node-version-check.js';
import { config as loadDotenv } from 'dotenv';
import { runIngestCli } from './cli.js';

loadDotenv({ quiet: true });

// The first Ctrl-C lets the files in flight finish and prints what was done; a second one quits at once.
const interrupt = new AbortController();
process.once('SIGINT', () => {
  console.error('\nStopping after the files in progress (Ctrl-C again to quit now)...');
  interrupt.abort();
  process.once('SIGINT', () => process.exit(130));
});

runIngestCli(
  process.argv.slice(2),
  process.env,
  {
    log: (line) => console.log(line),
    error: (line) => console.error(line),
    ...(process.stderr.isTTY ? { progress: process.stderr } : {}),
  },
  { signal: interrupt.signal },
).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
