import { describe, expect, it } from 'vitest';
import { ErrorCode, SiftError } from '../../common/errors.js';
import type { ParsedDocument, TextFormat } from '../document-types.js';
import { parseDocument } from './parse-document.js';

const SAMPLES: Record<TextFormat, string[]> = {
  text: ['Plain paragraph.\r\n\r\n  Indented second one.  \n\n\n Third\nline ', 'ünïcödé 東京 😀\n\nsecond'],
  markdown: [
    '# Title\r\n\r\nIntro *text*.\r\n\r\n## Part\n\n```\ncode\n\n  more\n```\n\n- a\n- b\n\n> q\n\n| x | y |\n|---|---|\n| 1 | 2 |\n',
    '---\ntitle: t\n---\n\nSetext\n===\n\n   para with indent\n\n    indented code\n',
  ],
  html: [
    '<html><head><title>T</title></head><body><h1>A</h1><p>b  c</p><pre>  x\n   y  </pre><ul><li>z</li></ul></body></html>',
    '<article><h2>😀 émoji</h2><table><tr><td>1</td><td>2</td></tr></table><div>loose<p>p</p>tail</div></article>',
  ],
};

function expectOffsetsSliceText(doc: ParsedDocument): void {
  expect(doc.blocks.length).toBeGreaterThan(0);
  for (const block of doc.blocks) {
    expect(doc.text.slice(block.start, block.end)).toBe(block.text);
    expect(block.end).toBeGreaterThan(block.start);
  }
}

function noTextError(format: TextFormat, text: string): SiftError {
  try {
    parseDocument(format, text, 'empty.file');
  } catch (error) {
    if (error instanceof SiftError) return error;
    throw error;
  }
  throw new Error('expected NO_TEXT');
}

describe('parseDocument', () => {
  it.each(Object.entries(SAMPLES).flatMap(([format, texts]) => texts.map((text) => [format as TextFormat, text] as const)))(
    'gives %s blocks whose [start, end) slice the document text exactly',
    (format, text) => {
      const doc = parseDocument(format, text, 'sample');
      expect(doc.format).toBe(format);
      expectOffsetsSliceText(doc);
    },
  );

  it('keeps blocks in document order without overlap', () => {
    for (const [format, texts] of Object.entries(SAMPLES) as Array<[TextFormat, string[]]>) {
      for (const text of texts) {
        const { blocks } = parseDocument(format, text, 'sample');
        for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.start).toBeGreaterThanOrEqual(blocks[i - 1]!.end);
      }
    }
  });

  it.each([
    ['text', ' \n\n\t '],
    ['markdown', '---\n\n***\n\n<!-- only a comment -->\n\n#\n'],
    ['html', '<html><head><title>Only a title</title></head><body><script>app()</script></body></html>'],
  ] as const)('refuses a %s document with no text as NO_TEXT, naming the file', (format, text) => {
    const error = noTextError(format, text);
    expect(error.code).toBe(ErrorCode.NoText);
    expect(error.message).toContain('"empty.file"');
  });

  it('explains that HTML text added by JavaScript cannot be read', () => {
    expect(noTextError('html', '<body><div id="app"></div></body>').message).toContain('JavaScript');
  });
});
