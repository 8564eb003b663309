// Cuts a parsed document into chunks sized for retrieval. Structure decides where cuts go:
// a heading opens a chunk, so a chunk rarely mixes sections, and its heading path tells
// the reranker and the answer where the text came from. A section too small to stand alone
// (a README's one-line "Install", an option with only its type and default) shares its
// chunk with the sibling and child sections after it until the chunk holds a quarter of the
// budget: alone it would be found by its heading and answer nothing, and the fact asked for
// usually sits in the section beside it. Such a chunk's heading path is the one its
// sections share. Within a section, whole blocks are packed up to the token budget; only a block too large for any chunk is split, at sentence
// boundaries first and word boundaries second. A cut inside a section repeats the last
// sentences of the chunk before, so a fact that straddles the cut is whole in one of them.
// In paged formats (PDF) a new page also opens a chunk, without overlap: every chunk then
// lies on one page, and a citation's page number is where the whole passage is.
//
// Everything is one forward pass over the blocks, and each block is segmented at most a
// bounded number of times, so time stays linear in the document's length.
import { createHash } from 'node:crypto';
import { trimmedRange } from '../parsers/plain-text.js';
import type { ChunkDraft, ChunkingOptions, ParsedDocument } from '../document-types.js';
import { estimateTokens } from './token-estimate.js';

// Created once: building a segmenter loads ICU break rules, too slow to repeat per block.
const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
const WORD = /\S+/g;

/** How finely a piece has been split; each split moves one step down. */
type Granularity = 'block' | 'sentence' | 'words';

/** A trimmed span of the document text that is packed into chunks as a unit. */
interface Piece {
  start: number;
  end: number;
  tokens: number;
  granularity: Granularity;
  isHeading: boolean;
  /** A lead-in (a term, "Install it with:") that must not end a chunk while its next block opens another. */
  keepWithNext: boolean;
  /** Heading level 1-6, for headings. */
  level: number | undefined;
  headingPath: readonly string[];
  /** 1-based page of the block the piece comes from, in paged formats. */
  page: number | undefined;
}

interface OpenHeading {
  level: number;
  title: string;
}

export function chunkDocument(doc: ParsedDocument, options: ChunkingOptions): ChunkDraft[] {
  const packer = new ChunkPacker(doc.text, options);
  let openHeadings: OpenHeading[] = [];
  let headingPath: readonly string[] = [];
  for (const block of doc.blocks) {
    const { start, end } = trimmedRange(doc.text, block.start, block.end);
    if (start === end) continue;
    const isHeading = block.kind === 'heading';
    if (isHeading) {
      // A heading closes every open heading at its own level or deeper.
      const level = block.level ?? 1;
      const title = doc.text.slice(start, end).replace(/\s+/g, ' ');
      openHeadings = [...openHeadings.filter((open) => open.level < level), { level, title }];
      headingPath = openHeadings.map((open) => open.title);
    }
    const tokens = estimateTokens(doc.text.slice(start, end));
    packer.add({ start, end, tokens, granularity: 'block', isHeading, keepWithNext: block.keepWithNext === true, level: isHeading ? (block.level ?? 1) : undefined, headingPath, page: block.page });
  }
  return packer.finish();
}

class ChunkPacker {
  private readonly chunks: ChunkDraft[] = [];
  private open: Piece[] = [];
  /** Estimate for the open chunk's span; never below the true estimate, since the estimate is subadditive. */
  private openTokens = 0;
  private readonly budget: number;
  private readonly overlapBudget: number;
  private readonly minSectionTokens: number;

  constructor(
    private readonly text: string,
    options: ChunkingOptions,
  ) {
    this.budget = Math.max(1, Math.floor(options.chunkTokens));
    this.overlapBudget = Math.max(0, Math.floor(options.overlapTokens));
    this.minSectionTokens = Math.max(0, Math.floor(options.minSectionTokens ?? this.budget / 4));
  }

  add(piece: Piece): void {
    // A stack, not recursion: a split pushes its parts back to be placed one by one.
    const pending = [piece];
    while (pending.length > 0) this.place(pending.pop()!, pending);
  }

  finish(): ChunkDraft[] {
    this.emit();
    return this.chunks;
  }

  private place(piece: Piece, pending: Piece[]): void {
    if (piece.isHeading && this.hasContent()) {
      // A new section: cut without overlap, unless the open one is too small to stand alone
      // and this heading opens a sibling or a subsection of it. Then the heading joins as a
      // lead-in, so it moves on with its section if that does not fit.
      if (this.joinsSmallSection(piece)) piece = { ...piece, keepWithNext: true };
      else this.emit();
    }
    if (this.startsNewPage(piece) && this.hasContent()) this.emit(); // a new page: likewise
    if (this.open.length === 0) {
      if (piece.tokens <= this.budget) return this.start(piece);
      return this.splitOrElse(piece, this.budget, pending, () => this.start(piece));
    }
    const gapTokens = this.gapTokensBefore(piece);
    const room = this.budget - this.openTokens - gapTokens;
    if (piece.tokens <= room) return this.append(piece, gapTokens);
    if (this.carryLeadIns(piece, pending)) return;
    if (piece.tokens > this.budget || !this.hasContent()) {
      // Too big for any chunk, or the open chunk holds only headings, which must not be left
      // dangling: split so that the first part can fill the room that is left.
      return this.splitOrElse(piece, room, pending, () => this.cutWithOverlap(piece));
    }
    this.cutWithOverlap(piece);
  }

