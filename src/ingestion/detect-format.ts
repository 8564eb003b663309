// Decides how an uploaded file is read: the extension says what the client claims it is, the
// bytes say what it really is. A file whose content contradicts its name is refused with a
// message naming both, because indexing a PNG as text would fill the collection with noise
// that no query can ever match, and the client would not know why.
//
// Text without a byte-order mark is read as UTF-8 when it is valid UTF-8, and otherwise as
// windows-1252 (the superset of Latin-1 that legacy Western tools write) when it looks like
// 8-bit text: mostly ASCII, few control characters, none of the five bytes windows-1252 leaves
// unassigned, and not mostly valid UTF-8 with a few bad bytes (that is damaged UTF-8, and
// reading it as Latin-1 would turn every accent into two characters of mojibake).
import { fileTypeFromBuffer } from 'file-type';
import { ErrorCode, SiftError } from '../common/errors.js';
import type { BinaryFormat, DocumentFormat } from './document-types.js';

const FORMAT_BY_EXTENSION: Readonly<Record<string, DocumentFormat>> = {
  txt: 'text',
  text: 'text',
  md: 'markdown',
  markdown: 'markdown',
  html: 'html',
  htm: 'html',
  pdf: 'pdf',
  docx: 'docx',
};

const FORMAT_LABEL: Readonly<Record<DocumentFormat, string>> = {
  text: 'text',
  markdown: 'Markdown',
  html: 'HTML',
  pdf: 'PDF',
  docx: 'DOCX',
};

const SUPPORTED_TYPES =
  'plain text (.txt, .text), Markdown (.md, .markdown), HTML (.html, .htm), PDF (.pdf) and Word (.docx)';

/** What to do with a file of a type Sift does not read but a supported one is close to. */
const CONVERSION_HINTS: Readonly<Record<string, string>> = {
  doc: 'save it as .docx (Word or LibreOffice: File > Save As) and upload that',
  rtf: 'save it as .docx or .txt and upload that',
};

/** file-type names for the contents a binary format accepts; macro-enabled Word files read the same as .docx. */
const CONTENT_TYPES_BY_FORMAT: Readonly<Record<BinaryFormat, ReadonlySet<string>>> = {
  pdf: new Set(['pdf']),
  docx: new Set(['docx', 'docm']),
};

/** Acrobat accepts a PDF header anywhere in the first kilobyte, and so does pdf.js. */
const PDF_HEADER_WINDOW = 1024;
const PDF_HEADER = '%PDF-';

// file-type also recognises formats that are themselves text; a .txt that holds one of them
// is still readable text, so these never count as a content mismatch.
const TEXT_BASED_FILE_TYPES = new Set(['xml', 'vcf', 'ics', 'vtt', 'rtf', 'ps', 'pgp', 'reg', 'stl']);

// file-type tests two-byte signatures such as "BM" (BMP) and "MZ" (EXE), which ordinary text
// can start with ("BMW ...", "MZ motorcycles ..."). So a detection is only believed when the
// content is not clean text, except for formats whose signature no real text starts with.
const DECISIVE_FILE_TYPES = new Set(['pdf']);

const DESCRIPTION_BY_FILE_TYPE: Readonly<Record<string, string>> = {
  pdf: 'a PDF document',
  png: 'a PNG image',
  jpg: 'a JPEG image',
  gif: 'a GIF image',
  webp: 'a WebP image',
  bmp: 'a BMP image',
  tif: 'a TIFF image',
  zip: 'a ZIP archive',
  gz: 'a gzip archive',
  '7z': 'a 7-Zip archive',
  rar: 'a RAR archive',
  tar: 'a tar archive',
  docx: 'a Word document',
  xlsx: 'an Excel workbook',
  pptx: 'a PowerPoint presentation',
  cfb: 'an old-style Office document (a Word 97-2003 .doc, or an Office file protected by a password)',
  elf: 'an ELF executable',
  exe: 'a Windows executable',
  macho: 'a macOS executable',
  sqlite: 'an SQLite database',
  mp3: 'an MP3 audio file',
  mp4: 'an MP4 video',
};

/** Share of control characters above which content is treated as binary, not text. */
const CONTROL_SHARE_LIMIT = 0.1;
/** How much of the start is decoded to judge whether content is clean text. */
const TEXT_SAMPLE_BYTES = 64 * 1024;

