import { describe, expect, it } from 'vitest';
import { siftErrorOf } from '../../../test/helpers/sift-error-of.js';
import { makeEncryptedPdf, makeImageOnlyPdf, makePdf, makeTruncatedPdf } from '../../../test/fixtures/make-pdf.js';
import { ErrorCode, SiftError } from '../../common/errors.js';
import { parseDocumentBytes } from './parse-document.js';
import { parsePdf } from './pdf.js';

const LONG_PARAGRAPH =
  'The pumping station on the north bank was rebuilt in the spring, and its two new pumps move twice the water ' +
  'of the old ones while drawing less power; the old building now houses the visitor centre and a small museum.';

describe('parsePdf', () => {
  it('reads the text of every page and gives each block its 1-based page', async () => {
    const bytes = await makePdf([['Apples grow in the orchard.'], ['Bees live in the hives.'], ['Cider is pressed in October.']]);
    const doc = await parsePdf(bytes, 'farm.pdf');
    expect(doc.format).toBe('pdf');
    expect(doc.blocks.map((block) => [block.page, block.text])).toEqual([
      [1, 'Apples grow in the orchard.'],
      [2, 'Bees live in the hives.'],
      [3, 'Cider is pressed in October.'],
    ]);
  });

  it('keeps block offsets pointing into the document text', async () => {
    const doc = await parsePdf(await makePdf([['One.', 'Two.'], ['Three.']]), 'a.pdf');
    for (const block of doc.blocks) expect(doc.text.slice(block.start, block.end)).toBe(block.text);
  });

  it('joins wrapped lines into one paragraph and separates paragraphs at wider gaps', async () => {
    const doc = await parsePdf(await makePdf([[LONG_PARAGRAPH, LONG_PARAGRAPH.toUpperCase()]]), 'a.pdf');
    expect(doc.blocks.map((block) => block.text)).toEqual([LONG_PARAGRAPH, LONG_PARAGRAPH.toUpperCase()]);
  });

  it('keeps accented letters', async () => {
    const doc = await parsePdf(await makePdf([['Crème brûlée at the café, façade übergroß.']]), 'menu.pdf');
    expect(doc.text).toBe('Crème brûlée at the café, façade übergroß.');
  });

  it('takes the title from the document metadata', async () => {
    const doc = await parsePdf(await makePdf([['Body.']], { title: 'Annual report' }), 'r.pdf');
    expect(doc.title).toBe('Annual report');
    expect((await parsePdf(await makePdf([['Body.']]), 'r.pdf')).title).toBeNull();
  });

  it('does not detach or change the caller’s bytes', async () => {
    const bytes = await makePdf([['Still here.']]);
    const copy = bytes.slice();
    await parsePdf(bytes, 'a.pdf');
    expect(bytes).toEqual(copy);
  });

  it('reads a Node Buffer, as the CLI and file reads hand over', async () => {
    const doc = await parsePdf(Buffer.from(await makePdf([['From a Buffer.']])), 'a.pdf');
    expect(doc.text).toBe('From a Buffer.');
  });

  it('refuses a PDF that needs a password as ENCRYPTED_FILE', async () => {
    const error = await siftErrorOf(parsePdf(await makeEncryptedPdf('Top secret plans.'), 'secret.pdf'));
    expect(error.code).toBe(ErrorCode.EncryptedFile);
    expect(error.message).toMatch(/^"secret.pdf" is encrypted \(password-protected\) and cannot be read/);
  });

  it('refuses a damaged PDF as CORRUPT_FILE with the reason', async () => {
    const error = await siftErrorOf(parsePdf(await makeTruncatedPdf(), 'cut.pdf'));
    expect(error.code).toBe(ErrorCode.CorruptFile);
    expect(error.message).toMatch(/^"cut.pdf" is not a readable PDF \(Invalid PDF structure\)/);
  });

  it('refuses a PDF without a text layer as NO_TEXT and says OCR is not supported', async () => {
    const error = await siftErrorOf(parseDocumentBytes('pdf', await makeImageOnlyPdf(), 'scan.pdf'));
    expect(error.code).toBe(ErrorCode.NoText);
    expect(error.message).toContain('"scan.pdf" has no text layer');
    expect(error.message).toContain('does not do OCR');
  });

  it('skips pages without text and numbers the others by their real page', async () => {
    const doc = await parsePdf(await makePdf([['First.'], [], ['Third.']]), 'gap.pdf');
    expect(doc.blocks.map((block) => block.page)).toEqual([1, 3]);
  });
});
