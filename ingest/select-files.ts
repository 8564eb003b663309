// Turns the paths on the command line into the files to ingest, each with its source name:
// its path relative to the base folder, with "/" separators. The base is the one folder
// given, or else the common parent folder of all paths (or --base), so names do not depend
// on the directory the CLI runs from. Folders are walked depth first in name order so runs
// are repeatable; hidden files and folders (".git", ".DS_Store") are skipped, as are
// symbolic links to folders (they can form cycles); links to files are followed.
import { readdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from './usage-error.js';
import type { PathFilter } from './path-filter.js';

/** A path given on the command line. */
export interface IngestRoot {
  absolutePath: string;
  /** Relative to the base, "/" separated; "" when the root is the base itself. */
  relativePath: string;
  isFolder: boolean;
}

export interface SelectedFile {
  absolutePath: string;
  /** The document's source name in the collection. */
  source: string;
  sizeBytes: number;
}

export interface FileSelection {
  base: string;
  roots: IngestRoot[];
  files: SelectedFile[];
}

const toSourcePath = (path: string): string => path.split(sep).join('/').normalize('NFC');

/** Whether `path` is `folder` or lies inside it. */
function isWithin(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

export const isHidden = (relativePath: string): boolean => relativePath.split('/').some((part) => part.startsWith('.'));

function commonFolder(folders: string[]): string {
  let common = folders[0]!;
  for (const folder of folders.slice(1)) {
    while (!isWithin(common, folder)) {
      const parent = dirname(common);
      if (parent === common) break;
      common = parent;
    }
  }
  return common;
}

async function resolveRoots(paths: string[], baseOption: string | undefined): Promise<{ base: string; roots: IngestRoot[] }> {
  const found: Array<{ absolutePath: string; isFolder: boolean }> = [];
  for (const path of paths) {
    const absolutePath = resolve(path);
    const info = await stat(absolutePath).catch(() => null);
    if (!info) throw new UsageError(`"${path}" does not exist.`);
    if (!info.isFile() && !info.isDirectory()) throw new UsageError(`"${path}" is neither a file nor a folder.`);
    found.push({ absolutePath, isFolder: info.isDirectory() });
  }
  let base: string;
  if (baseOption !== undefined) {
    base = resolve(baseOption);
    if (!(await stat(base).catch(() => null))?.isDirectory()) throw new UsageError(`--base "${baseOption}" is not a folder.`);
  } else if (found.length === 1 && found[0]!.isFolder) {
    base = found[0]!.absolutePath;
  } else {
    base = commonFolder(found.map((root) => (root.isFolder ? root.absolutePath : dirname(root.absolutePath))));
  }
  const roots = found.map((root) => {
    const relativePath = relative(base, root.absolutePath);
    if (!isWithin(base, root.absolutePath)) {
      throw new UsageError(`"${root.absolutePath}" is not inside the base folder "${base}".`);
    }
    if (!root.isFolder && relativePath === '') throw new UsageError(`"${root.absolutePath}" is a file; --base must be a folder that contains it.`);
    return { ...root, relativePath: toSourcePath(relativePath) };
  });
  return { base, roots };
}

async function walk(base: string, folder: string, filter: PathFilter, into: Map<string, SelectedFile>): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const absolutePath = join(folder, entry.name);
    const source = toSourcePath(relative(base, absolutePath));
    let info: { isFile: () => boolean; isDirectory: () => boolean; size?: number } = entry;
    if (entry.isSymbolicLink()) {
      const target = await stat(absolutePath).catch(() => null);
      if (!target?.isFile()) continue;
      info = target;
    }
    if (info.isDirectory()) {
      if (!filter.excludesFolder(source)) await walk(base, absolutePath, filter, into);
    } else if (info.isFile() && filter.selects(source)) {
      into.set(source, { absolutePath, source, sizeBytes: info.size ?? (await stat(absolutePath)).size });
    }
  }
}

export async function selectFiles(paths: string[], options: { base?: string; filter: PathFilter }): Promise<FileSelection> {
  const { base, roots } = await resolveRoots(paths, options.base);
  const files = new Map<string, SelectedFile>();
  for (const root of roots) {
    if (root.isFolder) {
      if (root.relativePath === '' || !options.filter.excludesFolder(root.relativePath)) await walk(base, root.absolutePath, options.filter, files);
    } else if (options.filter.selects(root.relativePath)) {
      files.set(root.relativePath, { absolutePath: root.absolutePath, source: root.relativePath, sizeBytes: (await stat(root.absolutePath)).size });
    }
  }
  const sorted = [...files.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  return { base, roots, files: sorted };
}
