// The answer Sift gives without a generation model: whole sentences from the top passages
// that best answer the question, each cited. It never invents text, so it is always
// faithful to the documents, and it costs nothing.
//
// A passage is read as a reader would: headings are context (they say what the sentences
// under them are about) but never an answer; prose is cut into sentences; code is read line
// by line. Sentences score by the rarity-weighted question terms they hold (an identifier's
// parts count for the words they abbreviate), with the heading path's terms counting at
// half weight, and by what the question asks for: a default value, a number, a definition,
// the entry that defines a setting, or — for "how do I" — a command or code line from the
// same document.
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
/**
 * Each retrieval rank down costs a sentence this share of its score: enough to break ties in
 * favour of the better passage, small enough that a sentence that answers wins from a lower one.
 */
const RANK_DISCOUNT = 0.15;
/** Lines of code an answer quotes from one block, and their total length. */
const MAX_CODE_LINES = 3;
const MAX_CODE_CHARS = 240;

// Words that shape a question but say nothing about its topic.
const QUESTION_WORDS = new Set(analyze('how do does did can could should would want need way possible use using get make turn all one some any many much like'));
// "don't", "isn't", "it's": the analyzer would make "don", "isn" and "t" of them, which match
// every contraction in the passages and nothing of the question's topic.
const CONTRACTION = /\b(?:do|does|did|is|are|was|were|has|have|had|ca|wo|should|would|could|must|need)n['’]t\b|['’](?:s|re|ll|ve|d|m)\b/gi;

/** The question's topic terms: no question scaffolding, no contraction remnants. */
function questionTermsOf(question: string): string[] {
  return analyzeQuery(question.replace(CONTRACTION, ' ')).filter((term) => !QUESTION_WORDS.has(term) && (term.length > 1 || /\d/.test(term)));
}

/**
 * How much a unit says about a question term: 1 when it holds the term, 0.75 when one of
 * its identifiers abbreviates it (`maxThreads` for "maximum", `gzipSync` for
 * "synchronously"), 0.5 when only its heading path does.
 */
function termMatch(unit: AnswerUnit, term: string): number {
  if (unit.terms.has(term) || unit.terms.has(participle(term)) || (term.endsWith('n') && unit.terms.has(term.slice(0, -1)))) return 1;
  for (const part of unit.identifierParts) if (part.length >= MIN_ABBREVIATION && term.length > part.length && term.startsWith(part)) return 0.75;
  return unit.contextTerms.has(term) ? 0.5 : 0;
}
const MIN_ABBREVIATION = 3;

/** The stemmer leaves "given", "known", "shown" whole: "give" in a question should find "is given". */
function participle(term: string): string {
  return term.length >= 3 ? `${term}n` : term;
}

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

/**
 * A unit that defines an API entry or setting — under a heading that names it, or as a
 * "name: description" item or "name | …" row — is where "how do I set …" and "what is the
 * default …" are answered: it names what to write.
 */
const DEFINITION_ITEM = /^(?:[-*•]\s*)?`?(?:[a-z_$][\w$.]*|[\w$]*[a-z][A-Z][\w$]*|[A-Z][A-Z\d]*_[A-Z\d_]+)`?(?:\s*\([^)]*\))?\s*(?::|\||—|–|\s-)\s*\S/;

function definesName(unit: AnswerUnit): boolean {
  return unit.kind === 'sentence' && (unit.describesTerm || DEFINITION_ITEM.test(unit.text));
}

// Documentation shows how under these headings.
const USAGE_HEADING = /\b(?:usage|examples?|getting started|quick ?start|how to use|basic use)\b/;
// A command that installs a package: the first code of most READMEs, and the answer only to "how do I install".
const INSTALL_LINE = /^\s*(?:\$\s*)?(?:npm (?:i|install|add)|yarn add|pnpm (?:add|i|install)|bun add|deno add)\b/;

function intentFactor(intent: Intent, unit: AnswerUnit, asksToInstall: boolean): number {
  let factor = askedForFactor(intent, unit);
  if ((intent === 'how-to' || intent === 'quantity' || intent === 'default') && definesName(unit)) factor *= 1.3;
  if (intent === 'how-to' && USAGE_HEADING.test(unit.headingText)) factor *= 1.2;
  if (!asksToInstall && unit.kind === 'code' && isInstallOnly(unit.text)) factor *= 0.3;
  return factor;
}

function isInstallOnly(code: string): boolean {
  const lines = code.split('\n').filter((line) => line.trim() !== '');
  return lines.length > 0 && lines.every((line) => INSTALL_LINE.test(line));
}

