// Checks the [n] markers in a generated answer against the passages it was given: a number
// that names no passage is removed (never shown as a citation), and the ones that remain
// become structured citations.
import type { Citation } from '../answer/answer-types.js';
import type { RankedChunk } from '../retrieval/search-types.js';

const MARKER = /\[(\s*\d+\s*(?:[,;]\s*\d+\s*)*)\]/g;
const SNIPPET_CHARS = 240;

export interface CheckedAnswer {
  text: string;
  citations: Citation[];
  droppedNumbers: number[];
}

export function checkCitations(answer: string, passages: RankedChunk[]): CheckedAnswer {
  const used: number[] = [];
  const dropped: number[] = [];
  const text = answer
    .replace(MARKER, (_, inner: string) => {
      const numbers = inner.split(/[,;]/).map((part) => Number.parseInt(part.trim(), 10));
      const valid = numbers.filter((n) => n >= 1 && n <= passages.length);
      dropped.push(...numbers.filter((n) => !valid.includes(n)));
      for (const n of valid) if (!used.includes(n)) used.push(n);
      return valid.map((n) => `[${n}]`).join('');
    })
    .replace(/[ \t]+([.,;:!?])/g, '$1')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
  const citations = used.map((n) => {
    const passage = passages[n - 1]!;
    const snippet = passage.text.replace(/\s+/g, ' ').trim();
    return {
      n,
      chunkId: passage.chunkId,
      documentId: passage.documentId,
      source: passage.source,
      title: passage.title,
      headingPath: passage.headingPath,
      page: passage.page,
      snippet: snippet.length <= SNIPPET_CHARS ? snippet : `${snippet.slice(0, SNIPPET_CHARS - 1).trimEnd()}…`,
    };
  });
  return { text, citations, droppedNumbers: dropped };
}
