// Markdown becomes the text a reader of the rendered page sees: soft line breaks joined as
// Markdown renders them, links reduced to their text, images and badges dropped, inline HTML
// stripped to its text, headings as plain words, table rows as "a | b" lines, code blocks as
// code. Navigation (tables of contents, link lists, "back to top", badge rows) is left out
// altogether: it matches queries by its words and answers none of them. marked's lexer
// supplies the structure; each top-level token becomes at most one block.
import { decodeHTML } from 'entities';
import { marked, type Token, type Tokens } from 'marked';
import type { ParsedDocument } from '../document-types.js';
import { assembleBlocks, type BlockDraft } from './assemble-blocks.js';
import { isLeadIn, isNavigationHtml, isNavigationList, isNavigationParagraph, isRelatedList, isTableOfContentsHeading } from './markdown-navigation.js';
import { normalizeLineEndings } from './plain-text.js';

// YAML front matter (Jekyll, Hugo, Docusaurus) is metadata; lexed as Markdown it turns into a
// rule and a bogus "title: ..." heading.
const FRONT_MATTER = /^---[ \t]*\n(?:[^\n]*\n)*?(?:---|\.\.\.)[ \t]*(?:\n|$)/;
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const HTML_TAG = /<\/?[A-Za-z][^<>]*>/g; // [^<>]: a stray "<" ends the attempt, so scanning stays linear
const HTML_LINE_BREAK = /<br\s*\/?>|<\/(?:p|div|li|tr|h[1-6])>/gi;
const HTML_HEADING = /^<h([1-6])\b/i;
const SUMMARY = /<summary\b/i;
// GitHub's alert markers ("> [!NOTE]") are rendering hints, not words of the note.
const ALERT_MARKER = /^\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*/i;

export function parseMarkdown(raw: string): ParsedDocument {
  const source = normalizeLineEndings(raw);
  const bodyStart = FRONT_MATTER.exec(source)?.[0].length ?? 0;
  // Fresh options each call: marked's global defaults can be changed by any other importer.
  const tokens = marked.lexer(source.slice(bodyStart), { gfm: true });

  const drafts: BlockDraft[] = [];
  let title: string | null = null;
  for (const token of tokens) {
    const previous = drafts.at(-1);
    const draft = token.type === 'list' && isRelatedList(token as Tokens.List, previous?.kind === 'heading' ? previous.text : undefined) ? 'navigation' : blockOf(token);
    if (draft === 'navigation') {
      // A "Contents" heading over a dropped table of contents would head an empty section.
      if (previous?.kind === 'heading' && isTableOfContentsHeading(previous.text)) drafts.pop();
      continue;
    }
    if (draft === null || draft.text === '') continue;
    if (draft.kind === 'heading' && draft.level === 1 && title === null) title = draft.text;
    drafts.push(draft);
  }
  return { format: 'markdown', title, ...assembleBlocks(drafts) };
}

function blockOf(token: Token): BlockDraft | 'navigation' | null {
  switch (token.type) {
    case 'heading': {
      const heading = token as Tokens.Heading;
      return { kind: 'heading', level: heading.depth, text: inlineText(heading.tokens).replace(/\s+/g, ' ') };
    }
    case 'paragraph':
    case 'text': {
      const tokens = (token as Tokens.Paragraph).tokens ?? [];
      if (isNavigationParagraph(tokens)) return 'navigation';
      const text = inlineText(tokens);
      return { kind: 'paragraph', text, ...(isLeadIn(text, tokens) ? { keepWithNext: true } : {}) };
    }
    case 'code':
      return { kind: 'code', text: trimBlankLines((token as Tokens.Code).text) };
    case 'list': {
      const list = token as Tokens.List;
      if (isNavigationList(list)) return 'navigation';
      return { kind: 'list', text: listText(list, 0) };
    }
    case 'table':
      return { kind: 'table', text: tableText(token as Tokens.Table) };
    case 'blockquote': {
      const inner = ((token as Tokens.Blockquote).tokens ?? []).map(blockOf);
      const text = inner.flatMap((draft) => (draft === null || draft === 'navigation' ? [] : [draft.text])).join('\n');
      return { kind: 'quote', text: text.replace(ALERT_MARKER, '') };
    }
    case 'html': {
      if (isNavigationHtml(token.raw)) return 'navigation';
      const text = htmlText(token.raw);
      const level = HTML_HEADING.exec(token.raw.trimStart())?.[1];
      if (level !== undefined) return { kind: 'heading', level: Number(level), text: text.replace(/\s+/g, ' ') };
      // A <details> summary titles the content that follows it.
      return { kind: 'paragraph', text, ...(SUMMARY.test(token.raw) ? { keepWithNext: true } : {}) };
    }
    case 'space':
    case 'hr':
    case 'def':
      return null; // no readable text of their own
    default:
      // Token types from marked extensions are kept as paragraphs rather than lost.
      return { kind: 'paragraph', text: token.raw.trim() };
  }
}

