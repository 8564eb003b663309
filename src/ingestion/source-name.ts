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
  const shown = JSON.stringify(clipped).replace(CONTROL_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  throw new SiftError(ErrorCode.InvalidSourceName, `Source name ${shown} ${problem}.`, { sourceName: raw.slice(0, 600) });
}
