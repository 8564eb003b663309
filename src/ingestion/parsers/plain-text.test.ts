import { describe, expect, it } from 'vitest';
import { parsePlainText, trimmedRange } from './plain-text.js';

describe('parsePlainText', () => {
  it('splits paragraphs on blank lines and keeps line breaks inside a paragraph', () => {
    const doc = parsePlainText('First line\nsame paragraph.\n\nSecond paragraph.\n\n\n\nThird.');
    expect(doc.blocks.map((block) => block.text)).toEqual(['First line\nsame paragraph.', 'Second paragraph.', 'Third.']);
    expect(doc.blocks.every((block) => block.kind === 'paragraph')).toBe(true);
    expect(doc.title).toBeNull();
    expect(doc.format).toBe('text');
  });

  it('treats a line of only spaces or tabs as blank', () => {
    const doc = parsePlainText('one\n \t \ntwo');
    expect(doc.blocks.map((block) => block.text)).toEqual(['one', 'two']);
  });

  it('normalises Windows and old Mac line endings in the returned text', () => {
    const doc = parsePlainText('a\r\nb\r\n\r\nc\rd');
    expect(doc.text).toBe('a\nb\n\nc\nd');
    expect(doc.blocks.map((block) => block.text)).toEqual(['a\nb', 'c\nd']);
  });

  it('trims indentation and trailing spaces from block offsets', () => {
    const doc = parsePlainText('   indented start  \n\n\tx\t');
    expect(doc.blocks).toEqual([
      { kind: 'paragraph', text: 'indented start', start: 3, end: 17 },
      { kind: 'paragraph', text: 'x', start: 22, end: 23 },
    ]);
  });

  it('gives blocks whose offsets slice the text exactly', () => {
    const doc = parsePlainText('\n\n  Alpha beta.\r\n\r\n Gamma\n delta \n\n');
    for (const block of doc.blocks) expect(doc.text.slice(block.start, block.end)).toBe(block.text);
    expect(doc.blocks).toHaveLength(2);
  });

  it('returns no blocks for whitespace only', () => {
    expect(parsePlainText(' \n\n\t\n').blocks).toEqual([]);
    expect(parsePlainText('').blocks).toEqual([]);
  });
});

describe('trimmedRange', () => {
  it('narrows a range past whitespace on both sides, including non-ASCII spaces', () => {
    const text = '\u00a0 word\u3000\n';
    expect(trimmedRange(text, 0, text.length)).toEqual({ start: 2, end: 6 });
    expect(trimmedRange('   ', 0, 3).end - trimmedRange('   ', 0, 3).start).toBe(0);
  });
});
