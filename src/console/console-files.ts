// Finds the built console (index.html and its assets) and reads what serving it needs once, at
// start: the page itself, and each asset with a gzipped copy. A build is immutable and small
// (about 120 KB), so requests never touch the file system, and a browser that takes gzip gets
// the compressed bytes without compressing on every request.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface ConsoleAsset {
  body: Buffer;
  gzipped: Buffer;
}

export interface ConsoleFiles {
  dir: string;
  indexHtml: string;
  /** By file name; dot files are never served. */
  assets: ReadonlyMap<string, ConsoleAsset>;
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
  const assets = new Map<string, ConsoleAsset>();
  if (existsSync(assetsDir)) {
    for (const entry of readdirSync(assetsDir, { withFileTypes: true })) {
      if (!entry.isFile() || entry.name.startsWith('.')) continue;
      const body = readFileSync(join(assetsDir, entry.name));
      assets.set(entry.name, { body, gzipped: gzipSync(body) });
    }
  }
  return { dir, indexHtml: readFileSync(indexPath, 'utf8'), assets };
}
