// parse5 (cheerio's HTML parser) spends time in proportion to the depth of open elements at
// every start tag, so markup nested 100,000 deep costs minutes. Before it runs, the page is
// tokenized once by htmlparser2, whose element stack here never grows past the limit (it
// stops at the first element beyond it), so the check is linear in the input.
import { Parser } from 'htmlparser2';
import { ErrorCode, SiftError } from '../../common/errors.js';

/** How deep real pages nest: documentation generators stay well under 100. */
export const DEFAULT_HTML_MAX_DEPTH = 512;

class TooDeep extends Error {}

/** Throws FILE_TOO_COMPLEX when elements nest deeper than `maxDepth`. */
export function assertHtmlDepth(html: string, maxDepth: number, fileName: string): void {
  let depth = 0;
  const parser = new Parser(
    {
      onopentag() {
        depth += 1;
        if (depth > maxDepth) throw new TooDeep();
      },
      onclosetag() {
        depth -= 1;
      },
    },
    // Void elements (<br>, <img>) and implied end tags (<p>, <li>) are closed as HTML closes them.
    { decodeEntities: false, recognizeSelfClosing: false },
  );
  try {
    parser.end(html);
  } catch (error) {
    if (!(error instanceof TooDeep)) throw error;
    throw new SiftError(
      ErrorCode.FileTooComplex,
      `"${fileName}" nests HTML elements more than ${maxDepth} deep; real pages stay far below that. Flatten the markup, or raise HTML_MAX_DEPTH.`,
      { limit: 'HTML_MAX_DEPTH', maxDepth },
    );
  }
}
