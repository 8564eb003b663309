// Cuts a passage into the units an extractive answer can quote: whole sentences of prose,
// single lines of code. Passages are clean text (parsers render Markdown and HTML), with a
// blank line between blocks, so a block is either prose or code, and a heading is a block
// whose text is one of the passage's headings.
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
  /** Terms of the passage's title and heading path: what the unit is about. */
  contextTerms: Set<string>;
  /** The heading path as words, for questions whose cue is a stop word ("Why"). */
  headingText: string;
  /** A sentence right before a code block, which it usually introduces. */
  introducesCode: boolean;
  /**
   * The name a unit describes, when it opens the section of an API entry or setting
   * (`fileTypeFromBuffer(buffer, options)`, `maxAge`): a description quoted without its
   * name would not say what it describes.
   */
  term: string | null;
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

export function answerUnitsOf(chunk: RankedChunk, chunkIndex: number): AnswerUnit[] {
  const headings = new Set([...chunk.headingPath, ...(chunk.title ? [chunk.title] : [])].map((text) => text.trim()));
  const contextTerms = new Set(analyze([...headings].join(' ')));
  const headingText = chunk.headingPath.join(' > ').toLowerCase();
  const units: AnswerUnit[] = [];
  const blocks = chunk.text.split(/\n{2,}/);
  // The section's own heading, when the passage opens with it and it names a thing (not the
  // document's title: that names the whole page).
  const sectionHeading = chunk.headingPath.length > 1 ? chunk.headingPath.at(-1) : undefined;
  const term = sectionHeading !== undefined && TERM_HEADING.test(sectionHeading) && blocks.some((text) => text.trim() === sectionHeading) ? sectionHeading : null;
  let firstContentBlock = -1;
  for (const [block, raw] of blocks.entries()) {
    const text = raw.trim();
    if (text === '' || headings.has(text)) continue;
    const lines = text.split('\n');
    if (firstContentBlock === -1) firstContentBlock = block;
    let sentenceInBlock = 0;
    const add = (unit: Pick<AnswerUnit, 'text' | 'kind'>) =>
      units.push({
        ...unit, chunkIndex, block, position: units.length, terms: termsOf(unit.text), contextTerms, headingText, introducesCode: false,
        term: block === firstContentBlock ? term : null, sentenceInBlock: sentenceInBlock++,
      });
    if (isCodeBlock(lines)) {
      // Code is judged as a whole block (its lines make sense together); the answer quotes its
      // best lines. A blank line inside a code block splits it in the passage text: rejoin.
      const previous = units.at(-1);
      if (previous?.kind === 'code' && previous.block === block - 1) {
        previous.text += `\n\n${text}`;
        previous.block = block;
        for (const term of termsOf(text)) previous.terms.add(term);
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
    const nextIsCode = blocks[block + 1] !== undefined && isCodeBlock(blocks[block + 1]!.trim().split('\n'));
    if (last && last.block === block && nextIsCode) last.introducesCode = true;
  }
  return units;
}

/** The analyzer's terms, plus the words inside camelCase names (fileTypeFromBuffer: file, type, from, buffer). */
function termsOf(text: string): Set<string> {
  const terms = new Set(analyze(text));
  if (/[a-z][A-Z]/.test(text)) for (const term of analyze(text.replace(/([a-z\d])([A-Z])/g, '$1 $2'))) terms.add(term);
  return terms;
}

/** A block is code when at least half its lines look like code; list items ("- name(args)") are prose. */
function isCodeBlock(lines: readonly string[]): boolean {
  if (lines.every((line) => LIST_MARKER.test(line))) return false;
  return lines.filter((line) => CODE_LINE.test(line)).length * 2 >= lines.length;
}
