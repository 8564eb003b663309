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

  it('does not match the remnants of contractions: "don\'t" in a question finds no "Don\'t" in the passages', () => {
    const multer = passagesOf('multer/README.md', [
      '# Multer', '', "Don't forget the enctype=\"multipart/form-data\" in your form.", '',
      '## DiskStorage', '', 'The disk storage engine gives you full control on storing files to disk.', '',
      "If no destination is given, the operating system's default directory for temporary files is used.",
    ].join('\n'));
    const { answer } = extractAnswer("Where does multer put uploaded files if I don't give a destination?", multer);
    expect(answer).toContain("If no destination is given, the operating system's default directory for temporary files is used.");
    expect(answer).not.toContain("Don't forget");
  });

  it('answers "how do I set" with the option that sets it rather than a sentence that only talks about it', () => {
    // As search ranks them: a performance note first, then the constructor's option list.
    const piscina = [
      ...passagesOf('piscina/README.md', ['# piscina', '', '## Queue Size', '', 'The pool can grow: set the maximum number of threads when you create it.'].join('\n')),
      ...passagesOf('piscina/README.md', [
        '# piscina', '', '## Constructor', '',
        '- minThreads: (number) Sets the minimum number of threads that are always running for this thread pool.',
        '- maxThreads: (number) Sets the maximum number of threads that are running for this thread pool.',
      ].join('\n')),
    ];
    const { answer } = extractAnswer('How do I set the maximum number of threads?', piscina);
    expect(answer).toBe('- maxThreads: (number) Sets the maximum number of threads that are running for this thread pool. [1]');
  });

  it('reads the headings of the small sections a passage holds: the option is named and cited by its own heading', () => {
    const option = (name: string, type: string, text: string) => `#### ${name}\n\nType: \`${type}\`\\\nDefault: \`0\`\n\n${text}`;
    const markdown = [
      '# p-queue', '', '## API', '', '### options', '',
      option('interval', 'number', 'The length of time in milliseconds before the interval count resets. Must be finite.'), '',
      option('intervalCap', 'number', 'The max number of runs in the given interval of time.'), '',
      option('carryoverConcurrencyCount', 'boolean', 'Whether the task must finish in the given interval or will be carried over into the next interval count.'),
    ].join('\n');
    const passages = passagesOf('p-queue/readme.md', markdown);
    expect(passages).toHaveLength(1); // the small sections share one passage
    const { answer, citations } = extractAnswer('How do I limit the number of runs in an interval?', passages);
    expect(answer).toMatch(/^intervalCap: The max number of runs in the given interval of time\. \[1\]/);
    expect(citations[0]!.headingPath).toEqual(['p-queue', 'API', 'options', 'intervalCap']);
  });

  it('brings the sentence that goes on with "This …" along with the one it finishes', () => {
    const commander = passagesOf('commander/Readme.md', [
      '# Commander.js', '', '## More configuration', '',
      'Specify a required (mandatory) option using the Option method .makeOptionMandatory(). This matches the Command method .requiredOption(). Options may be hidden too.',
    ].join('\n'));
    expect(extractAnswer('How do I make an option mandatory in commander?', commander).answer).toBe(
      'Specify a required (mandatory) option using the Option method .makeOptionMandatory(). This matches the Command method .requiredOption(). [1]',
    );
  });

  it('quotes the code that does the thing, matched through the abbreviation in its names, not the install command or code that only a comment relates', () => {
    const fflate = passagesOf('fflate/README.md', [
      '# fflate', '', '## Usage', '', 'Install it:', '', '```sh', 'npm install fflate', '```', '',
      'Streams work too:', '', '```js', '// This example uses synchronous streams', 'const gzipStream = new fflate.Gzip({ level: 9 }, (chunk) => { out += chunk; });', '```', '',
      'Or all at once:', '', '```js', 'const gzipped = fflate.gzipSync(input, { level: 9 });', '```',
    ].join('\n'));
    const { answer } = extractAnswer('How do I gzip data synchronously with fflate?', fflate);
    expect(answer).toContain('`const gzipped = fflate.gzipSync(input, { level: 9 });`');
    expect(answer).not.toContain('npm install');
    expect(answer).not.toContain('gzipStream');
  });

  it('adds to a "how do I" the example from the same document that uses the name the answer gives', () => {
    const sameDocument = (passages: RankedChunk[], at: number) => passages.map((passage) => ({ ...passage, chunkId: `${passage.chunkId}@${at}` }));
    const passages = [
      ...sameDocument(passagesOf('commander/Readme.md', [
        '# Commander.js', '', '## More configuration', '',
        '```', '$ extra --disable-server --port 8000', "error: option '--disable-server' cannot be used with option '-p, --port <number>'", '```', '',
        'Specify a required (mandatory) option using the Option method .makeOptionMandatory(). This matches the Command method .requiredOption().',
      ].join('\n')), 1),
      ...passagesOf('yargs/README.md', ['# yargs', '', 'Options can be required:', '', '```js', "yargs.option('port', { demandOption: true })", '```'].join('\n')),
      ...sameDocument(passagesOf('commander/Readme.md', [
        '# Commander.js', '', '## Required option', '', 'Example file: options-required.js', '',
        '```js', 'program', "  .requiredOption('-c, --cheese <type>', 'pizza must have cheese');", '```',
      ].join('\n')), 3),
    ];
    const { answer } = extractAnswer('How do I make an option mandatory in commander?', passages);
    expect(answer).toContain("`.requiredOption('-c, --cheese <type>', 'pizza must have cheese');` [2]");
    expect(answer).not.toMatch(/disable-server|demandOption/);
  });

  it('gives no answer when no sentence holds a question term', () => {
    expect(extractAnswer('How do otters sleep?', passagesOf('dotenv/README.md', DOTENV))).toEqual({ answer: null, citations: [] });
  });
});
