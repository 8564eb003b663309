// PDF text, page by page, so that every block and therefore every chunk knows the page it
// sits on and a citation can say "p. 7". The text layer is read with pdf.js in the build
// that unpdf ships for servers: no worker thread, no canvas, nothing fetched at run time.
// Pages are read one at a time and released before the next, so memory follows the longest
// page and the extracted text, not the page count.
//
// A PDF has no paragraphs, only positioned runs of text; lines are rebuilt from pdf.js's
// end-of-line marks and a paragraph ends where the gap to the next line is clearly wider
// than the page's usual line spacing. Headings are not guessed from font sizes.
import { getResolvedPDFJS } from 'unpdf';
import { ErrorCode, SiftError } from '../../common/errors.js';
import type { ParsedDocument, TextBlock } from '../document-types.js';

const BLOCK_SEPARATOR = '\n\n';
/** A gap this many times the page's usual line spacing separates paragraphs. */
const PARAGRAPH_GAP_FACTOR = 1.3;

/** The fields of a pdf.js text item that this parser reads. */
interface TextRun {
  str: string;
  hasEOL: boolean;
  /** [a, b, c, d, x, y]: the run's text matrix; y grows upwards. */
  transform: number[];
  height: number;
}

interface PageLine {
  text: string;
  /** Baseline of the line's first run, in PDF units (y grows upwards). */
  y: number;
}

export async function parsePdf(bytes: Uint8Array, fileName: string): Promise<ParsedDocument> {
  const { getDocument } = await getResolvedPDFJS();
  const task = getDocument({
    // pdf.js takes ownership of the buffer it is given and detaches it, so it gets a copy; and
    // a plain Uint8Array, since it refuses Node's Buffer (whose slice() would not copy anyway).
    data: new Uint8Array(bytes),
    // Text extraction needs glyph-to-Unicode maps, never the fonts themselves.
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
  });
  try {
    const pdf = await task.promise;
    const blocks: TextBlock[] = [];
    let text = '';
    for (let pageNumber = 1; pageNumber <= pdf.numPages; pageNumber++) {
      const page = await pdf.getPage(pageNumber);
      const content = await page.getTextContent();
      for (const paragraph of paragraphsOf(linesOf(content.items.filter(isTextRun)))) {
        if (text !== '') text += BLOCK_SEPARATOR;
        blocks.push({ kind: 'paragraph', text: paragraph, start: text.length, end: text.length + paragraph.length, page: pageNumber });
        text += paragraph;
      }
      page.cleanup();
    }
    const title = await titleOf(pdf);
    return { format: 'pdf', title, text, blocks };
  } catch (error) {
    throw readFailure(error, fileName);
  } finally {
    await task.destroy();
  }
}

async function titleOf(pdf: { getMetadata(): Promise<{ info: object }> }): Promise<string | null> {
  const { info } = await pdf.getMetadata();
  const title: unknown = (info as { Title?: unknown }).Title;
  return typeof title === 'string' && title.trim() !== '' ? title.trim() : null;
}

function isTextRun<T extends object>(item: T): item is T & TextRun {
  return 'str' in item && typeof item.str === 'string';
}

function linesOf(runs: TextRun[]): PageLine[] {
  const lines: PageLine[] = [];
  let text = '';
  let y: number | null = null;
  for (const run of runs) {
    if (run.str !== '') {
      y ??= run.transform[5] ?? 0;
      text += run.str;
    }
    if (run.hasEOL) {
      closeLine();
    }
  }
  closeLine();
  return lines;

  function closeLine(): void {
    const trimmed = text.replace(/\s+/g, ' ').trim();
    if (trimmed !== '' && y !== null) lines.push({ text: trimmed, y });
    text = '';
    y = null;
  }
}

function paragraphsOf(lines: PageLine[]): string[] {
  const usualGap = usualLineGap(lines);
  const paragraphs: string[] = [];
  let current = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (i > 0) {
      const gap = lines[i - 1]!.y - line.y;
      // A line above the one before starts a new column or text box; a wide gap ends a paragraph.
      const breaks = gap <= 0 || (usualGap !== null && gap > usualGap * PARAGRAPH_GAP_FACTOR);
      if (breaks) {
        paragraphs.push(current);
        current = '';
      } else {
        current += joinsWithoutSpace(current) ? '' : ' ';
      }
    }
    current += line.text;
  }
  if (current !== '') paragraphs.push(current);
  return paragraphs;
}

/** A line that ends in a hyphen after a letter was broken inside a word ("well-" / "known"). */
function joinsWithoutSpace(text: string): boolean {
  return /\p{L}-$/u.test(text);
}

/**
 * The page's line spacing: the lower quartile of the gaps between lines, so that it stays the
 * spacing inside paragraphs even on a page of many short paragraphs.
 */
function usualLineGap(lines: PageLine[]): number | null {
  const gaps: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const gap = lines[i - 1]!.y - lines[i]!.y;
    if (gap > 0) gaps.push(gap);
  }
  if (gaps.length === 0) return null;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 4)]!;
}

/** pdf.js names its exceptions; anything it throws on an upload is a problem with that file. */
function readFailure(error: unknown, fileName: string): SiftError {
  if (error instanceof SiftError) return error;
  const name = error instanceof Error ? error.name : '';
  const reason = error instanceof Error ? error.message : String(error);
  if (name === 'PasswordException') {
    return new SiftError(
      ErrorCode.EncryptedFile,
      `"${fileName}" is encrypted (password-protected) and cannot be read; ` +
        'save or export a copy without the password and upload that',
      { format: 'pdf' },
    );
  }
  const what = name === 'InvalidPDFException' ? 'is not a readable PDF' : 'is damaged and could not be read';
  return new SiftError(
    ErrorCode.CorruptFile,
    `"${fileName}" ${what} (${reason.replace(/\.$/, '')}); check that the file was copied completely, or export it again`,
    { format: 'pdf', reason },
  );
}
