// Decides how an uploaded file is read: the extension says what the client claims it is, the
// bytes say what it really is. A file whose content contradicts its name is refused with a
// message naming both, because indexing a PNG as text would fill the collection with noise
// that no query can ever match, and the client would not know why.
import { fileTypeFromBuffer } from 'file-type';
import { ErrorCode, SiftError } from '../common/errors.js';
import type { DocumentFormat } from './document-types.js';

const FORMAT_BY_EXTENSION: Readonly<Record<string, DocumentFormat>> = {
  txt: 'text',
  text: 'text',
  md: 'markdown',
  markdown: 'markdown',
  html: 'html',
  htm: 'html',
};

const FORMAT_LABEL: Readonly<Record<DocumentFormat, string>> = {
  text: 'text',
  markdown: 'Markdown',
  html: 'HTML',
};

const SUPPORTED_TYPES = 'plain text (.txt, .text), Markdown (.md, .markdown) and HTML (.html, .htm)';

const PLANNED_TYPES: Readonly<Record<string, string>> = { pdf: 'PDF', docx: 'DOCX' };

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
  cfb: 'an old-style Office document',
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

type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

interface EncodedText {
  encoding: TextEncoding;
  /** Bytes of the byte-order mark, skipped before decoding. */
  bomLength: number;
}

/**
 * Decodes an uploaded file's bytes as UTF-8, or as UTF-16 when a byte-order mark says so.
 * `fileName`, when given, starts the error message; without it the message starts "is not valid".
 */
export function decodeText(bytes: Uint8Array, fileName?: string): string {
  const { encoding, bomLength } = sniffEncoding(bytes);
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(bomLength));
  } catch {
    const name = encoding === 'utf-8' ? 'UTF-8' : 'UTF-16';
    const subject = fileName === undefined ? '' : `"${fileName}" `;
    throw new SiftError(
      ErrorCode.CorruptFile,
      `${subject}is not valid ${name} text; save the file as UTF-8 and upload it again`,
      { encoding },
    );
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

function sniffEncoding(bytes: Uint8Array): EncodedText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  return { encoding: 'utf-8', bomLength: 0 };
}

/** Decodes the start of the file without failing, for sniffing and content checks. */
function decodeSample(bytes: Uint8Array, fatal: boolean): string | null {
  const { encoding, bomLength } = sniffEncoding(bytes);
  const sample = bytes.subarray(bomLength, bomLength + TEXT_SAMPLE_BYTES);
  try {
    // `stream: true` keeps a character cut in half at the sample's end from counting as invalid.
    return new TextDecoder(encoding, { fatal, ignoreBOM: true }).decode(sample, { stream: true });
  } catch {
    return null;
  }
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
  const planned = PLANNED_TYPES[extension];
  const message =
    planned === undefined
      ? `"${fileName}" has the extension ".${extension}", which Sift cannot read; supported types are ${SUPPORTED_TYPES}`
      : `"${fileName}" is a ${planned} file; ${planned} support is planned but not available yet. ` +
        `Supported types are ${SUPPORTED_TYPES}; convert the file to one of them`;
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
