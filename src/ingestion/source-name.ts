// A source name identifies a document within a collection: the uploaded file name, possibly
// with a relative folder path (`docs/guide.md`). Re-uploading the same name replaces the
// document, so two spellings of one path must normalise to the same name, and anything
// that could escape the collection or hide characters from a reader is refused, not fixed:
// a silently rewritten name would make the client lose track of its document.
import { ErrorCode, SiftError } from '../common/errors.js';

export const MAX_SOURCE_NAME_LENGTH = 512;

// Cc covers NUL, the C0 and C1 controls and DEL; none of them belongs in a file name.
const CONTROL_CHARACTER = /\p{Cc}/u;
const CONTROL_CHARACTERS = /\p{Cc}/gu;
// What a reader cannot see or that changes how the rest reads: format characters (bidi
// overrides and isolates, zero-width spaces and joiners, the BOM, soft hyphens), line and
// paragraph separators, private-use, unassigned and lone surrogate code points.
const HIDDEN_CHARACTER = /[\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}]/u;
const HIDDEN_CHARACTERS = /[\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}]/gu;
// `C:` alone is drive-relative on Windows, so any drive prefix counts as absolute.
const WINDOWS_DRIVE = /^[A-Za-z]:/;
const REPEATED_SLASHES = /\/{2,}/g;
const LEADING_DOT_SLASHES = /^(?:\.\/)+/;

/** Returns the canonical form of a source name, or throws INVALID_SOURCE_NAME saying why. */
export function sanitizeSourceName(raw: string): string {
  const trimmed = raw.trim();
  if (CONTROL_CHARACTER.test(trimmed)) {
    reject(raw, 'contains a control character (such as NUL, a tab or a newline); remove it from the file name');
  }
  const hidden = HIDDEN_CHARACTER.exec(raw);
  if (hidden) {
    reject(raw, `contains the invisible or direction-changing character ${codePoint(hidden[0])}, which would hide the real name from a reader; remove it from the file name`);
  }
  const slashed = trimmed.normalize('NFC').replaceAll('\\', '/');
  // Checked before slashes are collapsed, so that `//server/share` is seen as the UNC path it is.
  if (slashed.startsWith('/') || WINDOWS_DRIVE.test(slashed)) {
    reject(raw, 'is an absolute path; send the file name, or a path relative to the collection such as "docs/guide.md"');
  }
  const name = slashed.replace(REPEATED_SLASHES, '/').replace(LEADING_DOT_SLASHES, '');
  if (name === '') {
    reject(raw, 'is empty; give the document a file name such as "guide.md"');
  }
  if (name.endsWith('/')) {
    reject(raw, 'ends with "/", which names a folder; add the file name after the last "/"');
  }
  for (const segment of name.split('/')) {
    if (segment === '..') {
      reject(raw, 'contains a ".." segment, which would point outside the collection; use a path without ".."');
    }
    if (segment === '.') {
      reject(raw, 'contains a "." segment, which names the current folder; remove it (send "docs/guide.md", not "docs/./guide.md")');
    }
  }
  // Counted in code points, so a name in a non-Latin script gets the same allowance.
  const length = [...name].length;
  if (length > MAX_SOURCE_NAME_LENGTH) {
    reject(raw, `is ${length} characters long; use at most ${MAX_SOURCE_NAME_LENGTH}`);
  }
  return name;
}

function reject(raw: string, problem: string): never {
  // Control characters are shown as \uXXXX escapes instead of being printed into logs and
  // terminals (JSON.stringify alone leaves DEL and the C1 controls raw).
  const clipped = raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
  const shown = JSON.stringify(clipped)
    .replace(CONTROL_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(HIDDEN_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  throw new SiftError(ErrorCode.InvalidSourceName, `Source name ${shown} ${problem}.`, { sourceName: raw.slice(0, 600) });
}

function codePoint(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Refuses an upload that names one document twice (the same name, or two spellings of it
 * such as `a.md` and `./a.md`): which copy would win is a race, so nothing is stored and the
 * client is told which names collide. Names that are invalid on their own are left to fail
 * one by one.
 */
export function assertDistinctSourceNames(fileNames: readonly string[]): void {
  const byName = new Map<string, string[]>();
  for (const fileName of fileNames) {
    let name: string;
    try {
      name = sanitizeSourceName(fileName);
    } catch {
      continue;
    }
    byName.set(name, [...(byName.get(name) ?? []), fileName]);
  }
  const repeated = [...byName.entries()].filter(([, given]) => given.length > 1);
  if (repeated.length === 0) return;
  const listed = repeated.map(([name, given]) => `"${name}" (${given.length} times${new Set(given).size > 1 ? `: ${given.map((raw) => JSON.stringify(raw)).join(', ')}` : ''})`).join(', ');
  throw new SiftError(ErrorCode.DuplicateFileName, `The upload names the same document more than once: ${listed}; send each file once, or give the copies different names.`, {
    duplicates: repeated.map(([name]) => name),
  });
}
