// Reads a model's answer to a classification batch. Models answer in several shapes — the
// JSON asked for, JSON in prose or code fences, a bare list of labels, "1: POSITIVE" lines —
// and sometimes with a label that is not in the set. Parsing yields each text's raw answer
// by its number; matching then accepts only an allowed label, so the caller can retry or
// report UNKNOWN with what the model said.
import { jsonValuesIn } from '../../common/json-in-text.js';

const NUMBERED_LINE = /^\s*(?:text\s*)?\[?(\d{1,5})\]?\s*[:.)=\-–]\s*(.+?)\s*$/gim;

function answerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Answers from a JSON value: [{id, label}], ["A", "B"] (in order), {"1": "A"}, or any of these under one property. */
function answersFromJson(value: unknown, count: number, into: Map<number, string>): boolean {
  if (Array.isArray(value)) {
    if (value.every((item) => item && typeof item === 'object' && !Array.isArray(item))) {
      for (const item of value as Array<Record<string, unknown>>) {
        const id = Number(item.id ?? item.index ?? item.n);
        const label = answerText(item.label ?? item.category ?? item.class);
        if (Number.isInteger(id) && label !== undefined) add(into, id, label, count);
      }
      return into.size > 0;
    }
    // Strings only: "[2]" in a line such as "[2] NEGATIVE" is an id, not a list of answers.
    if (value.every((item) => typeof item === 'string')) {
      value.forEach((item, i) => add(into, i + 1, item as string, count));
      return into.size > 0;
    }
    return false;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length > 0 && entries.every(([key, item]) => /^\d+$/.test(key) && answerText(item) !== undefined)) {
      for (const [key, item] of entries) add(into, Number(key), answerText(item)!, count);
      return into.size > 0;
    }
    for (const [, property] of entries) if (answersFromJson(property, count, into)) return true;
  }
  return false;
}

function add(into: Map<number, string>, id: number, answer: string, count: number): void {
  // Ids outside the batch are dropped; the first answer for an id wins.
  if (id >= 1 && id <= count && !into.has(id)) into.set(id, answer.trim());
}

/** Each text's raw answer by its number in the batch (1-based); texts the model skipped are absent. */
export function parseBatchAnswer(text: string, count: number): Map<number, string> {
  const answers = new Map<number, string>();
  for (const value of jsonValuesIn(text)) if (answersFromJson(value, count, answers)) return answers;
  for (const match of text.matchAll(NUMBERED_LINE)) add(answers, Number(match[1]), match[2]!, count);
  if (answers.size > 0) return answers;
  // One text, answered with a bare label.
  if (count === 1 && text.trim()) add(answers, 1, text.trim(), count);
  return answers;
}

function normalize(label: string): string {
  return label
    .trim()
    .replace(/^["'`*[(\s]+|["'`*.!,;:\])\s]+$/g, '')
    .replace(/[\s_-]+/g, ' ')
    .toLowerCase();
}

/**
 * The allowed label an answer names, or null. Case, quotes, trailing punctuation and
 * `_`/`-`/space differences are forgiven, and so is an explanation after the label
 * ("POSITIVE - praises the battery"); a label merely mentioned inside the answer
 * ("not POSITIVE") is not a match.
 */
export function matchLabel(answer: string, labels: readonly string[]): string | null {
  const wanted = normalize(answer);
  if (!wanted) return null;
  const exact = labels.find((label) => normalize(label) === wanted);
  if (exact) return exact;
  // Longest first, so "VERY POSITIVE" is not read as "VERY" when both are labels.
  const byLength = [...labels].sort((a, b) => normalize(b).length - normalize(a).length);
  return byLength.find((label) => new RegExp(`^${escapeRegExp(normalize(label))}(?![\\p{L}\\p{N}])`, 'u').test(wanted)) ?? null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