/** Above this share of bytes >= 0x80, 8-bit text is more likely Greek, Cyrillic or binary than Western European. */
const LEGACY_HIGH_BYTE_SHARE_LIMIT = 0.3;
/** The bytes windows-1252 leaves unassigned; they decode to C1 controls that real text never holds. */
const WINDOWS_1252_UNASSIGNED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/** windows-1252's characters for 0x80-0x9F, where ISO-8859-1 has C1 controls; unassigned bytes keep their code. */
const WINDOWS_1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

interface EncodedText {
  encoding: TextEncoding;
  /** Bytes of the byte-order mark, skipped before decoding. */
  bomLength: number;
}

/**
 * Decodes an uploaded file's bytes as UTF-8, as UTF-16 when a byte-order mark says so, or as
 * windows-1252 (Latin-1) when they are not UTF-8 but look like legacy 8-bit text.
 * `fileName`, when given, starts the error message; without it the message starts "is not valid".
 */
export function decodeText(bytes: Uint8Array, fileName?: string): string {
  const { encoding, bomLength } = sniffEncoding(bytes);
  const body = bytes.subarray(bomLength);
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    const subject = fileName === undefined ? '' : `"${fileName}" `;
    const advice = 'save the file as UTF-8 and upload it again';
    if (encoding !== 'utf-8') {
      throw new SiftError(ErrorCode.CorruptFile, `${subject}is not valid UTF-16 text; ${advice}`, { encoding });
    }
    if (bomLength > 0) {
      // A UTF-8 byte-order mark declares UTF-8: then invalid bytes are damage, not another encoding.
      const message = `${subject}is not valid UTF-8 text although its byte-order mark declares UTF-8, so it is damaged; ${advice}`;
      throw new SiftError(ErrorCode.CorruptFile, message, { encoding });
    }
    const legacyProblem = notLegacyTextBecause(body);
    if (legacyProblem === null) return decodeWindows1252(body);
    const message = `${subject}is not valid UTF-8 text, and not Latin-1 (windows-1252) text either: ${legacyProblem}; ${advice}`;
    throw new SiftError(ErrorCode.CorruptFile, message, { encoding });
  }
}

/** The format to parse `bytes` as; throws when the file is empty, unsupported or not what its name says. */
export async function detectFormat(fileName: string, bytes: Uint8Array): Promise<DocumentFormat> {
  if (isBlank(bytes)) {
    throw new SiftError(ErrorCode.EmptyFile, `"${fileName}" is empty; upload a file that contains text`);
  }
  const extension = extensionOf(fileName);
  const claimed = extension === null ? null : FORMAT_BY_EXTENSION[extension];
  if (extension !== null && claimed === undefined) {
    throw unsupportedExtension(fileName, extension);
  }

  const binaryType = await detectBinaryType(bytes);
  if (claimed === 'pdf' || claimed === 'docx') {
    return checkBinaryContent(fileName, claimed, bytes, binaryType);
  }
  if (claimed === null && binaryType !== null) {
    // Without a name to go by, content that is a format Sift reads is simply that format.
    const sniffed = binaryFormatOf(binaryType, bytes);
    if (sniffed !== null) return sniffed;
  }
  if (binaryType !== null) {
    throw contentMismatch(fileName, claimed ?? null, describeFileType(binaryType));
  }
  if (looksBinary(bytes)) {
    throw contentMismatch(
      fileName,
      claimed ?? null,
      'binary data (it contains NUL bytes or many control characters; UTF-16 text needs a byte-order mark)',
    );
  }
  return claimed ?? sniffTextFormat(bytes);
}

/** A file named .pdf or .docx must hold that format; anything else is a mismatch or a damaged file. */
function checkBinaryContent(
  fileName: string,
  claimed: BinaryFormat,
  bytes: Uint8Array,
  binaryType: FileTypeResult | null,
): BinaryFormat {
  if (binaryFormatOf(binaryType, bytes) === claimed) return claimed;
  if (binaryType !== null) throw contentMismatch(fileName, claimed, describeFileType(binaryType));
  if (!looksBinary(bytes) && isCleanText(bytes)) throw contentMismatch(fileName, claimed, 'plain text');
  const reason =
    claimed === 'pdf'
      ? `it does not start with the ${PDF_HEADER} header`
      : 'it is not a zip archive holding a Word document, the container every DOCX file is';
  return failCorrupt(fileName, claimed, reason);
}

