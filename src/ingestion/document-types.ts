// The shapes a document passes through between upload and store: parsed text with its
// structure, then chunks sized for retrieval.

/** Formats that are text on disk: decoded to a string before they are parsed. */
export type TextFormat = 'text' | 'markdown' | 'html';
/** Formats that are binary containers: parsed from their bytes. */
export type BinaryFormat = 'pdf' | 'docx';
export type DocumentFormat = TextFormat | BinaryFormat;

export function isBinaryFormat(format: DocumentFormat): format is BinaryFormat {
  return format === 'pdf' || format === 'docx';
}

export type BlockKind = 'heading' | 'paragraph' | 'code' | 'list' | 'table' | 'quote';

/** A structural unit of a parsed document; `start`/`end` index into `ParsedDocument.text`. */
export interface TextBlock {
  kind: BlockKind;
  text: string;
  start: number;
  end: number;
  /** Heading level 1-6, only for `heading` blocks. */
  level?: number;
  /** 1-based page number, for formats that have pages (PDF). */
  page?: number;
  /** A lead-in (a term, a line ending in ":") that the chunker keeps in one chunk with the next block. */
  keepWithNext?: boolean;
}

export interface ParsedDocument {
  format: DocumentFormat;
  /** The document's own title (HTML <title>, first Markdown or DOCX H1, PDF metadata), when it has one. */
  title: string | null;
  /** The extracted text that chunk offsets refer to. */
  text: string;
  blocks: TextBlock[];
}

export interface ChunkDraft {
  ordinal: number;
  text: string;
  /** Titles of the enclosing headings, outermost first. */
  headingPath: string[];
  /** Page of the chunk's first block, for paged formats. */
  page?: number;
  /** Character offsets of the chunk in `ParsedDocument.text`, end exclusive. */
  start: number;
  end: number;
  tokenCount: number;
  /** sha256 of the chunk text, hex. */
  contentHash: string;
}

export interface ChunkingOptions {
  chunkTokens: number;
  overlapTokens: number;
  /** A section with fewer tokens than this shares its chunk with the sections after it; a quarter of `chunkTokens` when not given. */
  minSectionTokens?: number;
}
