import { deflateSync, gzipSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { siftErrorOf } from '../../test/helpers/sift-error-of.js';
import { makeDocx } from '../../test/fixtures/make-docx.js';
import { makePdf } from '../../test/fixtures/make-pdf.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import { decodeText, detectFormat } from './detect-format.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function utf16(text: string, byteOrder: 'le' | 'be'): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes.set(byteOrder === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const [first, second] = byteOrder === 'le' ? [unit & 0xff, unit >> 8] : [unit >> 8, unit & 0xff];
    bytes[2 + i * 2] = first;
    bytes[3 + i * 2] = second;
  }
  return bytes;
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A valid 1x1 greyscale PNG. */
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  pngChunk('IHDR', Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0])),
  pngChunk('IDAT', deflateSync(Buffer.from([0, 0]))),
  pngChunk('IEND', Buffer.alloc(0)),
]);
const PDF = utf8('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n');
const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
const REAL_PDF = await makePdf([['A real PDF.']]);
const REAL_DOCX = await makeDocx([{ paragraph: 'A real Word document.' }]);
const PLAIN_ZIP = zipSync({ 'notes.txt': strToU8('zipped notes') });
/** Bytes with no structure at all, as a file overwritten by noise holds. */
const NOISE = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24);
/** "Καλημέρα κόσμε" in windows-1253 (Greek): valid 8-bit text, but not Latin-1. */
const GREEK_1253 = Uint8Array.from([0xca, 0xe1, 0xeb, 0xe7, 0xec, 0xdd, 0xf1, 0xe1, 0x20, 0xea, 0xfc, 0xf3, 0xec, 0xe5]);

function decodeRejection(bytes: Uint8Array): SiftError {
  try {
    decodeText(bytes);
  } catch (error) {
    if (error instanceof SiftError) return error;
    throw error;
  }
  throw new Error('expected a SiftError');
}

describe('decodeText', () => {
  it('decodes UTF-8 and drops its byte-order mark', () => {
    expect(decodeText(utf8('héllo ✓'))).toBe('héllo ✓');
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('hi')]))).toBe('hi');
  });

  it('decodes UTF-16 in either byte order when a byte-order mark says so', () => {
    expect(decodeText(utf16('Grüße 😀', 'le'))).toBe('Grüße 😀');
    expect(decodeText(utf16('Grüße 😀', 'be'))).toBe('Grüße 😀');
  });

  it('reads text that is not UTF-8 as Latin-1 (windows-1252) when it looks like 8-bit text', () => {
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]); // "café ok" in Latin-1
    expect(decodeText(latin1)).toBe('café ok');
    // windows-1252 puts the euro sign and curly quotes where ISO-8859-1 has control codes.
    // "Le “CAFÉ” coûte €5 au comptoir." The "É”" pair even forms a valid UTF-8 sequence by accident.
    const quoted = Uint8Array.from([...utf8('Le '), 0x93, ...utf8('CAF'), 0xc9, 0x94, ...utf8(' co'), 0xfb, ...utf8('te '), 0x80, ...utf8('5 au comptoir.')]);
    expect(decodeText(quoted)).toBe('Le “CAFÉ” coûte €5 au comptoir.');
  });

  it('treats damaged UTF-8 as corrupt rather than reading it as Latin-1 mojibake', () => {
    const damaged = Uint8Array.from([...utf8('Café crème '), 0xc3, 0x28, ...utf8(' ok')]);
    const error = decodeRejection(damaged);
    expect(error.code).toBe(ErrorCode.CorruptFile);
    expect(error.message).toMatch(/^is not valid UTF-8 text, and not Latin-1 \(windows-1252\) text either: it is UTF-8 with damaged characters/);
  });

  it.each([
    ['a byte windows-1252 leaves unassigned', Uint8Array.from([...utf8('abc '), 0x81, ...utf8(' def')]), /0x81/],
    ['mostly non-ASCII bytes (Greek in windows-1253)', GREEK_1253, /another legacy encoding/],
    ['many control characters', Uint8Array.from([0xe9, 1, 2, 3, 4, 0x61]), /control characters/],
  ])('refuses 8-bit text with %s instead of guessing Latin-1', (_case, bytes, reason) => {
    const error = decodeRejection(bytes);
    expect(error.code).toBe(ErrorCode.CorruptFile);
    expect(error.message).toMatch(reason);
  });

  it('does not fall back to Latin-1 when a UTF-8 byte-order mark declares UTF-8', () => {
    const error = decodeRejection(Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('caf'), 0xe9]));
    expect(error.message).toMatch(/^is not valid UTF-8 text although its byte-order mark declares UTF-8/);
  });

  it('names the file in the message when it is given', () => {
    let caught: unknown;
    try {
      decodeText(Uint8Array.from([...utf8('Café '), 0xc3, 0x28]), 'notes.txt');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SiftError);
    expect((caught as SiftError).message).toMatch(/^"notes.txt" is not valid UTF-8 text, .*; save the file as UTF-8/);
  });

  it('treats UTF-16 with a lone surrogate as corrupt', () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0xd8, 0x41, 0x00]);
    expect(decodeRejection(bytes).message).toMatch(/^is not valid UTF-16 text/);
  });
});

