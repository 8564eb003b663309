import { describe, expect, it } from 'vitest';
import { siftErrorOf } from '../../../test/helpers/sift-error-of.js';
import { makeDocx, withPadding, withUnderstatedEntry } from '../../../test/fixtures/make-docx.js';
import { ErrorCode, SiftError } from '../../common/errors.js';
import { chunkDocument } from '../chunking/chunker.js';
import { parseDocx } from './docx.js';

const HANDBOOK = await makeDocx([
  { heading: 'Travel handbook', level: 1 },
  { heading: 'Expenses', level: 2 },
  { paragraph: 'Hotel stays are reimbursed up to 180 euros per night.' },
  { bullets: ['Keep every receipt.', 'Claim within 30 days.'] },
  { numbered: ['Fill in the form.', 'Attach the receipts.'] },
  { table: [['City', 'Limit'], ['Paris', '220 euros']] },
  { heading: 'Booking', level: 2 },
  { paragraph: 'Book trains a week ahead.' },
]);

describe('parseDocx', () => {
  it('keeps headings with their levels, paragraphs, list items and table rows as blocks', async () => {
    const doc = await parseDocx(HANDBOOK, 'handbook.docx');
    expect(doc.format).toBe('docx');
    expect(doc.title).toBe('Travel handbook');
    expect(doc.blocks.map(({ kind, text, level }) => (level === undefined ? [kind, text] : [kind, text, level]))).toEqual([
      ['heading', 'Travel handbook', 1],
      ['heading', 'Expenses', 2],
      ['paragraph', 'Hotel stays are reimbursed up to 180 euros per night.'],
      ['list', 'Keep every receipt.'],
      ['list', 'Claim within 30 days.'],
      ['list', 'Fill in the form.'],
      ['list', 'Attach the receipts.'],
      ['table', 'City | Limit'],
      ['table', 'Paris | 220 euros'],
      ['heading', 'Booking', 2],
      ['paragraph', 'Book trains a week ahead.'],
    ]);
    for (const block of doc.blocks) expect(doc.text.slice(block.start, block.end)).toBe(block.text);
  });

  it('gives chunks the heading path of their section', async () => {
    const chunks = chunkDocument(await parseDocx(HANDBOOK, 'handbook.docx'), { chunkTokens: 200, overlapTokens: 0, minSectionTokens: 0 });
    expect(chunks.map((chunk) => chunk.headingPath)).toEqual([
      ['Travel handbook', 'Expenses'],
      ['Travel handbook', 'Booking'],
    ]);
  });

  it('reads the Title style as the top heading', async () => {
    const doc = await parseDocx(await makeDocx([{ title: 'Minutes' }, { paragraph: 'We met.' }]), 'm.docx');
    expect(doc.blocks[0]).toMatchObject({ kind: 'heading', level: 1, text: 'Minutes' });
  });

  it('refuses a damaged archive as CORRUPT_FILE', async () => {
    const error = await siftErrorOf(parseDocx(HANDBOOK.slice(0, HANDBOOK.length - 100), 'cut.docx'));
    expect(error.code).toBe(ErrorCode.CorruptFile);
    expect(error.message).toMatch(/^"cut.docx" is not a readable DOCX file \(its zip structure is damaged/);
  });

  it('refuses a zip without word/document.xml as CORRUPT_FILE', async () => {
    const { zipSync, strToU8 } = await import('fflate');
    const error = await siftErrorOf(parseDocx(zipSync({ 'notes.txt': strToU8('hello') }), 'fake.docx'));
    expect(error.code).toBe(ErrorCode.CorruptFile);
    expect(error.message).toContain('no word/document.xml');
  });

  it('refuses an archive that would unpack past the limit before inflating anything', async () => {
    const bomb = withPadding(HANDBOOK, 2 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(HANDBOOK.length + 10_000); // megabytes of zeros pack into a few kilobytes
    const error = await siftErrorOf(parseDocx(bomb, 'bomb.docx', { maxUnpackedBytes: 1024 * 1024 }));
    expect(error.code).toBe(ErrorCode.FileTooLarge);
    expect(error.message).toMatch(/^"bomb.docx" would unpack to 2 MB, more than the 1 MB Sift unpacks from one DOCX/);
    expect(error.message).toContain('zip bomb');
  });

  it('inflates an entry only up to its declared size, so an archive that understates sizes cannot grow', async () => {
    // The main part claims 200 bytes; read whole it would be a fine document, cut at 200 bytes it is broken XML.
    const liar = withUnderstatedEntry(HANDBOOK, 'word/document.xml', 200);
    const error = await siftErrorOf(parseDocx(liar, 'liar.docx'));
    expect(error.code).toBe(ErrorCode.CorruptFile);
  });

  it('reads a document that carries media next to its text', async () => {
    const withMedia = withPadding(HANDBOOK, 2 * 1024 * 1024, 'word/media/image1.png');
    const doc = await parseDocx(withMedia, 'pictures.docx', { maxUnpackedBytes: 3 * 1024 * 1024 });
    expect(doc.blocks.length).toBeGreaterThan(0);
  });
});
