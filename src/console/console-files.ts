// Finds the built console (index.html and its assets) and reads what serving it needs once, at
// start: the page itself and the names of its asset files. A build is immutable, so a request
// never touches the file system to decide whether an asset exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ConsoleFiles {
  dir: string;
  indexHtml: string;
  assetsDir: string;
  assets: ReadonlySet<string>;
}

/** The folder holding this package's package.json, found upwards from this module (src/ or dist/src/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the console module');
    dir = parent;
  }
  return dir;
}

/** `SIFT_UI_DIR`, or `dist/web` of this package, where `npm run build` writes the console. */
export function consoleDir(configured: string | undefined): string {
  return configured ? resolve(configured) : join(packageRoot(), 'dist', 'web');
}

/** The built console in `dir`, or null when there is none (not built yet). */
export function readConsoleFiles(dir: string): ConsoleFiles | null {
  const indexPath = join(dir, 'index.html');
  if (!existsSync(indexPath)) return null;
  const assetsDir = join(dir, 'assets');
  const assets = existsSync(assetsDir) ? readdirSync(assetsDir, { withFileTypes: true }).filter((entry) => entry.isFile() && !entry.name.startsWith('.')).map((entry) => entry.name) : [];
  return { dir, indexHtml: readFileSync(indexPath, 'utf8'), assetsDir, assets: new Set(assets) };
}
