// One entry point from a detected format to a parsed document, and the one place that refuses
// a document with nothing to index: whatever the format, no text means no chunks. Text
// formats arrive decoded; binary formats (PDF, DOCX) are parsed from their bytes.
import { ErrorCode, SiftError } from '../../common/errors.js';
import type { BinaryFormat, DocumentFormat, ParsedDocument, TextFormat } from '../document-types.js';
import { parseDocx } from './docx.js';
import { parseHtml } from './html.js';
import { parseMarkdown } from './markdown.js';
import { parsePdf } from './pdf.js';
import { parsePlainText } from './plain-text.js';

/** Bounds on what one file may cost to parse (settings; the parsers' defaults otherwise). */
export interface ParseLimits {
  docxMaxExpandedBytes?: number;
  htmlMaxDepth?: number;
}

export function parseDocument(format: TextFormat, text: string, fileName: string, limits: ParseLimits = {}): ParsedDocument {
  return requireText(parseText(format, text, fileName, limits), fileName);
}

export async function parseDocumentBytes(format: BinaryFormat, bytes: Uint8Array, fileName: string, limits: ParseLimits = {}): Promise<ParsedDocument> {
  return requireText(await parseBinary(format, bytes, fileName, limits), fileName);
}

function parseText(format: TextFormat, text: string, fileName: string, limits: ParseLimits): ParsedDocument {
  switch (format) {
    case 'text':
      return parsePlainText(text);
    case 'markdown':
      return parseMarkdown(text);
    case 'html':
      return parseHtml(text, { fileName, ...(limits.htmlMaxDepth === undefined ? {} : { maxDepth: limits.htmlMaxDepth }) });
    default: {
      const unhandled: never = format;
      throw new Error(`No parser for format ${String(unhandled)}`);
    }
  }
}

function parseBinary(format: BinaryFormat, bytes: Uint8Array, fileName: string, limits: ParseLimits): Promise<ParsedDocument> {
  switch (format) {
    case 'pdf':
      return parsePdf(bytes, fileName);
    case 'docx':
      return parseDocx(bytes, fileName, {
        ...(limits.docxMaxExpandedBytes === undefined ? {} : { maxUnpackedBytes: limits.docxMaxExpandedBytes }),
        ...(limits.htmlMaxDepth === undefined ? {} : { htmlMaxDepth: limits.htmlMaxDepth }),
      });
    default: {
      const unhandled: never = format;
      throw new Error(`No parser for format ${String(unhandled)}`);
    }
  }
}

function requireText(document: ParsedDocument, fileName: string): ParsedDocument {
  if (!document.blocks.some((block) => block.text.trim() !== '')) {
    throw new SiftError(ErrorCode.NoText, noTextMessage(document.format, fileName), { format: document.format });
  }
  return document;
}

function noTextMessage(format: DocumentFormat, fileName: string): string {
  switch (format) {
    case 'html':
      return (
        `"${fileName}" has no readable text in its page content (scripts, navigation, headers, footers and forms are ignored); ` +
        'upload a page whose text is in the HTML itself rather than added by JavaScript'
      );
    case 'pdf':
      return (
        `"${fileName}" has no text layer: its pages are images (a scan, or a picture of text) or blank. ` +
        'Sift does not do OCR; run the PDF through an OCR tool first and upload the result'
      );
    default:
      return `"${fileName}" contains no text to index; upload a file with some text in it`;
  }
}