function askedForFactor(intent: Intent, unit: AnswerUnit): number {
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
  const questionTerms = questionTermsOf(question);
  const intent = intentOf(question);
  const asksToInstall = /\binstall/i.test(question);
  const units = chunks.flatMap((chunk, index) => answerUnitsOf(chunk, index));
  const weight = new Map<string, number>();
  for (const term of questionTerms) {
    const containing = units.filter((unit) => termMatch(unit, term) > 0).length;
    if (containing > 0) weight.set(term, Math.log(1 + units.length / containing));
  }

  const covered = new Set<string>();
  const scoreOf = (unit: AnswerUnit): number => {
    let score = 0;
    let own = false;
    for (const [term, termWeight] of weight) {
      const match = termMatch(unit, term);
      score += match * termWeight * (covered.has(term) ? 0.25 : 1);
      if (match > 0.5) own = true;
    }
    // Only what the unit itself says can answer: context alone does not make a pick.
    if (!own) return 0;
    // Earlier passages ranked higher in retrieval; prefer them when sentences tie.
    return (score * intentFactor(intent, unit, asksToInstall)) / (1 + RANK_DISCOUNT * unit.chunkIndex);
  };

  const picked: AnswerUnit[] = [];
  let bestScore = 0;
  while (picked.length < MAX_PICKS) {
    let best: { unit: AnswerUnit; score: number } | null = null;
    for (const unit of units) {
      if (picked.includes(unit)) continue;
      // After a sentence, a "how do I" answer's code is the example that goes with it (below).
      if (intent === 'how-to' && unit.kind === 'code' && picked.some((pick) => pick.kind === 'sentence')) continue;
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
    const said = picked.flatMap((unit) => [unit.text, followUpOf(unit, units, picked, new Set(questionTerms))?.text ?? '']);
    const example = exampleFor(picked, said, units, chunks, scoreOf, asksToInstall);
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
        // A passage may hold several small sections: the citation names the quoted one's.
        headingPath: unit.sectionPath,
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
 * block from the picks' documents is added (another package's example would answer another
 * question). Code that uses a name the picks mention (`.requiredOption()`) shows what they
 * say, so it wins; then the best pick's own passage.
 */
function exampleFor(
  picked: AnswerUnit[],
  said: readonly string[],
  units: AnswerUnit[],
  chunks: RankedChunk[],
  scoreOf: (unit: AnswerUnit) => number,
  asksToInstall: boolean,
): AnswerUnit | null {
  if (picked.some((unit) => unit.kind === 'code' || unit.introducesCode)) return null;
  const home = picked[0]!.chunkIndex;
  const documents = new Set(picked.map((unit) => chunks[unit.chunkIndex]!.documentId));
  const names = new Set(said.flatMap(codeNamesOf));
  let best: { unit: AnswerUnit; score: number } | null = null;
  for (const unit of units) {
    if (unit.kind !== 'code' || !documents.has(chunks[unit.chunkIndex]!.documentId) || (!asksToInstall && isInstallOnly(unit.text))) continue;
    const usesName = codeNamesOf(unit.text).some((name) => names.has(name));
    const score = scoreOf(unit) * (usesName ? 2 : 1) * (unit.chunkIndex === home ? 1.2 : 1);
    if (score > 0 && (!best || score > best.score)) best = { unit, score };
  }
  return best?.unit ?? null;
}

// Names as code writes them: camelCase (requiredOption) or called (ms(…), .parse(…)).
const CODE_NAME = /[A-Za-z_$][\w$]*(?=\()|\b[a-z][a-z\d]*[A-Z][\w$]*/g;

function codeNamesOf(text: string): string[] {
  return [...text.matchAll(CODE_NAME)].map(([name]) => name).filter((name) => name.length > 2);
}

/** How a unit reads in the answer: a sentence as it is, code as its best lines, and a sentence that introduces code with that code. */
function withCode(unit: AnswerUnit, units: AnswerUnit[], picked: AnswerUnit[], intent: Intent, questionTerms: ReadonlySet<string>): string {
  if (unit.kind === 'code') return codeLines(unit.text, questionTerms);
  const named = unit.term !== null && unit.sentenceInBlock === 0 && !unit.text.includes(unit.term) ? `${unit.term}: ${unit.text}` : unit.text;
  const followUp = followUpOf(unit, units, picked, questionTerms);
  const text = clip(followUp === null ? named : `${named} ${followUp.text}`, MAX_UNIT_CHARS);
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
 * A short sentence rarely answers alone ("By default, Got will retry on failure."), and a
 * sentence that goes on with "This …" or "It …" finishes the thought of the one before: the
 * sentence after it in the same paragraph comes along when it is about the question too.
 */
function followUpOf(unit: AnswerUnit, units: AnswerUnit[], picked: AnswerUnit[], questionTerms: ReadonlySet<string>): AnswerUnit | null {
  const next = units[units.indexOf(unit) + 1];
  if (next === undefined || next.kind !== 'sentence' || next.block !== unit.block || next.chunkIndex !== unit.chunkIndex || picked.includes(next)) return null;
  if (unit.text.length > SHORT_SENTENCE_CHARS && !CONTINUES.test(next.text)) return null;
  return [...next.terms].some((term) => questionTerms.has(term)) ? next : null;
}

const CONTINUES = /^(?:This|That|These|It|They)\b/;

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
