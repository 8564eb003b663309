// Which stored documents a run answers for, so that --delete-missing removes exactly the
// documents whose files this run would have seen and did not find. A document is in scope
// when its source lies under one of the paths given (or is the file given), is not hidden
// below it, and passes --include/--exclude. Documents outside the scope (uploaded over HTTP,
// or loaded from other folders) are never touched.
import type { PathFilter } from './path-filter.js';
import { isHidden, type IngestRoot } from './select-files.js';

export interface StoredEntry {
  id: string;
  source: string;
  chunkCount: number;
  sizeBytes: number;
  updatedAt: string;
}

export function isInScope(source: string, roots: readonly IngestRoot[], filter: PathFilter): boolean {
  if (!filter.selects(source)) return false;
  return roots.some((root) => {
    if (!root.isFolder) return source === root.relativePath;
    if (root.relativePath === '') return !isHidden(source);
    const prefix = `${root.relativePath}/`;
    return source.startsWith(prefix) && !isHidden(source.slice(prefix.length));
  });
}

/** Stored documents in scope whose source no selected file has. */
export function documentsToDelete(stored: readonly StoredEntry[], present: ReadonlySet<string>, roots: readonly IngestRoot[], filter: PathFilter): StoredEntry[] {
  return stored.filter((entry) => !present.has(entry.source) && isInScope(entry.source, roots, filter));
}
