// Word documents: mammoth turns the document XML into semantic HTML (Word's heading styles
// become <h1>-<h6>, numbered and bulleted paragraphs become lists, tables stay tables), and
// the HTML parser's block walker turns that into blocks, so a Word file and a web page share
// one notion of structure and the chunker builds heading paths for both.
//
// A DOCX is a zip, and a zip can claim little and unpack to gigabytes. So the archive is
// opened here before mammoth sees it: the central directory's declared sizes are added up
// and checked against a limit before anything is inflated, and only the XML parts are
// inflated, each into a buffer of exactly its declared size, so an entry that lies about its
// size is cut short (and then fails to parse) instead of growing. mammoth gets a repacked,
// uncompressed archive of those parts; images and other media are never unpacked.
import { unzipSync, zipSync, type UnzipFileInfo, type Unzipped } from 'fflate';
import mammoth from 'mammoth';
import { ErrorCode, SiftError } from '../../common/errors.js';
import type { ParsedDocument } from '../document-types.js';
import { parseHtml } from './html.js';

/**
 * Limit on what a DOCX may unpack to, all entries together, as its central directory
 * declares (DOCX_MAX_EXPANDED_BYTES). mammoth holds a parsed XML tree of many times the
 * XML's size, so the default is sized for the parser process's heap (PARSE_HEAP_MB).
 */
export const DOCX_MAX_UNPACKED_BYTES = 64 * 1024 * 1024;

export interface DocxOptions {
  maxUnpackedBytes?: number;
  /** Passed to the HTML step mammoth's output goes through. */
  htmlMaxDepth?: number;
}

const MAIN_PART = 'word/document.xml';
/** XML and relationship parts: all mammoth reads apart from media. */
const TEXT_PART = /\.(xml|rels)$/i;

/** Word's title style is the document's top heading; everything else keeps mammoth's defaults. */
const STYLE_MAP = ["p[style-name='Title'] => h1:fresh"];
/** Images carry no text to index; an empty source keeps mammoth from reading their bytes. */
const SKIP_IMAGES = mammoth.images.imgElement(() => Promise.resolve({ src: '' }));

export async function parseDocx(bytes: Uint8Array, fileName: string, options: DocxOptions = {}): Promise<ParsedDocument> {
  const parts = unpackTextParts(bytes, fileName, options.maxUnpackedBytes ?? DOCX_MAX_UNPACKED_BYTES);
  const archive = zipSync(parts, { level: 0 });
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength) },
      { styleMap: STYLE_MAP, convertImage: SKIP_IMAGES, externalFileAccess: false },
    );
    html = result.value;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw corrupt(fileName, `its Word XML could not be read: ${message.replace(/\s+/g, ' ').trim()}`);
  }
  return { ...parseHtml(html, { fileName, ...(options.htmlMaxDepth === undefined ? {} : { maxDepth: options.htmlMaxDepth }) }), format: 'docx' };
}

function unpackTextParts(bytes: Uint8Array, fileName: string, maxUnpackedBytes: number): Unzipped {
  const entries = listEntries(bytes, fileName);
  if (!entries.some((entry) => entry.name === MAIN_PART)) {
    throw corrupt(fileName, `the archive has no ${MAIN_PART}, so it is not a Word document`);
  }
  const unpackedBytes = entries.reduce((sum, entry) => sum + entry.originalSize, 0);
  if (unpackedBytes > maxUnpackedBytes) {
    throw new SiftError(
      ErrorCode.FileTooLarge,
      `"${fileName}" would unpack to ${megabytes(unpackedBytes)}, more than the ${megabytes(maxUnpackedBytes)} ` +
        'Sift unpacks from one DOCX; this is either a zip bomb or a document too large to index in one piece: split it, or raise DOCX_MAX_EXPANDED_BYTES (and PARSE_HEAP_MB with it)',
      { unpackedBytes, maxUnpackedBytes },
    );
  }
  try {
    // fflate inflates each chosen entry into a buffer of its declared size, never more.
    return unzipSync(bytes, { filter: (entry) => TEXT_PART.test(entry.name) });
  } catch (error) {
    throw corrupt(fileName, zipFailure(error));
  }
}

/** The central directory, read without inflating anything. */
function listEntries(bytes: Uint8Array, fileName: string): UnzipFileInfo[] {
  const entries: UnzipFileInfo[] = [];
  try {
    unzipSync(bytes, {
      filter: (entry) => {
        entries.push(entry);
        return false;
      },
    });
  } catch (error) {
    throw corrupt(fileName, zipFailure(error));
  }
  return entries;
}

function zipFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `its zip structure is damaged: ${message}`;
}

function corrupt(fileName: string, reason: string): SiftError {
  return new SiftError(
    ErrorCode.CorruptFile,
    `"${fileName}" is not a readable DOCX file (${reason}); open it in Word or LibreOffice and save it again`,
    { format: 'docx', reason },
  );
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}
