// The answer Sift gives without a generation model: whole sentences from the top passages
// that best answer the question, each cited. It never invents text, so it is always
// faithful to the documents, and it costs nothing.
//
// A passage is read as a reader would: headings are context (they say what the sentences
// under them are about) but never an answer; prose is cut into sentences; code is read line
// by line. Sentences score by the rarity-weighted question terms they hold, with the
// heading path's terms counting at half weight, and by what the question asks for: a
// default value, a number, a definition, or — for "how do I" — a command or code line.
import { analyze, analyzeQuery } from '../retrieval/lexical-analyzer.js';
import type { RankedChunk } from '../retrieval/search-types.js';
import type { Citation } from './answer-types.js';
import { answerUnitsOf, type AnswerUnit } from './answer-units.js';

export interface ExtractiveAnswer {
  answer: string | null;
  citations: Citation[];
}

const MAX_PICKS = 3;
const MAX_UNIT_CHARS = 400;
const SHORT_SENTENCE_CHARS = 80;
const SNIPPET_CHARS = 240;
/** A later pick must score at least this share of the best one: weaker sentences only dilute. */
const MIN_SHARE_OF_BEST = 0.5;
/** Lines of code an answer quotes from one block, and their total length. */
const MAX_CODE_LINES = 3;
const MAX_CODE_CHARS = 240;

// Words that shape a question but say nothing about its topic.
const QUESTION_WORDS = new Set(analyze('how do does did can could should would want need way possible use using get make'));

type Intent = 'default' | 'quantity' | 'how-to' | 'reason' | 'definition' | 'other';

