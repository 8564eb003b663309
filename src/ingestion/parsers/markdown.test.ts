import { describe, expect, it } from 'vitest';
import { parseMarkdown } from './markdown.js';

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
  '| 1 | 2 |',
  '',
  '---',
  '',
  'Usage',
  '-----',
  '',
  'Last words.',
  '',
].join('\n');

describe('parseMarkdown', () => {
  it('keeps the source as text and turns top-level tokens into typed blocks', () => {
    const doc = parseMarkdown(GUIDE);
    expect(doc.text).toBe(GUIDE);
    expect(doc.blocks.map((block) => block.kind)).toEqual([
      'heading', 'paragraph', 'heading', 'code', 'list', 'quote', 'table', 'heading', 'paragraph',
    ]);
  });

  it('points heading blocks at the heading words only, with their level', () => {
    const doc = parseMarkdown(GUIDE);
    const headings = doc.blocks.filter((block) => block.kind === 'heading');
    expect(headings.map((block) => [block.text, block.level])).toEqual([
      ['Sift **Guide**', 1],
      ['Setup', 2],
      ['Usage', 2],
    ]);
    const setup = headings[1]!;
    expect(doc.text[setup.start]).toBe('S');
    expect(doc.text.slice(setup.start - 3, setup.start)).toBe('## ');
  });

  it('keeps a fenced code block with blank lines as one block', () => {
    const code = parseMarkdown(GUIDE).blocks.find((block) => block.kind === 'code');
    expect(code?.text).toBe('```sh\nnpm install\n\nnpm start\n```');
  });

  it('takes the first level-1 heading as title, without inline markup', () => {
    expect(parseMarkdown(GUIDE).title).toBe('Sift Guide');
    expect(parseMarkdown('## Only a subsection\n\ntext').title).toBeNull();
    expect(parseMarkdown('intro\n\n## Sub\n\n# Late `title`').title).toBe('Late title');
    expect(parseMarkdown('Setext Title\n============\n\nbody').title).toBe('Setext Title');
  });

  it('normalises CRLF line endings before lexing so offsets refer to the returned text', () => {
    const doc = parseMarkdown('# Title\r\n\r\nBody line\r\nmore\r\n');
    expect(doc.text).toBe('# Title\n\nBody line\nmore\n');
    expect(doc.blocks.map((block) => block.text)).toEqual(['Title', 'Body line\nmore']);
  });

  it('skips YAML front matter, rules, link definitions and HTML comments', () => {
    const source = '---\ntitle: Front\ntags: [a]\n---\n\n<!-- generated -->\n\nBody with [a link][ref].\n\n***\n\n[ref]: https://example.com\n';
    const doc = parseMarkdown(source);
    expect(doc.blocks.map((block) => block.text)).toEqual(['Body with [a link][ref].']);
    expect(doc.title).toBeNull();
  });

  it('keeps HTML blocks that carry text', () => {
    const doc = parseMarkdown('<div class="note">Remember this.</div>\n');
    expect(doc.blocks).toHaveLength(1);
    expect(doc.blocks[0]!.text).toContain('Remember this.');
  });

  it('gives blocks whose offsets slice the text exactly', () => {
    const sources = [GUIDE, '---\na: b\n---\n# T\n\n  indented para  \n\n    code\n\n1. x\n2. y\n', '# \n\n#\n\ntext'];
    for (const source of sources) {
      const doc = parseMarkdown(source);
      for (const block of doc.blocks) expect(doc.text.slice(block.start, block.end)).toBe(block.text);
    }
  });

  it('drops empty headings', () => {
    expect(parseMarkdown('#\n\n## \n\ntext').blocks.map((block) => block.kind)).toEqual(['paragraph']);
  });
});
