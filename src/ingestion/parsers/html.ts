// HTML pages carry a lot besides their content: navigation, banners, scripts, forms. This
// parser keeps the main content as a sequence of readable blocks and builds the document
// text by joining them, so offsets point into clean text rather than into markup.
import { load, type CheerioAPI } from 'cheerio';
// Types only: domhandler is the DOM cheerio hands out; nothing from it is loaded at runtime.
import type { AnyNode, Element, Text } from 'domhandler';
import type { BlockKind, ParsedDocument } from '../document-types.js';
import { assertHtmlDepth, DEFAULT_HTML_MAX_DEPTH } from './html-depth.js';
import { GENERATOR_BOILERPLATE, GENERATOR_CONTENT_ROOTS } from './html-boilerplate.js';
import { assembleBlocks, type BlockDraft } from './assemble-blocks.js';

/** Everything that is page furniture or not text at all. */
const NON_CONTENT =
  'script, style, noscript, template, svg, iframe, form, nav, footer, aside, ' +
  '[role=navigation], [role=banner], [role=contentinfo], [aria-hidden=true], [hidden]';

/** Where the content is, most specific first. */
const CONTENT_ROOTS = ['main', 'article', '[role=main]', ...GENERATOR_CONTENT_ROOTS, 'body'];

const HEADING_LEVEL: Readonly<Record<string, number>> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };

/** Elements read as one block each; their descendants are not walked separately. */
const BLOCK_KIND: Readonly<Record<string, BlockKind>> = {
  p: 'paragraph',
  li: 'list',
  dt: 'list',
  dd: 'list',
  pre: 'code',
  blockquote: 'quote',
};

/** Elements that flow within a line; everything else separates text. */
const INLINE_ELEMENTS = new Set([
  'a', 'abbr', 'b', 'bdi', 'bdo', 'big', 'cite', 'code', 'data', 'del', 'dfn', 'em', 'font', 'i', 'img',
  'ins', 'kbd', 'label', 'mark', 'nobr', 'q', 'rp', 'rt', 'ruby', 's', 'samp', 'small', 'span', 'strike',
  'strong', 'sub', 'sup', 'time', 'tt', 'u', 'var', 'wbr',
]);

const TABLE_CELL_SEPARATOR = ' | ';
/** Elements whose text introduces what follows: a term before its description, a note's title before the note. */
const LEAD_IN = new Set(['dt']);
const LEAD_IN_CLASSES = /\b(?:admonition-title|admonitiontitle|title)\b/;

export interface HtmlOptions {
  /** Deepest element nesting accepted (FILE_TOO_COMPLEX beyond); see html-depth.ts. */
  maxDepth?: number;
  /** For messages. */
  fileName?: string;
}

export function parseHtml(html: string, options: HtmlOptions = {}): ParsedDocument {
  assertHtmlDepth(html, options.maxDepth ?? DEFAULT_HTML_MAX_DEPTH, options.fileName ?? 'the page');
  const $ = load(html);
  // Read before page furniture is removed: a site's <h1> often sits in the page header.
  const title = collapseWhitespace($('head > title').first().text()) || firstHeading($) || null;
  removeNonContent($);
  const root = contentRoot($);
  const drafts = root === undefined ? [] : collectBlocks(root);
  return { format: 'html', title, ...assembleBlocks(drafts) };
}

function contentRoot($: CheerioAPI): Element | undefined {
  for (const selector of CONTENT_ROOTS) {
    const candidate = $(selector).get(0);
    if (candidate !== undefined && isElement(candidate)) return candidate;
  }
  return undefined;
}

function firstHeading($: CheerioAPI): string {
  const heading = $('h1').get(0);
  return heading === undefined ? '' : collapseWhitespace(textOf(heading, ' '));
}

function removeNonContent($: CheerioAPI): void {
  $(NON_CONTENT).remove();
  $(GENERATOR_BOILERPLATE).remove();
  // A <header> is the site banner only outside sectioning content; inside an article it holds
  // the article's own heading and byline, which are content (the ARIA mapping draws the same line).
  $('header')
    .filter((_, element) => $(element).parents('article, main, section').length === 0)
    .remove();
}

