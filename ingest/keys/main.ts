// `npm run keys -- create|list|delete`: see cli.ts.
// First: on another Node.js the native SQLite module would crash the process unexplained.
import '../../src/common/node-version-check.js';
import { config as loadDotenv } from 'dotenv';
import { runKeysCli } from './cli.js';

loadDotenv({ quiet: true });

runKeysCli(process.argv.slice(2), process.env, { log: (line) => console.log(line), error: (line) => console.error(line) }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
