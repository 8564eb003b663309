// Builds the console as `npm run build` does, into a folder named by a hash of its sources, so
// every browser test file (and every later run with unchanged sources) shares one build. The
// build goes to a temporary name first and is renamed into place whole.
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const INPUTS = ['web/index.html', 'web/vite.config.ts', 'web/src', 'src/console/console-pages.ts', 'package-lock.json'];

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => filesUnder(join(path, name)));
}

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((input) => filesUnder(join(REPO, input))).sort()) {
    hash.update(relative(REPO, file)).update('\0').update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** The folder of a console built from the current sources (index.html and assets/). */
export function builtConsole(): string {
  const dir = join(REPO, '.test-build', `web-${sourceHash()}`);
  if (existsSync(join(dir, 'index.html'))) return dir;
  const staging = join(REPO, '.test-build', `web-staging-${randomUUID()}`);
  execFileSync(process.execPath, [join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--outDir', staging, '--logLevel', 'error'], { cwd: REPO, stdio: 'pipe' });
  try {
    renameSync(staging, dir);
  } catch {
    // Another test file built the same sources first.
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}
