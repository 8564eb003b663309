// `npm run ingest -- <folder> --collection <name>`: loads a folder into a collection through
// the same modules as the server (no HTTP). SQLite's WAL lets it run beside a server that
// uses the same DATA_DIR.
import { config as loadDotenv } from 'dotenv';
import { runIngestCli } from './cli.js';

loadDotenv({ quiet: true });
runIngestCli(process.argv.slice(2), process.env, { log: (line) => console.log(line), error: (line) => console.error(line) }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
