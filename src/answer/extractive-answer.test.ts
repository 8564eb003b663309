import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../ingestion/chunking/chunker.js';
import { parseMarkdown } from '../ingestion/parsers/markdown.js';
import type { RankedChunk } from '../retrieval/search-types.js';
import { extractAnswer } from './extractive-answer.js';

/** Passages as search would hand them over, from Markdown run through the real parser and chunker. */
function passagesOf(source: string, markdown: string): RankedChunk[] {
  const doc = parseMarkdown(markdown);
  return chunkDocument(doc, { chunkTokens: 300, overlapTokens: 0 }).map((chunk, index) => ({
    rank: index + 1, chunkId: `${source}#${index}`, documentId: source, source, title: doc.title, headingPath: chunk.headingPath, page: null,
    text: chunk.text, start: chunk.start, end: chunk.end, contentHash: chunk.contentHash, metadata: {}, score: 1, scores: {}, retrievalRank: index + 1, rerankRank: null,
  }));
}

const LRU = readFileSync(new URL('../../test/fixtures/docs/markdown/lru-cache-intro.md', import.meta.url), 'utf8');

const BODY_PARSER = [
  '# body-parser',
  '',
  '##### limit',
  '',
  'Controls the maximum request body size. If this is a number, then the value',
  'specifies the number of bytes; if it is a string, the value is passed to the',
  "[bytes](https://www.npmjs.com/package/bytes) library for parsing. Defaults",
  "to `'100kb'`.",
].join('\n');

const DOTENV = [
  '# dotenv',
  '',
  'Dotenv is a zero-dependency module that loads environment variables from a `.env` file into `process.env`.',
  '',
  '## Usage',
  '',
  'As early as possible in your application, import and configure dotenv:',
  '',
  '```javascript',
  '// index.js',
  "require('dotenv').config()",
  '```',
].join('\n');

describe('extractAnswer', () => {
  it('quotes whole sentences even when the source wraps them across lines', () => {
    const { answer } = extractAnswer('Is lru-cache a TTL cache?', passagesOf('lru-cache/README.md', LRU));
    expect(answer).not.toBeNull();
    for (const sentence of answer!.split(/ \[\d+\] ?/).filter(Boolean)) expect(sentence).toMatch(/^[A-Z].*[.!?:]$/);
    expect(answer).not.toContain('\n');
  });

  it('answers a question about a default with the sentence that gives the value', () => {
    const { answer, citations } = extractAnswer('What is the default body size limit?', passagesOf('body-parser/README.md', BODY_PARSER));
    expect(answer).toContain("Defaults to '100kb'.");
    expect(citations).toEqual([expect.objectContaining({ n: 1, source: 'body-parser/README.md', headingPath: ['body-parser', 'limit'] })]);
  });

  it('never quotes a heading alone, but names the setting a description is about', () => {
    const { answer } = extractAnswer('What does the limit option control?', passagesOf('body-parser/README.md', BODY_PARSER));
    expect(answer).toMatch(/^limit: Controls the maximum request body size\. /);
    const prose = passagesOf('guide.md', '# Guide\n\n## Expenses\n\nHotel stays are reimbursed up to 180 euros per night.');
    expect(extractAnswer('How much is a hotel night reimbursed?', prose).answer).toMatch(/^Hotel stays/);
  });

  it('brings the sentence after a short one from the same paragraph when it is about the question', () => {
    const got = passagesOf('got/readme.md', '# got\n\nBy default, Got will retry on failure. To disable this option, set `options.retry.limit` to 0. Streams are supported.');
    expect(extractAnswer('How do I turn off retries in got?', got).answer).toBe('By default, Got will retry on failure. To disable this option, set options.retry.limit to 0. [1]');
    const travel = passagesOf('travel.md', '# Travel\n\n## Expenses\n\nHotel stays are reimbursed up to 180 euros per night. Meals are covered by a daily allowance.');
    expect(extractAnswer('How much is a hotel stay reimbursed?', travel).answer).toBe('Hotel stays are reimbursed up to 180 euros per night. [1]');
  });

  it('brings the code a "how do I" answer introduces, as code', () => {
    const { answer } = extractAnswer('How do I configure dotenv in my application?', passagesOf('dotenv/README.md', DOTENV));
    expect(answer).toContain("As early as possible in your application, import and configure dotenv: `require('dotenv').config()` [");
  });

  it('cites each passage it quotes once, numbered in order', () => {
    const passages = [...passagesOf('body-parser/README.md', BODY_PARSER), ...passagesOf('dotenv/README.md', DOTENV)];
    const { answer, citations } = extractAnswer('What is the default limit, and how do I configure dotenv?', passages);
    expect(citations.map((citation) => citation.n)).toEqual(citations.map((_, index) => index + 1));
    for (const citation of citations) expect(answer).toContain(`[${citation.n}]`);
    expect(new Set(citations.map((citation) => citation.chunkId)).size).toBe(citations.length);
  });

  it('gives no answer when no sentence holds a question term', () => {
    expect(extractAnswer('How do otters sleep?', passagesOf('dotenv/README.md', DOTENV))).toEqual({ answer: null, citations: [] });
  });
});