  /** The open chunk is a small section, and `heading` opens a sibling or a subsection of it, not a section above it. */
  private joinsSmallSection(heading: Piece): boolean {
    if (this.openTokens >= this.minSectionTokens) return false;
    // The tail of a long section cut for size is not a small section; text before the
    // document's first heading (a README's one-line description) is.
    if (!this.open[0]!.isHeading && this.chunks.length > 0) return false;
    const opening = this.open.find((piece) => piece.isHeading);
    return opening === undefined || (heading.level ?? 1) >= (opening.level ?? 1);
  }

  private splitOrElse(piece: Piece, firstRoom: number, pending: Piece[], otherwise: () => void): void {
    const parts = this.split(piece, firstRoom);
    if (parts === null) return otherwise();
    for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]!);
  }

  private startsNewPage(piece: Piece): boolean {
    return piece.page !== undefined && this.open.length > 0 && this.open.at(-1)!.page !== piece.page;
  }

  /** Content is what a chunk is for: headings and lead-ins only announce it. */
  private hasContent(): boolean {
    return this.open.some((piece) => !piece.isHeading && !piece.keepWithNext);
  }

  /**
   * When `next` does not fit, lead-ins at the end of the open chunk move to the next chunk
   * with it, so a term and its description, or "Run:" and the command, stay together.
   * Placed again from `pending`, without overlap: the lead-in opens the chunk.
   */
  private carryLeadIns(next: Piece, pending: Piece[]): boolean {
    let count = 0;
    while (count < this.open.length && this.open[this.open.length - 1 - count]!.keepWithNext) count++;
    if (count === 0 || !this.open.slice(0, -count).some((piece) => !piece.isHeading && !piece.keepWithNext)) return false;
    const carried = this.open.splice(this.open.length - count);
    this.emit();
    pending.push(next);
    for (let i = carried.length - 1; i >= 0; i--) pending.push(carried[i]!);
    return true;
  }

  private start(piece: Piece): void {
    this.open = [piece];
    this.openTokens = piece.tokens;
  }

  private append(piece: Piece, gapTokens: number): void {
    this.open.push(piece);
    this.openTokens += gapTokens + piece.tokens;
  }

  /** Text between the open chunk and `piece` (blank lines, or markup a parser skipped) counts too. */
  private gapTokensBefore(piece: Piece): number {
    return estimateTokens(this.text.slice(this.open.at(-1)!.end, piece.start));
  }

  private cutWithOverlap(next: Piece): void {
    const previous = this.open;
    this.emit();
    const overlap = this.overlapFor(previous, next);
    if (overlap === null) return this.start(next);
    this.start(overlap);
    this.append(next, this.gapTokensBefore(next));
  }

  /**
   * The trailing whole sentences of `previous`, as many as fit in the overlap budget and
   * still leave room for `next`; null when not even one fits.
   */
  private overlapFor(previous: Piece[], next: Piece): Piece | null {
    const previousStart = previous[0]!.start;
    const previousEnd = previous.at(-1)!.end;
    const gapTokens = estimateTokens(this.text.slice(previousEnd, next.start));
    const allowance = Math.min(this.overlapBudget, this.budget - next.tokens - gapTokens);
    let overlapStart = -1;
    let overlapTokens = 0;
    candidates: for (let i = previous.length - 1; i >= 0; i--) {
      const piece = previous[i]!;
      if (piece.isHeading) break;
      for (const sentenceStart of this.sentenceStartsDescending(piece)) {
        // Repeating the whole previous chunk would only duplicate it.
        if (sentenceStart <= previousStart) break candidates;
        const tokens = estimateTokens(this.text.slice(sentenceStart, previousEnd));
        if (tokens > allowance) break candidates;
        overlapStart = sentenceStart;
        overlapTokens = tokens;
      }
    }
    if (overlapStart === -1) return null;
    const { headingPath, page } = previous.find((piece) => piece.end > overlapStart)!;
    return { start: overlapStart, end: previousEnd, tokens: overlapTokens, granularity: 'block', isHeading: false, keepWithNext: false, level: undefined, headingPath, page };
  }

  /** Where sentences start inside a piece, last first; a piece cut between words has none of its own. */
  private sentenceStartsDescending(piece: Piece): number[] {
    if (piece.granularity === 'words') return [];
    if (piece.granularity === 'sentence') return [piece.start];
    return this.sentences(piece).map((sentence) => sentence.start).reverse();
  }

  /** Finer pieces covering `piece`, the first fitting in `firstRoom` where possible; null when it cannot be split further. */
  private split(piece: Piece, firstRoom: number): Piece[] | null {
    if (piece.granularity === 'block') {
      const sentences = this.sentences(piece);
      if (sentences.length > 1) return sentences;
      return this.split({ ...piece, granularity: 'sentence' }, firstRoom);
    }
    if (piece.granularity === 'sentence') {
      const parts = this.splitAtWords(piece, firstRoom);
      return parts.length > 1 ? parts : null;
    }
    return null;
  }

  private sentences(piece: Piece): Piece[] {
    const sentences: Piece[] = [];
    const source = this.text.slice(piece.start, piece.end);
    for (const { segment, index } of sentenceSegmenter.segment(source)) {
      const { start, end } = trimmedRange(this.text, piece.start + index, piece.start + index + segment.length);
      if (start === end) continue;
      const tokens = estimateTokens(this.text.slice(start, end));
      sentences.push({ ...piece, start, end, tokens, granularity: 'sentence' });
    }
    return sentences;
  }

  /** Greedy runs of whole words within the budget; a single word over budget is cut inside. */
  private splitAtWords(piece: Piece, firstRoom: number): Piece[] {
    const parts: Piece[] = [];
    let groupStart = -1;
    let groupEnd = -1;
    let groupTokens = 0;
    const limit = (): number => (parts.length === 0 && firstRoom > 0 ? firstRoom : this.budget);
    const closeGroup = (): void => {
      if (groupStart === -1) return;
      parts.push({ ...piece, start: groupStart, end: groupEnd, tokens: groupTokens, granularity: 'words' });
      groupStart = -1;
      groupTokens = 0;
    };

    const source = this.text.slice(piece.start, piece.end);
    for (const match of source.matchAll(WORD)) {
      const wordStart = piece.start + match.index;
      const wordEnd = wordStart + match[0].length;
      const wordTokens = estimateTokens(match[0]);
      if (wordTokens > this.budget) {
        closeGroup();
        parts.push(...this.cutWord(piece, wordStart, wordEnd));
        continue;
      }
      // Words are separated by whitespace, so their estimates add up exactly.
      if (groupStart !== -1 && groupTokens + wordTokens > limit()) closeGroup();
      if (groupStart === -1) groupStart = wordStart;
      groupEnd = wordEnd;
      groupTokens += wordTokens;
    }
    closeGroup();
    return parts;
  }

  /**
   * Last resort for one unbroken run longer than a chunk (a URL list, base64, a minified
   * line): the longest prefixes within the budget. A prefix of at most 4 × budget characters
   * always suffices, because every token estimate covers at most four characters.
   */
  private cutWord(piece: Piece, start: number, end: number): Piece[] {
    const parts: Piece[] = [];
    let from = start;
    while (from < end) {
      let low = from + 1;
      let high = Math.min(end, from + 4 * this.budget);
      while (low < high) {
        const middle = Math.ceil((low + high) / 2);
        if (estimateTokens(this.text.slice(from, middle)) <= this.budget) low = middle;
        else high = middle - 1;
      }
      let to = low;
      if (to < end && to - from > 1 && isLowSurrogate(this.text.charCodeAt(to))) to--; // keep a character whole
      parts.push({ ...piece, start: from, end: to, tokens: estimateTokens(this.text.slice(from, to)), granularity: 'words' });
      from = to;
    }
    return parts;
  }

  private emit(): void {
    if (this.open.length === 0) return;
    const { start, end } = trimmedRange(this.text, this.open[0]!.start, this.open.at(-1)!.end);
    const text = this.text.slice(start, end);
    // The path where the chunk's content sits: headings that open it are part of that path;
    // a chunk that holds several small sections sits under the path they share.
    const content = this.open.filter((piece) => !piece.isHeading);
    const firstContent = content[0] ?? this.open.at(-1)!;
    this.chunks.push({
      ordinal: this.chunks.length,
      text,
      headingPath: sharedPath(content.length > 0 ? content : [firstContent]),
      ...(firstContent.page === undefined ? {} : { page: firstContent.page }),
      start,
      end,
      tokenCount: estimateTokens(text),
      contentHash: createHash('sha256').update(text).digest('hex'),
    });
    this.open = [];
    this.openTokens = 0;
  }
}

function sharedPath(pieces: readonly Piece[]): string[] {
  const path = [...pieces[0]!.headingPath];
  for (const piece of pieces) {
    let same = 0;
    while (same < path.length && same < piece.headingPath.length && path[same] === piece.headingPath[same]) same++;
    path.length = same;
  }
  return path;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
