// Reads what a model answered to a ranking or grading prompt. Models answer in many shapes
// — JSON (bare, in prose, in code fences), "[3] > [1] > [2]", "3, 1, 2" — and sometimes in
// nonsense. Only ids that name a passage count; duplicates count once; anything that does
// not look like an answer yields nothing, so the caller keeps the retrieval order.
import { jsonValuesIn } from '../common/json-in-text.js';

const BRACKETED_ID = /\[(\d{1,4})\]/g;
// A bare list: numbers separated by commas, ">", ";", "|", whitespace or list markers only.
const BARE_LIST = /^[\s\d,>;|.\-–→)(]+$/;

function numbersIn(value: unknown): number[] | null {
  if (Array.isArray(value)) {
    const numbers = value.map((item) => (typeof item === 'number' ? item : typeof item === 'string' && /^\s*\[?\d+\]?\s*$/.test(item) ? Number.parseInt(item.replace(/\D/g, ''), 10) : Number.NaN));
    return numbers.every(Number.isInteger) ? numbers : null;
  }
  if (value && typeof value === 'object') {
    // {"ranking": [..]} or any single array-valued property
    for (const property of Object.values(value)) {
      const numbers = numbersIn(property);
      if (numbers) return numbers;
    }
  }
  return null;
}

function keepValid(ids: number[], count: number): number[] {
  const seen = new Set<number>();
  return ids.filter((id) => {
    if (id < 1 || id > count || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The passage ids (1-based) in the order the model put them. */
export function parseRanking(text: string, count: number): number[] {
  for (const value of jsonValuesIn(text)) {
    const numbers = numbersIn(value);
    if (numbers) return keepValid(numbers, count);
  }
  const bracketed = [...text.matchAll(BRACKETED_ID)].map((match) => Number.parseInt(match[1]!, 10));
  if (bracketed.length > 0) return keepValid(bracketed, count);
  const trimmed = text.trim();
  if (trimmed.length > 0 && BARE_LIST.test(trimmed)) {
    const numbers = trimmed.match(/\d+/g)?.map((n) => Number.parseInt(n, 10)) ?? [];
    // "1. 2. 3." would read as a list marker sequence; a ranking has each id once anyway.
    return keepValid(numbers, count);
  }
  return [];
}

const GRADE_LINE = /^\s*(?:passage\s*)?\[?(\d{1,4})\]?\s*[:=\-–]\s*(\d(?:\.\d+)?)\b/gim;

function clampGrade(value: number, maxGrade: number): number {
  return Math.min(maxGrade, Math.max(0, value));
}

/** Grades by passage id (1-based), from JSON or "[id]: grade" lines; unknown ids dropped. */
export function parseGrades(text: string, count: number, maxGrade = 3): Map<number, number> {
  const grades = new Map<number, number>();
  const add = (id: unknown, grade: unknown) => {
    const n = typeof id === 'string' ? Number.parseInt(id.replace(/\D/g, ''), 10) : id;
    const g = typeof grade === 'string' ? Number.parseFloat(grade) : grade;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= count && typeof g === 'number' && Number.isFinite(g) && !grades.has(n)) {
      grades.set(n, clampGrade(g, maxGrade));
    }
  };
  for (const value of jsonValuesIn(text)) {
    const entries = Array.isArray(value) ? value : Object.values(value as object).find(Array.isArray);
    if (Array.isArray(entries)) {
      for (const entry of entries as Array<Record<string, unknown>>) {
        if (!entry || typeof entry !== 'object') continue;
        const id = entry.id ?? entry.passage ?? entry.index;
        const grade = entry.grade ?? entry.score ?? entry.relevance;
        add(id, grade);
      }
    } else if (value && typeof value === 'object') {
      const record = ((value as Record<string, unknown>).grades ?? value) as Record<string, unknown>;
      for (const [id, grade] of Object.entries(record)) add(id, grade);
    }
    if (grades.size > 0) return grades;
  }
  for (const match of text.matchAll(GRADE_LINE)) add(Number.parseInt(match[1]!, 10), Number.parseFloat(match[2]!));
  return grades;
}
