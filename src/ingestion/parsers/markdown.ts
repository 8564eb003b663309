// Markdown keeps its source as the document text: chunks then show the reader what the author
// wrote, fences and list markers included. marked's lexer supplies the structure; each
// top-level token becomes a block covering its own stretch of the source.
import { marked, type Token, type Tokens } from 'marked';
import type { BlockKind, ParsedDocument, TextBlock } from '../document-types.js';
import { normalizeLineEndings, trimmedRange } from './plain-text.js';

const KIND_BY_TOKEN_TYPE: Readonly<Record<string, BlockKind | null>> = {
  heading: 'heading',
  paragraph: 'paragraph',
  text: 'paragraph',
  html: 'paragraph',
  code: 'code',
  list: 'list',
  table: 'table',
  blockquote: 'quote',
  // Carry no readable text of their own.
  space: null,
  hr: null,
  def: null,
};

// YAML front matter (Jekyll, Hugo, Docusaurus) is metadata; lexed as Markdown it turns into a
// rule and a bogus "title: ..." heading.
const FRONT_MATTER = /^---[ \t]*\n(?:[^\n]*\n)*?(?:---|\.\.\.)[ \t]*(?:\n|$)/;
const HTML_COMMENT_ONLY = /^<!--[\s\S]*-->$/;

export function parseMarkdown(raw: string): ParsedDocument {
  const text = normalizeLineEndings(raw);
  const bodyStart = FRONT_MATTER.exec(text)?.[0].length ?? 0;
  // Fresh options each call: marked's global defaults can be changed by any other importer.
  const tokens = marked.lexer(text.slice(bodyStart), { gfm: true });

  const blocks: TextBlock[] = [];
  let title: string | null = null;
  let cursor = bodyStart;
  for (const token of tokens) {
    // Top-level raws tile the source in order; searching forward stays linear and copes if a
    // future marked version trims a raw.
    const at = text.startsWith(token.raw, cursor) ? cursor : text.indexOf(token.raw, cursor);
    if (at === -1) continue;
    cursor = at + token.raw.length;

    // Token types from marked extensions are kept as paragraphs rather than lost.
    const kind = KIND_BY_TOKEN_TYPE[token.type] ?? (token.type in KIND_BY_TOKEN_TYPE ? null : 'paragraph');
    if (kind === null) continue;
    if (token.type === 'html' && HTML_COMMENT_ONLY.test(token.raw.trim())) continue;

    if (kind === 'heading') {
      const heading = token as Tokens.Heading;
      const block = headingBlock(text, at, heading);
      if (block !== null) blocks.push(block);
      if (title === null && heading.depth === 1) title = plainText(heading.tokens).trim() || null;
      continue;
    }
    const range = trimmedRange(text, at, cursor);
    if (range.end > range.start) blocks.push({ kind, text: text.slice(range.start, range.end), ...range });
  }
  return { format: 'markdown', title, text, blocks };
}

/** A heading block covers only the heading's words, not the `#` marks or setext underline. */
function headingBlock(text: string, at: number, heading: Tokens.Heading): TextBlock | null {
  const inner = heading.text.trim();
  if (inner === '') return null;
  const offset = heading.raw.indexOf(inner);
  const start = offset === -1 ? at : at + offset;
  const range = offset === -1 ? trimmedRange(text, at, at + heading.raw.length) : { start, end: start + inner.length };
  return { kind: 'heading', level: heading.depth, text: text.slice(range.start, range.end), ...range };
}

/** The reader-visible text of inline tokens: emphasis marks and link targets dropped. */
function plainText(tokens: Token[] | undefined): string {
  if (tokens === undefined) return '';
  let out = '';
  for (const token of tokens as Tokens.Generic[]) {
    if (token.type === 'br') out += ' ';
    else if (token.type === 'html' || token.type === 'tag') continue;
    else if (token.tokens !== undefined && token.tokens.length > 0) out += plainText(token.tokens);
    else if (typeof token.text === 'string') out += token.text;
  }
  return out;
}
