// The deterministic "model" behind the fake Gemini and Ollama servers: pure functions from
// text to text (chat answers, rerank orderings, grades) and from text to vectors (hashed
// word features). Everything here is a function of its input only, so a test can compute
// what a fake will say, and tests of the RAG pipeline get answers that depend on the
// passages the pipeline actually sent.
//
// What the default model understands (README.md has the long form):
// - passages as lines that start with `[n]`; the lines right after belong to the passage
//   until a blank line, the next `[m]` line or a labelled line such as `Question:`;
// - the question on a line starting with `Question:` / `Query:`, else the last line outside
//   the passages that ends with `?`;
// - a prompt that asks to rank / rerank / sort passages (or to order them by relevance) gets
//   the passage ids ordered by word overlap with the question: `[3] > [1] > [2]`;
// - a prompt that asks to grade / score passages gets one `[n]: grade` line per passage (0-3);
// - a prompt that asks to classify numbered texts and has a `Labels: A, B, C` line gets one
//   label per text (a label named in the text, else a small sentiment lexicon);
// - any other prompt with passages gets the passage sentence sharing most words with the
//   question, followed by its citation `[n]`, or the "not found" phrase when nothing overlaps;
// - a prompt without passages gets an echo, so plain chat works too.
import { stemmer } from 'stemmer';

const STOP_WORDS = new Set(
  (
    'a about an and any are as at be been but by can could did do does for from had has have he her his how i ' +
    'if in into is it its me my no not of on or our she should so such than that the their them then there ' +
    'these they this those to was we were what when where which while who whom why will with would you your'
  ).split(' '),
);

const WORD_PATTERN = /[\p{L}\p{N}]+/gu;
/** Roughly one token per word or punctuation mark: close enough to a subword tokenizer for accounting tests. */
const TOKEN_PATTERN = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

export const DEFAULT_NOT_FOUND_ANSWER = 'NOT_FOUND';
export const DEFAULT_EMBEDDING_DIMENSIONS = 256;

// ---------------------------------------------------------------------------------------
// Words, tokens and vectors

/** Lower-cased, stemmed content words; stop words are kept only when a text has nothing else. */
export function contentTerms(text: string): string[] {
  const words = text.toLowerCase().match(WORD_PATTERN) ?? [];
  const content = words.filter((word) => !STOP_WORDS.has(word));
  return (content.length > 0 ? content : words).map((word) => (/^\p{L}+$/u.test(word) ? stemmer(word) : word));
}

/** The token count the fakes report for a text (prompt or answer). */
export function countTokens(text: string): number {
  return text.match(TOKEN_PATTERN)?.length ?? 0;
}

/** FNV-1a, 32 bit: small, fast, and the same on every machine. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A unit vector of hashed word features: texts that share (stemmed) words point the same
 * way, texts that share none are near orthogonal. A signed hash keeps collisions unbiased.
 */