function failCorrupt(fileName: string, format: BinaryFormat, reason: string): never {
  throw new SiftError(
    ErrorCode.CorruptFile,
    `"${fileName}" is not a readable ${FORMAT_LABEL[format]} file: ${reason}; check that the file was copied completely, or export it again`,
    { format, reason },
  );
}

function binaryFormatOf(type: FileTypeResult | null, bytes: Uint8Array): BinaryFormat | null {
  if (hasPdfHeader(bytes)) return 'pdf';
  if (type === null) return null;
  for (const format of ['pdf', 'docx'] as const) {
    if (CONTENT_TYPES_BY_FORMAT[format].has(type.ext)) return format;
  }
  return null;
}

function hasPdfHeader(bytes: Uint8Array): boolean {
  const window = bytes.subarray(0, PDF_HEADER_WINDOW + PDF_HEADER.length);
  return Buffer.from(window.buffer, window.byteOffset, window.byteLength).includes(PDF_HEADER, 0, 'latin1');
}

function sniffEncoding(bytes: Uint8Array): EncodedText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  return { encoding: 'utf-8', bomLength: 0 };
}

/** Decodes the start of the file for sniffing and content checks; with `fatal`, null when it is not text in any encoding Sift reads. */
function decodeSample(bytes: Uint8Array, fatal: boolean): string | null {
  const { encoding, bomLength } = sniffEncoding(bytes);
  const sample = bytes.subarray(bomLength, bomLength + TEXT_SAMPLE_BYTES);
  try {
    // `stream: true` keeps a character cut in half at the sample's end from counting as invalid.
    return new TextDecoder(encoding, { fatal, ignoreBOM: true }).decode(sample, { stream: true });
  } catch {
    if (encoding !== 'utf-8' || bomLength > 0 || notLegacyTextBecause(sample) !== null) return null;
    return decodeWindows1252(sample);
  }
}

/**
 * Node's TextDecoder('windows-1252') decodes as ISO-8859-1, turning curly quotes, dashes and
 * the euro sign into invisible controls; so the 32 bytes where the two differ are mapped here.
 */
function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (control) => WINDOWS_1252_C1[control.charCodeAt(0) - 0x80]!);
}

/**
 * Why bytes that are not valid UTF-8 cannot be read as windows-1252 text, or null when they
 * can. Damaged UTF-8 is told apart by its valid multi-byte sequences: Latin-1 text only forms
 * one by accident (an "É" before a curly quote), so they are rarer than its stray high bytes.
 */
function notLegacyTextBecause(bytes: Uint8Array): string | null {
  let highBytes = 0;
  let controls = 0;
  let utf8Sequences = 0;
  let utf8SequenceBytes = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte < 0x80) {
      if (byte === 0) return 'it contains NUL bytes, as binary data does';
      if (isSuspectControl(byte)) controls++;
      continue;
    }
    if (WINDOWS_1252_UNASSIGNED.has(byte)) return `it contains the byte 0x${byte.toString(16)}, which Latin-1 text never holds`;
    highBytes++;
    const length = utf8SequenceLength(bytes, i);
    if (length > 1) {
      utf8Sequences++;
      utf8SequenceBytes += length;
      highBytes += length - 1;
      i += length - 1;
    }
  }
  if (controls / bytes.length > CONTROL_SHARE_LIMIT) return 'it is full of control characters, as binary data is';
  const strayBytes = highBytes - utf8SequenceBytes;
  if (utf8Sequences >= strayBytes) return 'it is UTF-8 with damaged characters (or a mix of encodings)';
  if (highBytes / bytes.length > LEGACY_HIGH_BYTE_SHARE_LIMIT) {
    return 'most of it is non-ASCII bytes, as in another legacy encoding (Greek, Cyrillic, Asian) or binary data';
  }
  return null;
}

/** Length of the well-formed UTF-8 multi-byte sequence starting at `index`, or 0 when there is none. */
function utf8SequenceLength(bytes: Uint8Array, index: number): number {
  const lead = bytes[index]!;
  const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0 || index + length > bytes.length) return 0;
  for (let k = 1; k < length; k++) {
    const next = bytes[index + k]!;
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return length;
}

function isBlank(bytes: Uint8Array): boolean {
  const { encoding, bomLength } = sniffEncoding(bytes);
  if (encoding !== 'utf-8') {
    return new TextDecoder(encoding, { ignoreBOM: true }).decode(bytes.subarray(bomLength)).trim() === '';
  }
  for (let i = bomLength; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const isAsciiWhitespace = byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
    if (!isAsciiWhitespace) return false;
  }
  return true;
}