/** The reader-visible text of inline tokens: marks, link targets, images and tags dropped. */
export function inlineText(tokens: readonly Token[] | undefined): string {
  return tidyLines(inlineParts(tokens));
}

function inlineParts(tokens: readonly Token[] | undefined): string {
  if (tokens === undefined) return '';
  let out = '';
  for (const token of tokens as Tokens.Generic[]) {
    switch (token.type) {
      case 'image':
      case 'checkbox':
        break;
      case 'html':
        // An inline <br> breaks the line; other tags vanish and leave their text (separate tokens).
        if (/^<br\b/i.test(token.raw)) out += '\n';
        break;
      case 'br':
        out += '\n';
        break;
      case 'codespan':
        out += token.text; // literal: entities in code are shown as written
        break;
      case 'text':
        out += token.tokens !== undefined && token.tokens.length > 0 ? inlineParts(token.tokens) : softBreaksJoined(decodeHTML(token.text));
        break;
      case 'escape':
        out += token.text;
        break;
      default:
        if (token.tokens !== undefined) out += inlineParts(token.tokens);
        else if (typeof token.text === 'string') out += softBreaksJoined(decodeHTML(token.text));
    }
  }
  return out;
}

function listText(list: Tokens.List, depth: number): string {
  const indent = '  '.repeat(depth);
  const start = typeof list.start === 'number' ? list.start : 1;
  return list.items
    .map((item, index) => {
      const marker = list.ordered ? `${start + index}. ` : '- ';
      const parts: string[] = [];
      for (const child of item.tokens) {
        if (child.type === 'list') parts.push(listText(child as Tokens.List, depth + 1));
        else if (child.type === 'code') parts.push((child as Tokens.Code).text);
        else if (child.type === 'html') parts.push(htmlText(child.raw));
        else if (child.type !== 'space') parts.push(inlineText((child as Tokens.Generic).tokens ?? []) || (child as Tokens.Generic).text?.trim() || '');
      }
      const [first = '', ...rest] = parts.filter((part) => part !== '');
      return [`${indent}${marker}${first}`, ...rest.map((part) => (part.startsWith(indent) ? part : `${indent}  ${part}`))].join('\n');
    })
    .filter((line) => line.trim() !== '-' && line.trim() !== '')
    .join('\n');
}

function tableText(table: Tokens.Table): string {
  const row = (cells: Tokens.TableCell[]) => cells.map((cell) => inlineText(cell.tokens).replace(/\s+/g, ' ')).join(' | ');
  return [row(table.header), ...table.rows.map(row)].filter((line) => line.replaceAll('|', '').trim() !== '').join('\n');
}

/** The text of raw HTML: comments and tags dropped, entities decoded, line breaks where the tags put them. */
function htmlText(html: string): string {
  // In HTML every run of whitespace is one space; only tags break lines.
  const flowed = html.replace(HTML_COMMENT, '').replace(/\s+/g, ' ');
  return tidyLines(decodeHTML(flowed.replace(HTML_LINE_BREAK, '\n').replace(HTML_TAG, '')));
}

/** A line break inside a paragraph is a soft break: Markdown renders it as a space. */
function softBreaksJoined(text: string): string {
  return text.replace(/[ \t]*\n[ \t]*/g, ' ');
}

/** Runs of spaces become one; each line is trimmed and empty lines dropped. */
function tidyLines(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

function trimBlankLines(code: string): string {
  return code.replace(/^(?:[ \t]*\n)+/, '').trimEnd();
}
