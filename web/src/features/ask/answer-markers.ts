// Splits an answer into its text and its citation markers ([1], [2][3], [1, 2]), so each
// marker can open the passage it cites. A number that names no citation stays plain text.

export type AnswerPart = { kind: 'text'; text: string } | { kind: 'cite'; n: number };

const MARKER = /\[(\d+(?:\s*,\s*\d+)*)\]/g;

export function answerParts(answer: string, cited: ReadonlySet<number>): AnswerPart[] {
  const parts: AnswerPart[] = [];
  let last = 0;
  for (const match of answer.matchAll(MARKER)) {
    const numbers = match[1]!.split(',').map((part) => Number(part.trim()));
    if (!numbers.every((n) => cited.has(n))) continue;
    if (match.index > last) parts.push({ kind: 'text', text: answer.slice(last, match.index) });
    for (const n of numbers) parts.push({ kind: 'cite', n });
    last = match.index + match[0].length;
  }
  if (last < answer.length) parts.push({ kind: 'text', text: answer.slice(last) });
  return parts;
}