export function embedText(text: string, dimensions: number = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const counts = new Map<string, number>();
  for (const term of contentTerms(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
  // An empty text still gets a valid unit vector (a zero vector breaks cosine similarity).
  if (counts.size === 0) counts.set('\u0000empty', 1);
  for (const [term, count] of counts) {
    const hash = fnv1a(term);
    const index = hash % dimensions;
    const sign = fnv1a(`sign:${term}`) & 1 ? 1 : -1;
    vector[index] = (vector[index] ?? 0) + sign * (1 + Math.log(count));
  }
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += (a[i] ?? 0) * (b[i] ?? 0);
    normA += (a[i] ?? 0) ** 2;
    normB += (b[i] ?? 0) ** 2;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** Text that is well-formed for the wire but useless to a parser: no ids, no citations, no JSON. */
export function garbageText(seed: string): string {
  const words = ['wobble', 'flange', 'quixotic', 'marmalade', 'zephyr', 'sprocket', 'lorem', 'ipsum', 'banana', 'nebula'];
  const hash = fnv1a(seed);
  const picked = Array.from({ length: 8 }, (_, i) => words[(hash >>> (i * 3)) % words.length]);
  return `${picked.join(' ')} ~~ %% ??`;
}

/** Splits a text into at most `parts` consecutive pieces on word boundaries; joined, they equal the text. */
export function splitIntoChunks(text: string, parts: number): string[] {
  const pieces = text.match(/\S+\s*|\s+/g) ?? [];
  if (pieces.length === 0) return [text];
  const size = Math.ceil(pieces.length / Math.max(1, parts));
  const chunks: string[] = [];
  for (let i = 0; i < pieces.length; i += size) chunks.push(pieces.slice(i, i + size).join(''));
  return chunks;
}

/** Cuts a text after `maxTokens` tokens (as counted by countTokens); says whether it had to. */
export function truncateToTokens(text: string, maxTokens: number | undefined): { text: string; truncated: boolean } {
  if (maxTokens === undefined || maxTokens <= 0 || countTokens(text) <= maxTokens) return { text, truncated: false };
  let seen = 0;
  for (const match of text.matchAll(TOKEN_PATTERN)) {
    seen++;
    if (seen === maxTokens) return { text: text.slice(0, (match.index ?? 0) + match[0].length), truncated: true };
  }
  return { text, truncated: false };
}

// ---------------------------------------------------------------------------------------
// Reading a prompt

export interface Passage {
  id: number;
  text: string;
}

export interface PromptReading {
  passages: Passage[];
  question: string | undefined;
  /** The text outside the passages (instructions, labels, the question): what the request asks for. */
  instructions: string;
}

const PASSAGE_LINE = /^\s*\[(\d+)\]\s*(.*)$/;
const QUESTION_LINE = /^\s*(?:question|query|q)\s*[:：]\s*(.*)$/i;
/** Labelled lines that end a passage (`Question:`, `Instructions:`, ...). */
const SECTION_LINE =
  /^\s*(?:question|query|q|instructions?|answer|context|passages?|sources?|documents?|task|output|format|labels?|candidates?)\s*[:：]/i;

export function readPrompt(prompt: string): PromptReading {
  const passages: Passage[] = [];
  const outside: string[] = [];
  let current: Passage | undefined;
  let question: string | undefined;
  for (const line of prompt.split(/\r?\n/)) {
    const passage = PASSAGE_LINE.exec(line);
    if (passage) {
      current = { id: Number(passage[1]), text: passage[2] ?? '' };
      passages.push(current);
      continue;
    }
    const asked = QUESTION_LINE.exec(line);
    if (asked) {
      current = undefined;
      if ((asked[1] ?? '').trim()) question = (asked[1] ?? '').trim();
      continue;
    }
    if (SECTION_LINE.test(line)) {
      current = undefined;
      outside.push(line);
      continue;
    }
    if (line.trim() === '') current = undefined;
    else if (current) current.text += `\n${line}`;
    else outside.push(line);
  }
  for (const passage of passages) passage.text = passage.text.trim();
  if (question === undefined) question = [...outside].reverse().find((line) => line.trim().endsWith('?'))?.trim();
  if (question === undefined && passages.length === 0) question = outside.join('\n').trim() || undefined;
  return { passages, question, instructions: [...outside, question ?? ''].join('\n') };
}

/** How many distinct question terms a text contains. */
export function overlap(question: string, text: string): number {
  const wanted = new Set(contentTerms(question));
  const present = new Set(contentTerms(text));
  let shared = 0;
  for (const term of wanted) if (present.has(term)) shared++;
  return shared;
}

/** Passage ids, most overlapping first; ties (and passages with no overlap) keep prompt order. */
export function rankPassages(question: string, passages: readonly Passage[]): number[] {
  return passages
    .map((passage, position) => ({ id: passage.id, position, score: overlap(question, passage.text) }))
    .sort((a, b) => b.score - a.score || a.position - b.position)
    .map((entry) => entry.id);
}

/** 0-3: the share of question terms a passage contains, in quarters rounded down (3 = all). */
export function gradePassage(question: string, passage: Passage): number {
  const wanted = new Set(contentTerms(question)).size;
  if (wanted === 0) return 0;
  return Math.min(3, Math.floor((overlap(question, passage.text) / wanted) * 3 + 1e-9));
}

export interface ExtractedAnswer {
  sentence: string;
  passageId: number;
  score: number;
}

/** The passage sentence sharing most question terms (earliest wins a tie), if any shares one. */
export function bestSentence(question: string, passages: readonly Passage[]): ExtractedAnswer | undefined {
  let best: ExtractedAnswer | undefined;
  for (const passage of passages) {
    for (const sentence of passage.text.split(/(?<=[.!?])\s+|\n+/)) {
      const trimmed = sentence.trim();
      if (!trimmed) continue;
      const score = overlap(question, trimmed);
      if (score > 0 && (!best || score > best.score)) best = { sentence: trimmed, passageId: passage.id, score };
    }
  }
  return best;
}

/** The phrase a prompt asks for when the answer is missing, e.g. `reply exactly "NOT_FOUND"`. */
export function notFoundPhraseIn(prompt: string): string | undefined {
  const match =
    /\b(?:say|reply|respond|answer|output|return|write)\b[^"“\n]{0,30}["“]([^"”\n]{1,80})["”]/i.exec(prompt) ?? undefined;
  return match?.[1];
}

const CLASSIFY_REQUEST = /\bclassif(?:y|ier|ication)\b/i;
const LABELS_LINE = /^\s*labels?\s*[:：]\s*(.+)$/im;

const POSITIVE_WORDS = new Set(['good', 'great', 'love', 'excellent', 'happy', 'wonderful', 'fantastic', 'best', 'amazing', 'perfect', 'like'].map((word) => stemmer(word)));
const NEGATIVE_WORDS = new Set(['bad', 'terrible', 'hate', 'awful', 'poor', 'worst', 'broken', 'disappointed', 'slow', 'refund', 'useless'].map((word) => stemmer(word)));

export interface ClassificationPrompt {
  labels: string[];
  texts: Passage[];
}

/** The labels and numbered texts of a classification prompt, or undefined when the prompt is not one. */
export function readClassification(prompt: string): ClassificationPrompt | undefined {
  const { passages, instructions } = readPrompt(prompt);
  if (passages.length === 0 || !CLASSIFY_REQUEST.test(instructions)) return undefined;
  const labels = (LABELS_LINE.exec(instructions)?.[1] ?? '').split(',').map((label) => label.trim()).filter(Boolean);
  return labels.length > 0 ? { labels, texts: passages } : undefined;
}

/**
 * The fake's label for a text: the first label whose words all occur in the text; else, when
 * the labels are POSITIVE / NEGATIVE / NEUTRAL, a tiny sentiment lexicon; else the last label.
 */
export function classifyText(text: string, labels: readonly string[]): string {
  const words = new Set(contentTerms(text));
  const named = labels.find((label) => contentTerms(label).every((term) => words.has(term)));
  if (named) return named;
  const byName = (name: string) => labels.find((label) => label.toUpperCase() === name);
  const positive = [...words].filter((word) => POSITIVE_WORDS.has(word)).length;
  const negative = [...words].filter((word) => NEGATIVE_WORDS.has(word)).length;
  if (byName('POSITIVE') && byName('NEGATIVE')) {
    if (positive > negative) return byName('POSITIVE')!;
    if (negative > positive) return byName('NEGATIVE')!;
    return byName('NEUTRAL') ?? labels[labels.length - 1]!;
  }
  return labels[labels.length - 1]!;
}

const RERANK_REQUEST = /\b(?:re-?rank\w*|rank(?:ing|ed|s)?|sort(?:ed|ing)?)\b|\border\b[^.\n]{0,60}\brelevan/i;
const GRADE_REQUEST = /\b(?:grade|score|rate)\b[^.\n]{0,60}\b(?:passage|document|candidate)s?\b/i;

// ---------------------------------------------------------------------------------------
// Answering

export interface ModelInput {
  /** All instruction and user text the request carried, system first, in order. */
  prompt: string;
  /** The JSON schema the caller asked the answer to follow, if any. */
  schema?: unknown;
  /** True when the caller asked for JSON (with or without a schema). */
  json: boolean;
  /** How many images the request carried. */
  imageCount: number;
}

export interface ModelOptions {
  /** The exact answer when the passages do not support one; wins over a phrase found in the prompt. */
  notFoundAnswer?: string;
}

export type Skill = 'classify' | 'rerank' | 'grade' | 'answer' | 'chat';

export interface ModelOutput {
  skill: Skill;
  /** The answer as plain text. */
  text: string;
  /** The same answer as a JSON value, used when the caller asked for JSON. */
  value: unknown;
}

/** The default deterministic model: reads the prompt and decides what kind of answer it wants. */
export function think(input: ModelInput, options: ModelOptions = {}): ModelOutput {
  const { passages, question, instructions } = readPrompt(input.prompt);
  const asked = question ?? '';
  // Classification first: its instructions may be the user's own words ("sort by topic").
  const classification = readClassification(input.prompt);
  if (classification) {
    const answers = classification.texts.map((text) => ({ id: text.id, label: classifyText(text.text, classification.labels) }));
    return { skill: 'classify', text: answers.map((answer) => `${answer.id}: ${answer.label}`).join('\n'), value: { labels: answers } };
  }
  // Only the instructions decide the kind of answer: passages may well mention "ranking".
  if (passages.length > 0 && RERANK_REQUEST.test(instructions)) {
    const ids = rankPassages(asked, passages);
    return { skill: 'rerank', text: ids.map((id) => `[${id}]`).join(' > '), value: ids };
  }
  if (passages.length > 0 && GRADE_REQUEST.test(instructions)) {
    const grades = passages.map((passage) => ({ id: passage.id, grade: gradePassage(asked, passage) }));
    return { skill: 'grade', text: grades.map((g) => `[${g.id}]: ${g.grade}`).join('\n'), value: grades };
  }
  if (passages.length > 0) {
    const found = bestSentence(asked, passages);
    if (!found) {
      const phrase = options.notFoundAnswer ?? notFoundPhraseIn(instructions) ?? DEFAULT_NOT_FOUND_ANSWER;
      return { skill: 'answer', text: phrase, value: { answer: phrase, citations: [] } };
    }
    const text = `${found.sentence.replace(/[.!?]+$/, '')} [${found.passageId}].`;
    return { skill: 'answer', text, value: { answer: text, citations: [found.passageId] } };
  }
  const said = asked.replace(/\s+/g, ' ').slice(0, 200);
  const images = input.imageCount > 0 ? ` (with ${input.imageCount} image${input.imageCount > 1 ? 's' : ''})` : '';
  const text = `You said: ${said}${images}`;
  return { skill: 'chat', text, value: { answer: text } };
}

/**
 * Renders a model output as the text the fake sends: plain text, or JSON shaped by the
 * caller's schema when JSON was asked for. Schema filling is a heuristic (see fillSchema).
 */
export function renderOutput(output: ModelOutput, input: Pick<ModelInput, 'schema' | 'json'>): string {
  if (!input.json) return output.text;
  return JSON.stringify(input.schema === undefined ? output.value : fillSchema(input.schema, output));
}

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: string[];
  enum?: unknown[];
  anyOf?: SchemaNode[];
}

function schemaType(node: SchemaNode): string {
  const type = Array.isArray(node.type) ? node.type.find((t) => t.toLowerCase() !== 'null') : node.type;
  if (type) return type.toLowerCase();
  if (node.properties) return 'object';
  if (node.items) return 'array';
  const option = node.anyOf?.find((o) => schemaType(o) !== 'null');
  return option ? schemaType(option) : 'string';
}

/**
 * Fills a JSON schema from a model output: arrays of numbers or integers get the ranked ids
 * (or the citations), arrays of objects with a numeric and a grade-like field get grades,
 * strings get the answer text, numbers get the first id or 0, booleans `true`, enums their
 * first value. Good enough for "a JSON list of ids" and "{answer, citations}" shapes.
 */
export function fillSchema(schema: unknown, output: ModelOutput): unknown {
  const node = (typeof schema === 'object' && schema !== null ? schema : {}) as SchemaNode;
  const ids = idsOf(output);
  if (node.anyOf && !node.type) {
    const option = node.anyOf.find((o) => schemaType(o) !== 'null');
    return option ? fillSchema(option, output) : null;
  }
  if (node.enum && node.enum.length > 0) return node.enum[0];
  switch (schemaType(node)) {
    case 'object': {
      const result: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (schemaType(child) === 'array' && child.items && schemaType(child.items) === 'object' && output.skill === 'grade') {
          result[key] = fillGrades(child.items, output);
        } else if (schemaType(child) === 'array' && child.items && schemaType(child.items) === 'object' && output.skill === 'classify') {
          result[key] = fillClassifications(child.items, output);
        } else {
          result[key] = fillSchema(child, output);
        }
      }
      return result;
    }
    case 'array': {
      const item = node.items ?? {};
      const itemType = schemaType(item);
      if (itemType === 'integer' || itemType === 'number') return ids;
      if (itemType === 'object' && output.skill === 'grade') return fillGrades(item, output);
      if (itemType === 'object' && output.skill === 'classify') return fillClassifications(item, output);
      if (itemType === 'string') return ids.length > 0 ? ids.map(String) : [output.text];
      return [fillSchema(item, output)];
    }
    case 'integer':
    case 'number':
      return ids[0] ?? 0;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return output.text;
  }
}

/** `[{id, label}]` shaped by the schema's item: numeric fields get the id, string fields the label. */
function fillClassifications(item: SchemaNode, output: ModelOutput): Array<Record<string, unknown>> {
  const answers = (output.value as { labels: Array<{ id: number; label: string }> }).labels;
  const keys = Object.entries(item.properties ?? {});
  return answers.map(({ id, label }) => {
    const entry: Record<string, unknown> = {};
    for (const [key, child] of keys) {
      const type = schemaType(child);
      entry[key] = type === 'integer' || type === 'number' ? id : label;
    }
    return entry;
  });
}

function idsOf(output: ModelOutput): number[] {
  if (output.skill === 'rerank') return output.value as number[];
  if (output.skill === 'grade') return (output.value as Array<{ id: number }>).map((g) => g.id);
  if (output.skill === 'classify') return (output.value as { labels: Array<{ id: number }> }).labels.map((answer) => answer.id);
  if (output.skill === 'answer') return (output.value as { citations: number[] }).citations;
  return [];
}

function fillGrades(item: SchemaNode, output: ModelOutput): Array<Record<string, unknown>> {
  const grades = output.value as Array<{ id: number; grade: number }>;
  const keys = Object.entries(item.properties ?? {});
  return grades.map(({ id, grade }) => {
    const entry: Record<string, unknown> = {};
    for (const [key, child] of keys) {
      const type = schemaType(child);
      if (type !== 'integer' && type !== 'number') entry[key] = String(id);
      else entry[key] = /id|index|passage|doc/i.test(key) ? id : grade;
    }
    return entry;
  });
}
