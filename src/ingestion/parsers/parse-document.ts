// One entry point from a detected format to a parsed document, and the one place that refuses
// a document with nothing to index: whatever the format, no text means no chunks.
import { ErrorCode, SiftError } from '../../common/errors.js';
import type { DocumentFormat, ParsedDocument } from '../document-types.js';
import { parseHtml } from './html.js';
import { parseMarkdown } from './markdown.js';
import { parsePlainText } from './plain-text.js';

export function parseDocument(format: DocumentFormat, text: string, fileName: string): ParsedDocument {
  const document = parseByFormat(format, text);
  if (!document.blocks.some((block) => block.text.trim() !== '')) {
    throw new SiftError(ErrorCode.NoText, noTextMessage(format, fileName), { format });
  }
  return document;
}

function parseByFormat(format: DocumentFormat, text: string): ParsedDocument {
  switch (format) {
    case 'text':
      return parsePlainText(text);
    case 'markdown':
      return parseMarkdown(text);
    case 'html':
      return parseHtml(text);
    default: {
      const unhandled: never = format;
      throw new Error(`No parser for format ${String(unhandled)}`);
    }
  }
}

function noTextMessage(format: DocumentFormat, fileName: string): string {
  if (format === 'html') {
    return (
      `"${fileName}" has no readable text in its page content (scripts, navigation, headers, footers and forms are ignored); ` +
      'upload a page whose text is in the HTML itself rather than added by JavaScript'
    );
  }
  return `"${fileName}" contains no text to index; upload a file with some text in it`;
}