/** Walks the content root in document order; iterative, so deeply nested markup cannot overflow the stack. */
function collectBlocks(root: Element): BlockDraft[] {
  const drafts: BlockDraft[] = [];
  // Text that sits directly in a container (a <div>, <section> or <body>), outside any block element.
  let looseText = '';
  const flushLooseText = (): void => {
    pushDraft(drafts, { kind: 'paragraph', text: collapseWhitespace(looseText) });
    looseText = '';
  };

  const FLUSH = null;
  const pending: Array<AnyNode | typeof FLUSH> = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (node === FLUSH) {
      flushLooseText();
      continue;
    }
    if (isText(node)) {
      looseText += node.data;
      continue;
    }
    if (!isElement(node)) continue; // comments, doctype
    const name = node.name;
    const blockKind = BLOCK_KIND[name];
    const headingLevel = HEADING_LEVEL[name];
    if (name === 'br') {
      looseText += '\n';
    } else if (INLINE_ELEMENTS.has(name)) {
      pushChildren(pending, node);
    } else if (headingLevel !== undefined) {
      flushLooseText();
      pushDraft(drafts, { kind: 'heading', text: collapseWhitespace(textOf(node, ' ')), level: headingLevel });
    } else if (name === 'tr') {
      flushLooseText();
      pushDraft(drafts, { kind: 'table', text: tableRowText(node) });
    } else if (blockKind !== undefined && !(SPLITTABLE_BLOCKS.has(name) && holdsBlocks(node))) {
      flushLooseText();
      const text = blockKind === 'code' ? textOf(node, '\n').trim() : collapseWhitespace(textOf(node, ' '));
      pushDraft(drafts, { kind: blockKind, text, ...(isLeadIn(node) ? { keepWithNext: true } : {}) });
    } else {
      // A container: its loose text before, inside and after its children are separate
      // paragraphs. A list item or description holding headings, paragraphs or tables (Javadoc
      // puts whole method sections in <li>) is read as a container too, so its parts stay apart.
      flushLooseText();
      pending.push(FLUSH);
      pushChildren(pending, node);
    }
  }
  flushLooseText();
  return drafts;
}

/** Block-level children (a heading, a paragraph, a table, a division) inside a list item or description; a nested list is not one. */
function holdsBlocks(element: Element): boolean {
  return element.children.some((child) => isElement(child) && BLOCK_CHILDREN.has(child.name));
}

const SPLITTABLE_BLOCKS = new Set(['li', 'dd']);
const BLOCK_CHILDREN = new Set(['p', 'div', 'dl', 'table', 'pre', 'blockquote', 'section', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

function isLeadIn(element: Element): boolean {
  return LEAD_IN.has(element.name) || LEAD_IN_CLASSES.test(element.attribs.class ?? '');
}

function pushDraft(drafts: BlockDraft[], draft: BlockDraft): void {
  if (draft.text !== '') drafts.push(draft);
}

function pushChildren(pending: Array<AnyNode | null>, element: Element): void {
  for (let i = element.children.length - 1; i >= 0; i--) pending.push(element.children[i]!);
}

function tableRowText(row: Element): string {
  const cells = row.children.filter(
    (child): child is Element => isElement(child) && (child.name === 'td' || child.name === 'th'),
  );
  const texts = cells.map((cell) => collapseWhitespace(textOf(cell, ' ')));
  // Empty cells keep their place so columns still line up; the row as a whole is trimmed.
  return texts.every((text) => text === '') ? '' : texts.join(TABLE_CELL_SEPARATOR).trim();
}

/**
 * The text under an element, with `separator` where a line break or a non-inline element
 * divides it (cheerio's `.text()` would glue "one<br>two" into "onetwo").
 */
function textOf(element: Element, separator: string): string {
  let out = '';
  const pending: Array<AnyNode | string> = [element];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (typeof node === 'string') {
      out += node;
    } else if (isText(node)) {
      out += node.data;
    } else if (isElement(node)) {
      if (node.name === 'br') {
        out += separator;
        continue;
      }
      const divides = node !== element && !INLINE_ELEMENTS.has(node.name);
      if (divides) pending.push(separator);
      for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]!);
      if (divides) pending.push(separator);
    }
  }
  return out.replace(/\r\n?/g, '\n');
}

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// domhandler's DOM node type numbers; comparing them avoids importing its runtime guards.
const TEXT_NODE = 3;
const ELEMENT_NODE = 1;

function isText(node: AnyNode): node is Text {
  return node.nodeType === TEXT_NODE;
}

function isElement(node: AnyNode): node is Element {
  return node.nodeType === ELEMENT_NODE;
}