function intentOf(question: string): Intent {
  const q = question.trim().toLowerCase();
  if (/\bdefaults?\b/.test(q)) return 'default';
  if (/\bhow (many|much|long|deep|big|large|often)\b|\b(max(imum)?|min(imum)?|limit)\b/.test(q)) return 'quantity';
  if (/^why\b/.test(q)) return 'reason';
  if (/^(how\b|what('s| is) the (best )?way\b)|\bhow (do|can|should) i\b/.test(q)) return 'how-to';
  if (/^(what (is|are|does)|is|are|does|do|can)\b/.test(q)) return 'definition';
  return 'other';
}

const VALUE = /\d|['"`]|\b(true|false|null|undefined|infinity|none)\b/i;

function intentFactor(intent: Intent, unit: AnswerUnit): number {
  switch (intent) {
    case 'default':
      return /\bdefault/i.test(unit.text) && VALUE.test(unit.text) ? 1.6 : 1;
    case 'quantity':
      return /\d/.test(unit.text) ? 1.3 : 1;
    case 'how-to':
      return unit.kind === 'code' || unit.introducesCode ? 1.25 : 1;
    case 'reason':
      return /\bwhy\b/.test(unit.headingText) || /\b(because|since|so that|due to)\b/i.test(unit.text) ? 1.5 : 1;
    case 'definition':
      return unit.kind === 'sentence' && /\b(is|are|means|does|do)\b/i.test(unit.text) ? 1.15 : 1;
    default:
      return 1;
  }
}

/**
 * Picks up to three sentences greedily: each pick scores sentences by the rarity-weighted
 * question terms they contain that earlier picks did not already cover, so the answer
 * spreads over the parts of the question instead of repeating one fact. A sentence that
 * introduces code ("Install it with:") brings its first code lines along.
 */
export function extractAnswer(question: string, chunks: RankedChunk[]): ExtractiveAnswer {
  const questionTerms = analyzeQuery(question).filter((term) => !QUESTION_WORDS.has(term));
  const intent = intentOf(question);
  const units = chunks.flatMap((chunk, index) => answerUnitsOf(chunk, index));
  const weight = new Map<string, number>();
  for (const term of questionTerms) {
    const containing = units.filter((unit) => unit.terms.has(term) || unit.contextTerms.has(term)).length;
    if (containing > 0) weight.set(term, Math.log(1 + units.length / containing));
  }

  const covered = new Set<string>();
  const scoreOf = (unit: AnswerUnit): number => {
    let score = 0;
    for (const [term, termWeight] of weight) {
      const share = covered.has(term) ? 0.25 : 1;
      if (unit.terms.has(term)) score += termWeight * share;
      else if (unit.contextTerms.has(term)) score += 0.5 * termWeight * share;
    }
    // Only what the unit itself says can answer: context alone does not make a pick.
    if (![...weight.keys()].some((term) => unit.terms.has(term))) return 0;
    // Earlier passages ranked higher in retrieval; prefer them when sentences tie.
    return (score * intentFactor(intent, unit)) / (1 + 0.15 * unit.chunkIndex);
  };

  const picked: AnswerUnit[] = [];
  let bestScore = 0;
  while (picked.length < MAX_PICKS) {
    let best: { unit: AnswerUnit; score: number } | null = null;
    for (const unit of units) {
      if (picked.includes(unit)) continue;
      const score = scoreOf(unit);
      if (score > 0 && (!best || score > best.score)) best = { unit, score };
    }
    if (!best || (picked.length > 0 && best.score < MIN_SHARE_OF_BEST * bestScore)) break;
    if (picked.length === 0) bestScore = best.score;
    picked.push(best.unit);
    for (const term of best.unit.terms) covered.add(term);
  }
  if (picked.length === 0) return { answer: null, citations: [] };
  if (intent === 'how-to') {
    const example = exampleFor(picked, units, scoreOf);
    if (example) picked.push(example);
  }

  picked.sort((a, b) => a.chunkIndex - b.chunkIndex || a.position - b.position);
  const citationNumber = new Map<number, number>();
  const citations: Citation[] = [];
  const parts = picked.map((unit) => {
    let n = citationNumber.get(unit.chunkIndex);
    if (n === undefined) {
      n = citations.length + 1;
      citationNumber.set(unit.chunkIndex, n);
      const chunk = chunks[unit.chunkIndex]!;
      citations.push({
        n,
        chunkId: chunk.chunkId,
        documentId: chunk.documentId,
        source: chunk.source,
        title: chunk.title,
        headingPath: chunk.headingPath,
        page: chunk.page,
        snippet: clip(unit.text, SNIPPET_CHARS),
      });
    }
    return `${withCode(unit, units, picked, intent, new Set(questionTerms))} [${n}]`;
  });
  return { answer: parts.join(' '), citations };
}

/**
 * "How do I" wants to see how: when no pick is code or brings code along, the best code
 * block of the passages is added (the best pick's own passage wins a tie).
 */
function exampleFor(picked: AnswerUnit[], units: AnswerUnit[], scoreOf: (unit: AnswerUnit) => number): AnswerUnit | null {
  if (picked.some((unit) => unit.kind === 'code' || unit.introducesCode)) return null;
  const home = picked[0]!.chunkIndex;
  let best: { unit: AnswerUnit; score: number } | null = null;
  for (const unit of units) {
    if (unit.kind !== 'code') continue;
    const score = scoreOf(unit) * (unit.chunkIndex === home ? 1.2 : 1);
    if (score > 0 && (!best || score > best.score)) best = { unit, score };
  }
  return best?.unit ?? null;
}

/** How a unit reads in the answer: a sentence as it is, code as its best lines, and a sentence that introduces code with that code. */
function withCode(unit: AnswerUnit, units: AnswerUnit[], picked: AnswerUnit[], intent: Intent, questionTerms: ReadonlySet<string>): string {
  if (unit.kind === 'code') return codeLines(unit.text, questionTerms);
  const named = unit.term !== null && unit.sentenceInBlock === 0 ? `${unit.term}: ${unit.text}` : unit.text;
  const text = clip(withFollowUp(named, unit, units, picked, questionTerms), MAX_UNIT_CHARS);
  if (unit.text.endsWith(':')) {
    const items = listItemsAfter(unit, units, picked);
    if (items.length > 0) return `${text} ${items.join(' ')}`;
  }
  if (!unit.introducesCode || !(unit.text.endsWith(':') || intent === 'how-to')) return text;
  const code = units.find((next) => next.chunkIndex === unit.chunkIndex && next.block === unit.block + 1 && next.kind === 'code');
  return code === undefined || picked.includes(code) ? text : `${text} ${codeLines(code.text, questionTerms)}`;
}

/** The first items of the list a sentence ending in ":" introduces. */
function listItemsAfter(unit: AnswerUnit, units: AnswerUnit[], picked: AnswerUnit[]): string[] {
  const items: string[] = [];
  for (let i = units.indexOf(unit) + 1; i < units.length && items.length < MAX_LIST_ITEMS; i++) {
    const next = units[i]!;
    if (next.chunkIndex !== unit.chunkIndex || next.block !== unit.block + 1 || next.kind !== 'sentence' || picked.includes(next)) break;
    if (LIST_ITEM.test(next.text)) items.push(next.text);
  }
  return items;
}

const LIST_ITEM = /^(?:[-*•]|\d+\.)\s/;
const MAX_LIST_ITEMS = 3;

/**
 * A short sentence rarely answers alone ("By default, Got will retry on failure."): the
 * sentence after it in the same paragraph comes along when it is about the question too.
 */
function withFollowUp(text: string, unit: AnswerUnit, units: AnswerUnit[], picked: AnswerUnit[], questionTerms: ReadonlySet<string>): string {
  if (unit.text.length > SHORT_SENTENCE_CHARS) return text;
  const next = units[units.indexOf(unit) + 1];
  if (next === undefined || next.kind !== 'sentence' || next.block !== unit.block || next.chunkIndex !== unit.chunkIndex || picked.includes(next)) return text;
  return [...next.terms].some((term) => questionTerms.has(term)) ? `${text} ${next.text}` : text;
}

// Imports and requires open most examples; they say which module, not how to do the thing.
const BOILERPLATE_LINE = /^\s*(?:import\b|(?:const|let|var)\s+[\w{}\s,]+=\s*require\(|[)}\]];?\s*$)/;
// Comments explain the code; quoted alone they are prose out of place.
const COMMENT_LINE = /^\s*(?:\/\/|#(?!!)|\/\*|\*|<!--)/;

/** The lines of a code block that hold the most question terms (imports and comments last), in their order. */
function codeLines(code: string, questionTerms: ReadonlySet<string>): string {
  const lines = code.split('\n').map((line, index) => {
    const hits = analyze(line).filter((term) => questionTerms.has(term)).length;
    const score = COMMENT_LINE.test(line) ? 0 : BOILERPLATE_LINE.test(line) ? hits * 0.3 : hits + 0.1;
    return { line: line.trim(), index, score };
  }).filter(({ line, score }) => line !== '' && score > 0);
  const chosen: typeof lines = [];
  let chars = 0;
  for (const candidate of [...lines].sort((a, b) => b.score - a.score || a.index - b.index)) {
    if (chosen.length === MAX_CODE_LINES || chars + candidate.line.length > MAX_CODE_CHARS) continue;
    chosen.push(candidate);
    chars += candidate.line.length;
  }
  if (chosen.length === 0 && lines.length > 0) chosen.push({ ...lines[0]!, line: clip(lines[0]!.line, MAX_CODE_CHARS) });
  if (chosen.length === 0) return clip(code.split('\n')[0]!.trim(), MAX_CODE_CHARS);
  return chosen.sort((a, b) => a.index - b.index).map(({ line }) => `\`${line}\``).join(' ');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}
