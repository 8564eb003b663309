// Parsers that rebuild a document's text from its readable parts (HTML, Markdown) write the
// parts as drafts; this joins them into the document text with a blank line between blocks,
// so every block's offsets point into clean text.
import type { BlockKind, ParsedDocument, TextBlock } from '../document-types.js';

export interface BlockDraft {
  kind: BlockKind;
  text: string;
  level?: number;
  /** A lead-in (a term, a line ending in ":") that must share a chunk with the block after it. */
  keepWithNext?: boolean;
}

const BLOCK_SEPARATOR = '\n\n';

export function assembleBlocks(drafts: readonly BlockDraft[]): Pick<ParsedDocument, 'text' | 'blocks'> {
  const blocks: TextBlock[] = [];
  let offset = 0;
  for (const draft of drafts) {
    if (blocks.length > 0) offset += BLOCK_SEPARATOR.length;
    const block: TextBlock = { kind: draft.kind, text: draft.text, start: offset, end: offset + draft.text.length };
    if (draft.level !== undefined) block.level = draft.level;
    if (draft.keepWithNext) block.keepWithNext = true;
    blocks.push(block);
    offset = block.end;
  }
  return { text: drafts.map((draft) => draft.text).join(BLOCK_SEPARATOR), blocks };
}
