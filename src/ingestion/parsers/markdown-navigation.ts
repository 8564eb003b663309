// Recognises the parts of a Markdown page that are there to move around, not to read: a
// table of contents, a list of links, a row of badges, a "back to top" link. They share a
// shape, not words: nearly all of their text is link text (or images), so that shape is
// what is tested, on the lexed tokens rather than on the rendered text.
import type { Token, Tokens } from 'marked';

/** Words outside links that a navigation line may still have ("|", "·", "or", an arrow). */
const MAX_WORDS_OUTSIDE_LINKS = 1;
const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’_-]*/gu;
const BACK_TO_TOP = /^\W*(?:back to top|top|to top|return to top|⬆|↑)\W*$/iu;
const CONTENTS_TITLE = /^(?:table of contents|contents|toc|index|navigation|menu)$/i;
// Sections that list other projects: each item a link and a tagline, none of it about this one.
const RELATED_TITLE = /^(?:related(?: projects| packages| modules)?|see also|alternatives|similar (?:projects|packages)|other projects)$/i;
/** A lead-in shorter than this (in characters) is a term or an introduction to what follows. */
const MAX_LEAD_IN_CHARS = 200;
const MAX_TERM_CHARS = 80;

interface LinkTally {
  links: number;
  images: number;
  anchorLinks: number;
  wordsOutsideLinks: number;
  linkText: string;
}

function tally(tokens: readonly Token[], into: LinkTally, inLink = false): LinkTally {
  for (const token of tokens as Tokens.Generic[]) {
    if (token.type === 'image') {
      into.images += 1;
      continue;
    }
    if (token.type === 'link') {
      into.links += 1;
      if (typeof token.href === 'string' && token.href.startsWith('#')) into.anchorLinks += 1;
      tally(token.tokens ?? [], into, true);
      continue;
    }
    if (token.type === 'html' || token.type === 'br' || token.type === 'checkbox') continue;
    if (token.tokens !== undefined && token.tokens.length > 0) {
      tally(token.tokens, into, inLink);
      continue;
    }
    const text = typeof token.text === 'string' ? token.text : '';
    if (inLink) into.linkText += ` ${text}`;
    else into.wordsOutsideLinks += text.match(WORD)?.length ?? 0;
  }
  return into;
}

function tallyOf(tokens: readonly Token[]): LinkTally {
  return tally(tokens, { links: 0, images: 0, anchorLinks: 0, wordsOutsideLinks: 0, linkText: '' });
}

/**
 * A paragraph that is only links or images: a badge row, a row of section links, a
 * "back to top". One ordinary link with its own words around it is a sentence and stays.
 */
export function isNavigationParagraph(tokens: readonly Token[]): boolean {
  const found = tallyOf(tokens);
  if (found.links + found.images === 0 || found.wordsOutsideLinks > MAX_WORDS_OUTSIDE_LINKS) return false;
  if (found.links === 0) return true; // images alone: badges, logos
  return found.links + found.images >= 2 || found.anchorLinks > 0 || BACK_TO_TOP.test(found.linkText.trim());
}

/** A list whose every item, nested lists included, is just a link: a table of contents or a link list. */
export function isNavigationList(list: Tokens.List): boolean {
  return list.items.length > 0 && list.items.every(isLinkItem);
}

function isLinkItem(item: Tokens.ListItem): boolean {
  let links = 0;
  for (const child of item.tokens) {
    if (child.type === 'space') continue;
    if (child.type === 'list') {
      if (!isNavigationList(child as Tokens.List)) return false;
      continue;
    }
    const inline = (child as Tokens.Generic).tokens;
    if (inline === undefined) return false;
    const found = tallyOf(inline);
    if (found.wordsOutsideLinks > MAX_WORDS_OUTSIDE_LINKS) return false;
    links += found.links;
  }
  return links > 0;
}

/** Link bars are short; longer HTML is content, and the size bound keeps the scans below cheap. */
const MAX_NAVIGATION_HTML_CHARS = 4000;
const HTML_ANCHOR = /<a\b[^<>]*>([^<]*(?:<(?!\/a>)[^<]*)*)<\/a>/gi;
const HTML_TAG = /<[^<>]*>/g;

/** An HTML block of links and images only (badge rows and link bars written as HTML). */
export function isNavigationHtml(html: string): boolean {
  if (html.length > MAX_NAVIGATION_HTML_CHARS) return false;
  const anchors = html.match(HTML_ANCHOR)?.length ?? 0;
  const images = html.match(/<img\b/gi)?.length ?? 0;
  if (anchors + images === 0) return false;
  const outside = html.replace(/<!--[\s\S]*?(?:-->|$)/g, '').replace(HTML_ANCHOR, ' ').replace(HTML_TAG, ' ');
  const words = outside.replace(/&[a-z]+;|&#\d+;/gi, ' ').match(WORD)?.length ?? 0;
  return words <= MAX_WORDS_OUTSIDE_LINKS && (anchors + images >= 2 || anchors === 0);
}

export function isTableOfContentsHeading(text: string): boolean {
  return CONTENTS_TITLE.test(text.trim()) || RELATED_TITLE.test(text.trim());
}

/** A "Related" or "See also" list: under such a heading, every item opens with a link. */
export function isRelatedList(list: Tokens.List, heading: string | undefined): boolean {
  if (heading === undefined || !RELATED_TITLE.test(heading.trim())) return false;
  return list.items.every((item) => {
    const first = item.tokens.find((child) => child.type !== 'space') as Tokens.Generic | undefined;
    const inline = (first?.tokens ?? []).filter((token) => !(token.type === 'text' && token.raw.trim() === ''));
    return inline[0]?.type === 'link' || (inline[0]?.type === 'strong' && inline[0].tokens?.[0]?.type === 'link');
  });
}

/**
 * A paragraph that introduces the next block: "Install it with:" before a code block, or a
 * bare term (`maxAge`, **Options**) before its description. The chunker keeps it with what follows.
 */
export function isLeadIn(text: string, tokens: readonly Token[]): boolean {
  if (text.length <= MAX_LEAD_IN_CHARS && text.endsWith(':')) return true;
  if (text.length > MAX_TERM_CHARS || tokens.length !== 1) return false;
  return tokens[0]!.type === 'codespan' || tokens[0]!.type === 'strong';
}