describe('detectFormat', () => {
  it.each([
    ['notes.txt', 'text'],
    ['notes.TEXT', 'text'],
    ['guide.md', 'markdown'],
    ['docs/Guide.Markdown', 'markdown'],
    ['page.html', 'html'],
    ['PAGE.HTM', 'html'],
  ] as const)('reads %s as %s from its extension', async (fileName, format) => {
    await expect(detectFormat(fileName, utf8('Some words.\n'))).resolves.toBe(format);
  });

  it('reads .pdf and .docx files whose content is what their name says', async () => {
    await expect(detectFormat('report.pdf', REAL_PDF)).resolves.toBe('pdf');
    await expect(detectFormat('letters/Letter.DOCX', REAL_DOCX)).resolves.toBe('docx');
  });

  it('accepts a PDF header anywhere in the first kilobyte, as PDF readers do', async () => {
    const prefixed = Uint8Array.from([...utf8('junk before the header\n'), ...REAL_PDF]);
    await expect(detectFormat('report.pdf', prefixed)).resolves.toBe('pdf');
  });

  it('recognises a PDF or a DOCX without an extension from its content', async () => {
    await expect(detectFormat('download', REAL_PDF)).resolves.toBe('pdf');
    await expect(detectFormat('attachment', REAL_DOCX)).resolves.toBe('docx');
  });

  it.each([
    ['report.pdf', REAL_DOCX, 'is named as PDF but its content is a Word document'],
    ['report.pdf', PNG, 'is named as PDF but its content is a PNG image'],
    ['report.pdf', utf8('Just some notes, saved with the wrong name.\n'), 'is named as PDF but its content is plain text'],
    ['letter.docx', REAL_PDF, 'is named as DOCX but its content is a PDF document'],
    ['letter.docx', PLAIN_ZIP, 'is named as DOCX but its content is a ZIP archive'],
    ['letter.docx', utf8('Dear Ada,\n'), 'is named as DOCX but its content is plain text'],
  ])('refuses %s whose content is something else', async (fileName, bytes, message) => {
    const error = await siftErrorOf(detectFormat(fileName, bytes));
    expect(error.code).toBe(ErrorCode.ContentMismatch);
    expect(error.message).toContain(`"${fileName}" ${message}`);
  });

  it.each([
    ['report.pdf', /is not a readable PDF file: it does not start with the %PDF- header/],
    ['letter.docx', /is not a readable DOCX file: it is not a zip archive/],
  ])('refuses %s holding unrecognisable bytes as a corrupt file', async (fileName, message) => {
    const error = await siftErrorOf(detectFormat(fileName, NOISE));
    expect(error.code).toBe(ErrorCode.CorruptFile);
    expect(error.message).toMatch(message);
  });

  it('trusts the extension over content that looks like another text format', async () => {
    await expect(detectFormat('snippet.txt', utf8('<!doctype html><p>hi</p>'))).resolves.toBe('text');
  });

  it('sniffs HTML in a file without an extension and falls back to text', async () => {
    await expect(detectFormat('index', utf8('\n  <!DOCTYPE html>\n<html><body>x</body></html>'))).resolves.toBe('html');
    await expect(detectFormat('index', utf8('<html lang="en"><body>x</body></html>'))).resolves.toBe('html');
    await expect(detectFormat('README', utf8('Read me first.'))).resolves.toBe('text');
    await expect(detectFormat('.notes', utf8('# not an extension'))).resolves.toBe('text');
  });

  it.each([
    ['no bytes', new Uint8Array()],
    ['only whitespace', utf8(' \n\t\r\n ')],
    ['only a UTF-8 byte-order mark', new Uint8Array([0xef, 0xbb, 0xbf])],
    ['UTF-16 whitespace', utf16('  \n', 'le')],
  ])('rejects a file with %s as empty', async (_case, bytes) => {
    const error = await siftErrorOf(detectFormat('a.txt', bytes));
    expect(error.code).toBe(ErrorCode.EmptyFile);
    expect(error.message).toContain('"a.txt" is empty');
  });

  it.each(['setup.exe', 'photo.png', 'data.csv', 'archive.tar.gz'])('rejects the unsupported extension of %s', async (fileName) => {
    const error = await siftErrorOf(detectFormat(fileName, utf8('whatever')));
    expect(error.code).toBe(ErrorCode.UnsupportedType);
    expect(error.message).toContain('supported types are plain text');
    for (const extension of ['.txt', '.md', '.html', '.pdf', '.docx']) expect(error.message).toContain(extension);
  });

  it('tells how to convert an old Word .doc file', async () => {
    const error = await siftErrorOf(detectFormat('minutes.doc', utf8('whatever')));
    expect(error.code).toBe(ErrorCode.UnsupportedType);
    expect(error.message).toContain('save it as .docx');
  });

  it.each([
    ['a PNG image (image/png)', PNG],
    ['a PDF document (application/pdf)', PDF],
    ['an ELF executable (application/x-elf)', ELF],
    ['a JPEG image (image/jpeg)', JPEG],
    ['a gzip archive (application/gzip)', gzipSync(Buffer.from('hello'))],
  ])('names the real type when a .txt holds %s', async (description, bytes) => {
    const error = await siftErrorOf(detectFormat('notes.txt', bytes));
    expect(error.code).toBe(ErrorCode.ContentMismatch);
    expect(error.message).toContain(`"notes.txt" is named as text but its content is ${description}`);
  });

  it('names the claimed format in a mismatch', async () => {
    const error = await siftErrorOf(detectFormat('guide.md', PNG));
    expect(error.message).toContain('is named as Markdown but its content is a PNG image');
  });

  it('rejects NUL bytes and a high share of control characters as binary data', async () => {
    const withNul = await siftErrorOf(detectFormat('a.txt', utf8('hello\u0000world')));
    expect(withNul.code).toBe(ErrorCode.ContentMismatch);
    expect(withNul.message).toContain('binary data');
    const controls = await siftErrorOf(detectFormat('a.txt', utf8('a\u0001b\u0002c\u0003d')));
    expect(controls.code).toBe(ErrorCode.ContentMismatch);
  });

  it('reports a binary file without an extension as an unsupported type, not a mismatch', async () => {
    const error = await siftErrorOf(detectFormat('download', PNG));
    expect(error.code).toBe(ErrorCode.UnsupportedType);
    expect(error.message).toContain('has no extension and its content is a PNG image');
  });

  it('accepts UTF-16 text even though every other byte is NUL', async () => {
    await expect(detectFormat('notes.txt', utf16('Hello UTF-16 world', 'le'))).resolves.toBe('text');
    await expect(detectFormat('notes.txt', utf16('Hello UTF-16 world', 'be'))).resolves.toBe('text');
  });

  it('does not mistake text that starts like a weak binary signature for that format', async () => {
    // file-type reads "BM" as BMP, "MZ" as an EXE, "ID3" as MP3 and "solid " as STL.
    for (const text of ['BMW builds cars.', 'MZ made motorcycles.', 'ID3 tags label songs.', 'solid ground']) {
      await expect(detectFormat('notes.txt', utf8(`${text}\n`))).resolves.toBe('text');
    }
  });

  it('accepts text formats that file-type recognises, such as XML and vCard', async () => {
    await expect(detectFormat('feed.txt', utf8('<?xml version="1.0"?><rss></rss>'))).resolves.toBe('text');
    await expect(detectFormat('card.txt', utf8('BEGIN:VCARD\nFN:Ada\nEND:VCARD\n'))).resolves.toBe('text');
  });

  it('tolerates a few control characters such as ANSI colours and a stray form feed', async () => {
    await expect(detectFormat('log.txt', utf8('\u001b[31merror\u001b[0m: disk full\fpage two\n'))).resolves.toBe('text');
    const mostlyText = `${'plain words '.repeat(20)}\u0007`;
    await expect(detectFormat('a.txt', utf8(mostlyText))).resolves.toBe('text');
  });

  it('leaves the encoding of text without binary markers to decodeText', async () => {
    await expect(detectFormat('latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9]))).resolves.toBe('text');
    await expect(detectFormat('greek.txt', GREEK_1253)).resolves.toBe('text');
  });

  it('reads Latin-1 text that starts like a weak binary signature as text', async () => {
    await expect(detectFormat('cars.txt', Uint8Array.from([...utf8('BMW r'), 0xe9, ...utf8('sum'), 0xe9, 0x0a]))).resolves.toBe('text');
  });

  it('still names a real binary type inside a file named as text', async () => {
    const error = await siftErrorOf(detectFormat('notes.txt', REAL_DOCX));
    expect(error.message).toContain('is named as text but its content is a Word document');
  });
});
