// Which files of a walk are documents: --include and --exclude globs, gitignore-like. Paths
// are source names ("guides/setup.md", "/" separators, relative to the base folder).
//   - a pattern without "/" matches a name at any depth: "*.pdf", "drafts", "node_modules";
//   - a pattern with "/" is anchored at the base: "guides/**/*.md", "archive/2019";
//   - a pattern matching a folder matches everything in it, so "--exclude drafts" drops
//     drafts/a.md and the walk never enters the folder.
// Without --include every file is a candidate; --exclude wins over --include.
import picomatch from 'picomatch';
import { UsageError } from './usage-error.js';

type Matcher = (path: string) => boolean;

function compile(pattern: string): Matcher {
  const trimmed = pattern.trim().replace(/^\.\//, '').replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') throw new UsageError(`The glob "${pattern}" matches nothing; give a pattern such as "*.md" or "drafts".`);
  // picomatch's own `basename` option mishandles patterns with "/" (4.0), so a pattern
  // without one is made to match at any depth explicitly.
  return picomatch(trimmed.includes('/') ? trimmed : `**/${trimmed}`, { dot: true });
}

/** The path itself, then each folder it is in, innermost first: "a/b/c.md" → c.md's path, "a/b", "a". */
function pathAndFolders(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('/'));
}

export class PathFilter {
  private readonly include: Matcher[];
  private readonly exclude: Matcher[];

  constructor(include: readonly string[] = [], exclude: readonly string[] = []) {
    this.include = include.map(compile);
    this.exclude = exclude.map(compile);
  }

  /** Whether the file at `path` is selected. */
  selects(path: string): boolean {
    const candidates = pathAndFolders(path);
    const matchesAny = (matchers: Matcher[]) => matchers.some((match) => candidates.some((candidate) => match(candidate)));
    if (this.exclude.length > 0 && matchesAny(this.exclude)) return false;
    return this.include.length === 0 || matchesAny(this.include);
  }

  /** Whether a whole folder is excluded, so that a walk can skip it without reading it. */
  excludesFolder(path: string): boolean {
    return this.exclude.some((match) => match(path));
  }
}
