// Cuts a passage into the units an extractive answer can quote: whole sentences of prose,
// whole code blocks. Passages are clean text (parsers render Markdown and HTML), with a
// blank line between blocks, so a block is either prose or code, and a heading is a block
// whose text is one of the passage's headings or, in a passage that holds several small
// sections, a short line written as a heading.
import { analyze } from '../retrieval/lexical-analyzer.js';
import type { RankedChunk } from '../retrieval/search-types.js';

export interface AnswerUnit {
  /** A sentence, or a whole code block. */
  text: string;
  kind: 'sentence' | 'code';
  chunkIndex: number;
  /** Index of the block within the passage, and of the unit within the passage. */
  block: number;
  position: number;
  terms: Set<string>;
  /** The words inside its camelCase identifiers (`maxThreads`: max, thread), which may abbreviate a question's words. */
  identifierParts: Set<string>;
  /** Terms of the passage's title and heading path: what the unit is about. */
  contextTerms: Set<string>;
  /** The heading path as words, for questions whose cue is a stop word ("Why"). */
  headingText: string;
  /** Where in the document the unit is: the passage's heading path and the heading of its section inside the passage. */
  sectionPath: string[];
  /** A sentence right before a code block, which it usually introduces. */
  introducesCode: boolean;
  /**
   * The name a unit describes, when it sits in the section of an API entry or setting
   * (`fileTypeFromBuffer(buffer, options)`, `maxAge`): a description quoted without its
   * name would not say what it describes.
   */
  term: string | null;
  /** The unit opens the description under a heading that names an API entry or setting (its type and default lines aside). */
  describesTerm: boolean;
  /** Index of the sentence within its block. */
  sentenceInBlock: number;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
const MIN_SENTENCE_WORDS = 3;
// Signs of a line of code or a shell command; prose rarely has them at these places.
const CODE_LINE = /[;{}]\s*$|^\s*(?:\$ |>\s|npm |npx |yarn |pnpm |import |export |const |let |var |function |return |await |require\(|\/\/|#!|<\/?[a-z])|\w\([^)]*\)\s*;?\s*$|^\s*[\w.$]+\s*=[^=]/;
// A heading that names an API entry or a setting: an identifier as code writes it (lower
// case first, or with a dot, underscore or $), or a call signature. "Expenses" or "Usage"
// titles a section and is not one.
const TERM_HEADING = /^(?:[a-z_$][\w$.:-]*|[\w$]+[._$][\w$.:-]*|[\w$.:]+\s*\(.*\)|\.[\w$]+\(.*\))$/;
const LIST_MARKER = /^\s*(?:[-*•]|\d+\.)\s/;
const URL_ONLY = /^\S*:\/\/\S*$/;
const MAX_HEADING_WORDS = 8;
// "Type: number", "Default: 0": the facts an API entry lists before it says what it does.
const FACT_LINES = /^(?:(?:Type|Default|Minimum|Maximum|Required|Values?|Since|Added in)\b[^\n]*(?:\n|$))+$/i;

export function answerUnitsOf(chunk: RankedChunk, chunkIndex: number): AnswerUnit[] {
  const headings = new Set([...chunk.headingPath, ...(chunk.title ? [chunk.title] : [])].map((text) => text.trim()));
  const pathTerms = new Set(analyze([...headings].join(' ')));
  const pathText = chunk.headingPath.join(' > ').toLowerCase();
  const units: AnswerUnit[] = [];
  const blocks = chunk.text.split(/\n{2,}/).map((raw) => raw.trim());
  // The section's own heading names a thing when it is an identifier (not the document's
  // title: that names the whole page).
  const sectionHeading = chunk.headingPath.length > 1 ? chunk.headingPath.at(-1) : undefined;
  // A passage may hold several small sections: the heading of the one a block sits in adds
  // to the context, and names what the blocks under it describe.
  let contextTerms = pathTerms;
  let headingText = pathText;
  let sectionPath = chunk.headingPath;
  let term: string | null = null;
  let described = false;
  for (const [block, text] of blocks.entries()) {
    if (text === '') continue;
    if (headings.has(text)) {
      term = text === sectionHeading && TERM_HEADING.test(text) ? text : null;
      described = false;
      continue;
    }
    if (isInnerHeading(text, blocks[block + 1])) {
      contextTerms = new Set([...pathTerms, ...analyze(text)]);
      headingText = `${pathText} > ${text.toLowerCase()}`;
      sectionPath = [...chunk.headingPath, text];
      term = TERM_HEADING.test(text) ? text : null;
      described = false;
      continue;
    }
    const lines = text.split('\n');
    const describesTerm = term !== null && !described && !isCodeBlock(lines) && !FACT_LINES.test(text);
    if (describesTerm) described = true;
    let sentenceInBlock = 0;
    const add = (unit: Pick<AnswerUnit, 'text' | 'kind'>) =>
      units.push({
        ...unit, chunkIndex, block, position: units.length, ...termsOf(unit.kind === 'code' ? withoutComments(unit.text) : unit.text), contextTerms, headingText, sectionPath, introducesCode: false,
        term, describesTerm: describesTerm && sentenceInBlock === 0, sentenceInBlock: sentenceInBlock++,
      });
    if (isCodeBlock(lines)) {
      // Code is judged as a whole block (its lines make sense together); the answer quotes its
      // best lines. A blank line inside a code block splits it in the passage text: rejoin.
      const previous = units.at(-1);
      if (previous?.kind === 'code' && previous.block === block - 1) {
        previous.text += `\n\n${text}`;
        previous.block = block;
        const more = termsOf(withoutComments(text));
        for (const term of more.terms) previous.terms.add(term);
        for (const part of more.identifierParts) previous.identifierParts.add(part);
      } else {
        add({ text, kind: 'code' });
      }
      continue;
    }
    for (const line of lines) {
      for (const { segment } of segmenter.segment(line)) {
        const sentence = segment.replace(/\s+/g, ' ').trim();
        if (sentence.split(' ').length < MIN_SENTENCE_WORDS || URL_ONLY.test(sentence)) continue;
        add({ text: sentence, kind: 'sentence' });
      }
    }
    const last = units.at(-1);
    const nextIsCode = blocks[block + 1] !== undefined && isCodeBlock(blocks[block + 1]!.split('\n'));
    if (last && last.block === block && nextIsCode) last.introducesCode = true;
  }
  return units;
}

/**
 * A heading inside a passage that holds several sections: a short line of its own with the
 * section's text after it, not a sentence (no closing punctuation), not a command, and
 * written as headings are — an identifier, a few capitalised words, or Title Case. A
 * package's one-line description ("Strip ANSI escape codes from a string") is prose.
 */
function isInnerHeading(text: string, next: string | undefined): boolean {
  if (next === undefined || next === '' || text.includes('\n') || /[.!?:;,]$/.test(text)) return false;
  if (LIST_MARKER.test(text) || URL_ONLY.test(text)) return false;
  if (TERM_HEADING.test(text)) return true;
  const words = text.split(/\s+/);
  if (words.length > MAX_HEADING_WORDS || CODE_LINE.test(text) || !/^\p{Lu}/u.test(text)) return false;
  const long = words.filter((word) => word.length > 3);
  return words.length <= 3 || long.filter((word) => /^\P{Ll}/u.test(word)).length * 2 >= long.length;
}

/** The analyzer's terms, plus the words inside camelCase names (fileTypeFromBuffer: file, type, from, buffer). */
function termsOf(text: string): Pick<AnswerUnit, 'terms' | 'identifierParts'> {
  const terms = new Set(analyze(text));
  const identifierParts = new Set<string>();
  if (/[a-z][A-Z]/.test(text)) {
    for (const part of analyze(text.replace(/([a-z\d])([A-Z])/g, '$1 $2'))) {
      identifierParts.add(part);
      terms.add(part);
    }
  }
  return { terms, identifierParts };
}

// Comments explain code in prose; what the code does is in its own words (names, calls).
const COMMENT = /(?:^|\s)(?:\/\/|#(?!!)|<!--).*$|\/\*.*?(?:\*\/|$)|^\s*\*.*$/gm;

function withoutComments(code: string): string {
  return code.replace(COMMENT, '');
}

/** A block is code when at least half its lines look like code; list items ("- name(args)") are prose. */
function isCodeBlock(lines: readonly string[]): boolean {
  if (lines.every((line) => LIST_MARKER.test(line))) return false;
  return lines.filter((line) => CODE_LINE.test(line)).length * 2 >= lines.length;
}
