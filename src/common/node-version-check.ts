// Imported first by every entry point: on another Node.js major, the native SQLite module
// can crash the process with a segmentation fault and no word of why. Say it plainly first.
const REQUIRED_MAJOR = 24;

export function nodeVersionProblem(version: string = process.versions.node): string | null {
  const major = Number(version.split('.')[0]);
  if (major === REQUIRED_MAJOR) return null;
  return (
    `Sift needs Node.js ${REQUIRED_MAJOR}, and this is Node.js ${version}. ` +
    `Run it through npm (npm start, npm run ingest, ...), which uses the project's own Node ${REQUIRED_MAJOR} from node_modules, ` +
    `or run node_modules/.bin/node dist/src/main.js, or install Node.js ${REQUIRED_MAJOR}.`
  );
}

const problem = nodeVersionProblem();
if (problem) {
  console.error(problem);
  process.exit(1);
}