function extensionOf(fileName: string): string | null {
  const baseName = fileName.slice(fileName.lastIndexOf('/') + 1);
  const dot = baseName.lastIndexOf('.');
  // A leading dot marks a hidden file (".notes"), not an extension.
  return dot <= 0 || dot === baseName.length - 1 ? null : baseName.slice(dot + 1).toLowerCase();
}

function unsupportedExtension(fileName: string, extension: string): SiftError {
  const hint = CONVERSION_HINTS[extension];
  const message =
    `"${fileName}" has the extension ".${extension}", which Sift cannot read; supported types are ${SUPPORTED_TYPES}` +
    (hint === undefined ? '' : `. To index it, ${hint}`);
  return new SiftError(ErrorCode.UnsupportedType, message, { extension });
}

interface FileTypeResult {
  ext: string;
  mime: string;
}

async function detectBinaryType(bytes: Uint8Array): Promise<FileTypeResult | null> {
  const { encoding } = sniffEncoding(bytes);
  // UTF-16 text is full of NUL bytes and a BOM can look like an MPEG frame header, so signatures
  // are only checked for byte-oriented content.
  if (encoding !== 'utf-8') return null;
  const detected = await fileTypeFromBuffer(bytes);
  if (detected === undefined || TEXT_BASED_FILE_TYPES.has(detected.ext)) return null;
  if (DECISIVE_FILE_TYPES.has(detected.ext) || !isCleanText(bytes)) return detected;
  return null;
}

function describeFileType(type: FileTypeResult): string {
  const description = DESCRIPTION_BY_FILE_TYPE[type.ext] ?? `a .${type.ext} file`;
  return `${description} (${type.mime})`;
}

function contentMismatch(fileName: string, claimed: DocumentFormat | null, content: string): SiftError {
  if (claimed === null) {
    // Without an extension there is no claim to contradict: the content is simply of a type Sift does not read.
    return new SiftError(
      ErrorCode.UnsupportedType,
      `"${fileName}" has no extension and its content is ${content}; supported types are ${SUPPORTED_TYPES}`,
    );
  }
  return new SiftError(
    ErrorCode.ContentMismatch,
    `"${fileName}" is named as ${FORMAT_LABEL[claimed]} but its content is ${content}; ` +
      `check that you uploaded the right file, or give it the extension of what it contains`,
  );
}

/** Valid text in its encoding, with no NUL and no control character other than whitespace and ESC. */
function isCleanText(bytes: Uint8Array): boolean {
  const sample = decodeSample(bytes, true);
  if (sample === null) return false;
  for (let i = 0; i < sample.length; i++) {
    if (isSuspectControl(sample.charCodeAt(i))) return false;
  }
  return true;
}

function looksBinary(bytes: Uint8Array): boolean {
  const { encoding, bomLength } = sniffEncoding(bytes);
  if (encoding !== 'utf-8') {
    const sample = decodeSample(bytes, false) ?? '';
    return hasBinaryMarkers(sample.length, (i) => sample.charCodeAt(i));
  }
  return hasBinaryMarkers(bytes.length - bomLength, (i) => bytes[bomLength + i]!);
}

/** True when any unit is NUL or control characters exceed CONTROL_SHARE_LIMIT of all units. */
function hasBinaryMarkers(length: number, unitAt: (index: number) => number): boolean {
  let controls = 0;
  for (let i = 0; i < length; i++) {
    const unit = unitAt(i);
    if (unit === 0) return true;
    if (isSuspectControl(unit)) controls++;
  }
  return length > 0 && controls / length > CONTROL_SHARE_LIMIT;
}

/** C0 controls and DEL, except tab, line breaks, form feed and ESC (ANSI colours in logs). */
function isSuspectControl(unit: number): boolean {
  if (unit === 0x09 || unit === 0x0a || unit === 0x0b || unit === 0x0c || unit === 0x0d || unit === 0x1b) return false;
  return unit < 0x20 || unit === 0x7f;
}

function sniffTextFormat(bytes: Uint8Array): DocumentFormat {
  const start = (decodeSample(bytes.subarray(0, 1024), false) ?? '').trimStart().slice(0, 20).toLowerCase();
  return start.startsWith('<!doctype html') || start.startsWith('<html') ? 'html' : 'text';
}
