import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMarkdown } from './markdown.js';

const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/docs/markdown/${name}`, import.meta.url), 'utf8');

const GUIDE = [
  '# Sift **Guide**',
  '',
  'Sift indexes documents.',
  'It is fast.',
  '',
  '## Setup ##',
  '',
  '```sh',
  'npm install',
  '',
  'npm start',
  '```',
  '',
  '- one',
  '- two',
  '',
  '> a quote',
  '',
  '| a | b |',
  '|---|---|',
  '| 1 | `x` |',
  '',
  '---',
  '',
  'Usage',
  '-----',
  '',
  'Last words.',
  '',
].join('\n');

const texts = (source: string) => parseMarkdown(source).blocks.map((block) => block.text);

describe('parseMarkdown', () => {
  it('turns top-level tokens into typed blocks of rendered text', () => {
    const doc = parseMarkdown(GUIDE);
    expect(doc.blocks.map((block) => [block.kind, block.text])).toEqual([
      ['heading', 'Sift Guide'],
      ['paragraph', 'Sift indexes documents. It is fast.'],
      ['heading', 'Setup'],
      ['code', 'npm install\n\nnpm start'],
      ['list', '- one\n- two'],
      ['quote', 'a quote'],
      ['table', 'a | b\n1 | x'],
      ['heading', 'Usage'],
      ['paragraph', 'Last words.'],
    ]);
    expect(doc.blocks.filter((block) => block.kind === 'heading').map((block) => block.level)).toEqual([1, 2, 2]);
  });

  it('gives blocks whose offsets slice the text exactly', () => {
    for (const source of [GUIDE, fixture('dotenv-head.md'), fixture('chalk-head.md'), '---\na: b\n---\n# T\n\n  indented para  \n\n    code\n\n1. x\n2. y\n']) {
      const doc = parseMarkdown(source);
      for (const block of doc.blocks) expect(doc.text.slice(block.start, block.end)).toBe(block.text);
    }
  });

  it('joins the hard-wrapped lines of a paragraph as Markdown renders them', () => {
    const [, , , ttl] = texts(fixture('lru-cache-intro.md'));
    expect(ttl).toBe(
      'This is not primarily a TTL cache, and does not make strong TTL guarantees. There is no preemptive pruning of expired items by ' +
        'default, but you may set a TTL on the cache or on a single set. If you do so, it will treat expired items as missing, and ' +
        'delete them when fetched. If you are more interested in TTL caching than LRU caching, check out @isaacs/ttlcache.',
    );
  });

  it('keeps a hard line break (two trailing spaces, backslash, <br>) as a line break', () => {
    expect(texts('first  \nsecond\\\nthird<br>fourth')).toEqual(['first\nsecond\nthird\nfourth']);
  });

  it('reduces links to their text and drops images, badges and inline tags', () => {
    const doc = parseMarkdown(fixture('dotenv-head.md'));
    expect(doc.title).toBe('dotenv');
    expect(doc.blocks[0]).toMatchObject({ kind: 'heading', text: 'dotenv' });
    expect(doc.blocks[1]!.text).toBe(
      'Dotenv is a zero-dependency module that loads environment variables from a .env file into process.env. ' +
        'Storing configuration in the environment separate from code is based on The Twelve-Factor App methodology.',
    );
    expect(doc.text).not.toMatch(/https?:|<img|!\[|&nbsp;/);
    expect(texts('Press <kbd>Ctrl</kbd> + <b>C</b> &amp; wait.')).toEqual(['Press Ctrl + C & wait.']);
  });

  it('strips raw HTML blocks to their text and keeps a <details> summary with what it opens', () => {
    const blocks = parseMarkdown(fixture('dotenv-head.md')).blocks;
    const summary = blocks.find((block) => block.text === 'ES6');
    expect(summary).toMatchObject({ kind: 'paragraph', keepWithNext: true });
    expect(blocks.map((block) => block.text)).toContain("import 'dotenv/config'");
    expect(blocks.some((block) => block.text.includes('<'))).toBe(false);
  });

  it('reads an HTML heading as a heading', () => {
    expect(parseMarkdown('<h1 align="center">My <em>tool</em></h1>\n\ntext').blocks[0]).toMatchObject({ kind: 'heading', level: 1, text: 'My tool' });
    // An HTML heading holding only a logo has no words and is dropped.
    expect(parseMarkdown(fixture('chalk-head.md')).blocks[0]).toMatchObject({ kind: 'quote', text: 'Terminal string styling done right' });
  });

  it('marks a line that introduces the next block as a lead-in', () => {
    const blocks = parseMarkdown('Install it with:\n\n```sh\nnpm i x\n```\n\n`maxAge`\n\nHow long an entry lives.\n\nA plain sentence.').blocks;
    expect(blocks.map((block) => block.keepWithNext === true)).toEqual([true, false, true, false, false]);
  });

  it('takes the first level-1 heading as title, without inline markup', () => {
    expect(parseMarkdown(GUIDE).title).toBe('Sift Guide');
    expect(parseMarkdown('## Only a subsection\n\ntext').title).toBeNull();
    expect(parseMarkdown('intro\n\n## Sub\n\n# Late `title`').title).toBe('Late title');
    expect(parseMarkdown('Setext Title\n============\n\nbody').title).toBe('Setext Title');
  });

  it('normalises CRLF line endings', () => {
    expect(texts('# Title\r\n\r\nBody line\r\nmore\r\n')).toEqual(['Title', 'Body line more']);
  });

  it('skips YAML front matter, rules, link definitions and HTML comments', () => {
    const source = '---\ntitle: Front\ntags: [a]\n---\n\n<!-- generated -->\n\nBody with [a link][ref].\n\n***\n\n[ref]: https://example.com\n';
    const doc = parseMarkdown(source);
    expect(doc.blocks.map((block) => block.text)).toEqual(['Body with a link.']);
    expect(doc.title).toBeNull();
  });

  it('drops empty headings', () => {
    expect(parseMarkdown('#\n\n## \n\ntext').blocks.map((block) => block.kind)).toEqual(['paragraph']);
  });

  it('stays linear on a long run of unclosed tags', () => {
    const doc = parseMarkdown(`<div>${'<a '.repeat(50_000)}</div>`);
    expect(doc.format).toBe('markdown');
  });
});

describe('navigation in Markdown', () => {
  it('leaves out a table of contents and the badge rows above it', () => {
    const doc = parseMarkdown(fixture('commander-toc.md'));
    expect(doc.blocks.map((block) => block.text)).toEqual([
      'Commander.js',
      'The complete solution for node.js command-line interfaces.',
      'Read this in other languages: English | 简体中文',
    ]);
  });

  it('leaves out badge rows and logos written as Markdown images or HTML', () => {
    const doc = parseMarkdown(fixture('chalk-head.md'));
    expect(doc.text).not.toMatch(/Coverage|Downloads|dependents|img/);
    expect(doc.blocks.map((block) => block.text)).toEqual([
      'Terminal string styling done right',
      'Info',
      '- Why not switch to a smaller coloring package?\n- See yoctocolors for a smaller alternative',
    ]);
  });

  it('leaves out "back to top" links, link bars and a Contents heading over its list', () => {
    const source = [
      '## Contents',
      '',
      '- [Install](#install)',
      '- [Usage](#usage)',
      '',
      '## Install',
      '',
      'Run the installer.',
      '',
      '**[⬆ back to top](#readme)**',
      '',
      '[Docs](https://a.example) · [API](https://b.example) · [Blog](https://c.example)',
      '',
      '<p><a href="https://a.example">Docs</a> | <a href="https://b.example">API</a></p>',
    ].join('\n');
    expect(texts(source)).toEqual(['Install', 'Run the installer.']);
  });

  it('leaves out a "Related" list of other projects with its heading', () => {
    const source = ['## API', '', 'Call it.', '', '## Related', '', '- [p-map](https://x.example) - Map over promises concurrently', '- [p-all](https://y.example) - Run promise-returning functions concurrently'].join('\n');
    expect(texts(source)).toEqual(['API', 'Call it.']);
  });

  it('keeps lists and sentences that merely contain links', () => {
    const source = [
      'See [the guide](https://example.com/guide) for the details.',
      '',
      '- [p-map](https://x.example) - map over promises concurrently',
      '- [p-all](https://y.example) - run promise-returning functions concurrently',
      '',
      '[Read the migration guide](https://example.com/migrate)',
    ].join('\n');
    expect(texts(source)).toEqual([
      'See the guide for the details.',
      '- p-map - map over promises concurrently\n- p-all - run promise-returning functions concurrently',
      'Read the migration guide',
    ]);
  });
});
