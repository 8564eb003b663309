// Lists the files under a folder, depth first in name order so runs are repeatable.
// Hidden files and folders (".git", ".DS_Store") are skipped: they are never documents.
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface FoundFile {
  absolutePath: string;
  /** Path relative to the walked folder with "/" separators: the document's source name. */
  relativePath: string;
}

export async function walkFolder(root: string): Promise<FoundFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const absolutePath = join(entry.parentPath, entry.name);
      return { absolutePath, relativePath: relative(root, absolutePath).split(sep).join('/') };
    })
    .filter((file) => !file.relativePath.split('/').some((part) => part.startsWith('.')))
    .sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
}
