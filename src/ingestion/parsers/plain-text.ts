// Plain text has no markup, so the only structure worth keeping is the paragraph: a run of
// non-blank lines. Blocks point into the line-ending-normalised text, trimmed of the
// whitespace around them.
import type { ParsedDocument, TextBlock } from '../document-types.js';

export function parsePlainText(raw: string): ParsedDocument {
  const text = normalizeLineEndings(raw);
  return { format: 'text', title: null, text, blocks: paragraphsOf(text) };
}

/** `\r\n` and old Mac `\r` both become `\n`, so offsets do not depend on the author's editor. */
export function normalizeLineEndings(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function paragraphsOf(text: string): TextBlock[] {
  const blocks: TextBlock[] = [];
  let paragraphStart = -1; // offset of the first non-blank line of the open paragraph
  let paragraphEnd = -1; // end of its last non-blank line
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    if (isBlank(text, lineStart, lineEnd)) {
      if (paragraphStart !== -1) blocks.push(trimmedBlock(text, paragraphStart, paragraphEnd));
      paragraphStart = -1;
    } else {
      if (paragraphStart === -1) paragraphStart = lineStart;
      paragraphEnd = lineEnd;
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  if (paragraphStart !== -1) blocks.push(trimmedBlock(text, paragraphStart, paragraphEnd));
  return blocks;
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (!isWhitespace(text.charCodeAt(i))) return false;
  }
  return true;
}

function trimmedBlock(text: string, start: number, end: number): TextBlock {
  const range = trimmedRange(text, start, end);
  return { kind: 'paragraph', text: text.slice(range.start, range.end), ...range };
}

/** Narrows `[start, end)` of `text` so that it neither starts nor ends with whitespace. */
export function trimmedRange(text: string, start: number, end: number): { start: number; end: number } {
  let from = start;
  let to = end;
  while (from < to && isWhitespace(text.charCodeAt(from))) from++;
  while (to > from && isWhitespace(text.charCodeAt(to - 1))) to--;
  return { start: from, end: to };
}

const NON_ASCII_WHITESPACE = /\s/;

/** The same characters as `String.prototype.trim` removes. */
function isWhitespace(code: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return NON_ASCII_WHITESPACE.test(String.fromCharCode(code));
}
