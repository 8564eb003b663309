import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ChunkDraft, ChunkingOptions, ParsedDocument } from '../document-types.js';
import { parseMarkdown } from '../parsers/markdown.js';
import { parsePlainText } from '../parsers/plain-text.js';
import { chunkDocument } from './chunker.js';
import { estimateTokens } from './token-estimate.js';

const DEFAULTS: ChunkingOptions = { chunkTokens: 300, overlapTokens: 40 };
/** The same, with every section in chunks of its own however small: what the structural tests below pin. */
const BY_SECTION: ChunkingOptions = { ...DEFAULTS, minSectionTokens: 0 };

/** Distinct, numbered sentences of about 12 estimated tokens each, so overlaps are recognisable. */
function sentences(count: number, topic = 'topic'): string {
  return Array.from({ length: count }, (_, i) => `Sentence ${i + 1} about the ${topic} explains one detail.`).join(' ');
}

function expectWellFormed(doc: ParsedDocument, chunks: ChunkDraft[], options: ChunkingOptions): void {
  chunks.forEach((chunk, index) => {
    expect(chunk.ordinal).toBe(index);
    expect(chunk.text).toBe(doc.text.slice(chunk.start, chunk.end));
    expect(chunk.text).toBe(chunk.text.trim());
    expect(chunk.text.length).toBeGreaterThan(0);
    expect(chunk.tokenCount).toBe(estimateTokens(chunk.text));
    expect(chunk.tokenCount).toBeLessThanOrEqual(options.chunkTokens);
    expect(chunk.contentHash).toBe(createHash('sha256').update(chunk.text).digest('hex'));
  });
  for (let i = 1; i < chunks.length; i++) {
    expect(chunks[i]!.start).toBeGreaterThan(chunks[i - 1]!.start);
    expect(chunks[i]!.end).toBeGreaterThan(chunks[i - 1]!.end);
  }
}

/** Every non-whitespace character of every block lies inside some chunk: splitting loses no text. */
function coversEveryBlock(doc: ParsedDocument, chunks: ChunkDraft[]): boolean {
  const covered = new Uint8Array(doc.text.length);
  for (const chunk of chunks) covered.fill(1, chunk.start, chunk.end);
  return doc.blocks.every((block) => {
    for (let i = block.start; i < block.end; i++) {
      if (covered[i] === 0 && /\S/.test(doc.text[i]!)) return false;
    }
    return true;
  });
}

describe('chunkDocument', () => {
  it('gives a BEIR-style document, a title and one short abstract, exactly one chunk at 300 tokens', () => {
    const abstract =
      'Alterations of the architecture of cerebral white matter in the developing human brain can affect cortical ' +
      'development and result in functional disabilities. A line scan diffusion-weighted magnetic resonance imaging ' +
      'sequence with diffusion tensor analysis was applied to measure the apparent diffusion coefficient, to calculate ' +
      'relative anisotropy, and to delineate three-dimensional fiber architecture in cerebral white matter in preterm ' +
      'infants. Central white matter mean apparent diffusion coefficients decreased with age, while relative ' +
      'anisotropy increased, consistent with greater myelination in older infants.';
    for (const doc of [parseMarkdown(`# Brain development in preterm infants\n\n${abstract}\n`), parsePlainText(abstract)]) {
      const chunks = chunkDocument(doc, { chunkTokens: 300, overlapTokens: 50 });
      expect(chunks).toHaveLength(1);
      expect(chunks[0]!.start).toBe(doc.blocks[0]!.start);
      expect(chunks[0]!.text.endsWith('older infants.')).toBe(true);
    }
  });

  it('tracks heading paths: a heading replaces those at its level and deeper', () => {
    const doc = parseMarkdown(
      [
        '# Guide', 'Intro text.',
        '## Install', 'Install text.',
        '### Linux', 'Linux text.',
        '## Usage', 'Usage text.',
        '# Appendix', 'Appendix text.',
      ].join('\n\n'),
    );
    const chunks = chunkDocument(doc, BY_SECTION);
    expect(chunks.map((chunk) => [chunk.headingPath, chunk.text])).toEqual([
      [['Guide'], 'Guide\n\nIntro text.'],
      [['Guide', 'Install'], 'Install\n\nInstall text.'],
      [['Guide', 'Install', 'Linux'], 'Linux\n\nLinux text.'],
      [['Guide', 'Usage'], 'Usage\n\nUsage text.'],
      [['Appendix'], 'Appendix\n\nAppendix text.'],
    ]);
  });

  it('starts each chunk at its heading and never leaves a heading alone at the end of a chunk', () => {
    const doc = parseMarkdown('# Title\n\n## Section\n\nBody of the section.\n\n## Next\n\nMore body.');
    const chunks = chunkDocument(doc, BY_SECTION);
    expect(chunks.map((chunk) => chunk.text)).toEqual(['Title\n\nSection\n\nBody of the section.', 'Next\n\nMore body.']);
    // Consecutive headings open one chunk; its path is where its content sits.
    expect(chunks[0]!.headingPath).toEqual(['Title', 'Section']);
  });

  it('puts small sections in one chunk with the sibling and child sections after them, under the path they share', () => {
    const option = (name: string, text: string) => `#### ${name}\n\nType: number\n\n${text}`;
    const doc = parseMarkdown(
      [
        '# p-queue', 'Promise queue with concurrency control.',
        '## Install', '```sh\nnpm install p-queue\n```',
        '## Options',
        option('interval', 'Resets the interval count.'),
        option('intervalCap', 'The max number of runs in the given interval of time.'),
        '# Changelog', 'Version 9 needs Node 20.',
      ].join('\n\n'),
    );
    const options = { chunkTokens: 300, overlapTokens: 0, minSectionTokens: 16 };
    const chunks = chunkDocument(doc, options);
    expectWellFormed(doc, chunks, options);
    expect(chunks.map((chunk) => [chunk.headingPath, chunk.text])).toEqual([
      // Title, intro and the one-line Install section: too small alone.
      [['p-queue'], 'p-queue\n\nPromise queue with concurrency control.\n\nInstall\n\nnpm install p-queue'],
      // Two options with their names, types and descriptions, under the heading they share.
      [['p-queue', 'Options'], 'Options\n\ninterval\n\nType: number\n\nResets the interval count.\n\nintervalCap\n\nType: number\n\nThe max number of runs in the given interval of time.'],
      // A heading above the open section's opens a chunk however small that section is.
      [['Changelog'], 'Changelog\n\nVersion 9 needs Node 20.'],
    ]);
    expect(chunkDocument(doc, { ...options, minSectionTokens: 0 })).toHaveLength(5); // p-queue, Install, Options + interval, intervalCap, Changelog
  });

  it('never ends a chunk on the heading of a small section that joined it', () => {
    const doc = parseMarkdown(`# Tool\n\nShort intro.\n\n## Usage\n\n${sentences(12, 'usage')}`);
    const options = { chunkTokens: 100, overlapTokens: 0 };
    const chunks = chunkDocument(doc, options);
    expectWellFormed(doc, chunks, options);
    expect(chunks.every((chunk) => !chunk.text.endsWith('Usage'))).toBe(true);
    expect(chunks.some((chunk) => chunk.text.startsWith('Usage\n\nSentence 1 about the usage'))).toBe(true);
  });

  it('does not join the tail of a long section that was cut for size with the next section', () => {
    const doc = parseMarkdown(`## Long\n\n${sentences(9, 'long')}\n\n## Next\n\nNext text.`);
    const chunks = chunkDocument(doc, { chunkTokens: 100, overlapTokens: 0 });
    expect(chunks.at(-1)).toMatchObject({ text: 'Next\n\nNext text.', headingPath: ['Next'] });
  });

  it('moves a lead-in to the next chunk with the block it introduces', () => {
    const code = Array.from({ length: 12 }, (_, i) => `const setting${i} = load('option-${i}');`).join('\n');
    const doc = parseMarkdown(`## Options\n\n${sentences(6)}\n\nThe default value is set with:\n\n\`\`\`js\n${code}\n\`\`\``);
    const options = { chunkTokens: estimateTokens(code) + 20, overlapTokens: 0 };
    const chunks = chunkDocument(doc, options);
    expectWellFormed(doc, chunks, options);
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.text.endsWith('detail.')).toBe(true);
    expect(chunks[1]!.text.startsWith('The default value is set with:\n\nconst setting0')).toBe(true);
  });

  it('keeps a term with the start of its description when the description must be split', () => {
    const doc = parseMarkdown(`${sentences(2)}\n\n\`maxAge\`\n\n${sentences(30, 'lifetime')}`);
    const options = { chunkTokens: 100, overlapTokens: 0 };
    const chunks = chunkDocument(doc, options);
    expectWellFormed(doc, chunks, options);
    expect(chunks.every((chunk) => !chunk.text.endsWith('maxAge'))).toBe(true);
    expect(chunks.some((chunk) => chunk.text.startsWith('maxAge\n\nSentence 1 about the lifetime'))).toBe(true);
  });

  it('keeps a heading with the start of a long section even when the first block does not fit beside it', () => {
    const doc = parseMarkdown(`## Long section\n\n${sentences(40)}`);
    const options = { chunkTokens: 100, overlapTokens: 20 };
    const chunks = chunkDocument(doc, options);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks[0]!.text.startsWith('Long section\n\nSentence 1 ')).toBe(true);
    expectWellFormed(doc, chunks, options);
  });

  it('splits a block that fits a chunk but not beside its heading, rather than strand the heading', () => {
    const paragraph = sentences(8);
    const doc = parseMarkdown(`## Section heading\n\n${paragraph}`);
    const options = { chunkTokens: estimateTokens(paragraph) + 1, overlapTokens: 0 };
    const chunks = chunkDocument(doc, options);
    expectWellFormed(doc, chunks, options);
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.text).toMatch(/^Section heading\n\nSentence 1 .*detail\.$/s);
    expect(chunks.every((chunk) => chunk.text !== 'Section heading')).toBe(true);
  });

  it('packs consecutive small blocks into one chunk within the budget', () => {
    const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} is short.`);
    const doc = parsePlainText(paragraphs.join('\n\n'));
    const options = { chunkTokens: 50, overlapTokens: 0 };
    const chunks = chunkDocument(doc, options);
    expectWellFormed(doc, chunks, options);
    expect(chunks.length).toBeLessThan(paragraphs.length / 3);
    expect(coversEveryBlock(doc, chunks)).toBe(true);
    // Blocks that fit are moved whole to the next chunk rather than cut.
    for (const chunk of chunks) expect(chunk.text.endsWith('is short.')).toBe(true);
  });

  it('splits a block larger than the budget at sentence boundaries, within budget', () => {
    const doc = parsePlainText(sentences(60));
    const options = { chunkTokens: 80, overlapTokens: 0 };
    const chunks = chunkDocument(doc, options);
    expect(chunks.length).toBeGreaterThan(5);
    expectWellFormed(doc, chunks, options);
    for (const chunk of chunks) {
      expect(chunk.text).toMatch(/^Sentence \d+ /);
      expect(chunk.text).toMatch(/detail\.$/);
    }
    expect(coversEveryBlock(doc, chunks)).toBe(true);
  });

  it('splits a sentence larger than the budget at word boundaries', () => {
    const longSentence = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const doc = parsePlainText(longSentence);
    const options = { chunkTokens: 30, overlapTokens: 10 };
    const chunks = chunkDocument(doc, options);
    expectWellFormed(doc, chunks, options);
    for (const chunk of chunks) expect(chunk.text).toMatch(/^word\d+( word\d+)*$/);
    expect(coversEveryBlock(doc, chunks)).toBe(true);
  });

  it('cuts a single unbroken run longer than a chunk into pieces within the budget', () => {
    const blob = 'QUJD'.repeat(2_000); // 8,000 characters of base64 without a space
    const doc = parsePlainText(`Before.\n\n${blob}\n\nAfter.`);
    const options = { chunkTokens: 100, overlapTokens: 10 };
    const chunks = chunkDocument(doc, options);
    expectWellFormed(doc, chunks, options);
    expect(chunks.map((chunk) => chunk.text).join('').replace(/\s/g, '')).toContain(blob);
  });

  it('repeats the trailing sentences of the previous chunk when a long section is cut', () => {
    const doc = parsePlainText(sentences(40));
    const options = { chunkTokens: 100, overlapTokens: 30 };
    const chunks = chunkDocument(doc, options);
    expect(chunks.length).toBeGreaterThan(2);
    expectWellFormed(doc, chunks, options);
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1]!;
      const current = chunks[i]!;
      expect(current.start).toBeLessThan(previous.end);
      const overlap = doc.text.slice(current.start, previous.end);
      expect(overlap).toMatch(/^Sentence \d+ .*detail\.$/); // whole sentences only
      expect(estimateTokens(overlap)).toBeLessThanOrEqual(options.overlapTokens);
      expect(estimateTokens(overlap)).toBeGreaterThan(0);
    }
  });

  it('repeats trailing sentences across paragraph boundaries within a section', () => {
    const paragraphs = Array.from({ length: 12 }, (_, i) => sentences(3, `part ${i}`));
    const doc = parsePlainText(paragraphs.join('\n\n'));
    const options = { chunkTokens: 120, overlapTokens: 30 };
    const chunks = chunkDocument(doc, options);
    expectWellFormed(doc, chunks, options);
    expect(chunks.slice(1).some((chunk, i) => chunk.start < chunks[i]!.end)).toBe(true);
  });

  it('does not overlap across a heading boundary', () => {
    const doc = parseMarkdown(`## First\n\n${sentences(20, 'first')}\n\n## Second\n\n${sentences(20, 'second')}`);
    const options = { chunkTokens: 100, overlapTokens: 30 };
    const chunks = chunkDocument(doc, options);
    expectWellFormed(doc, chunks, options);
    const secondHeading = doc.blocks.find((block) => block.text === 'Second')!;
    const opensSecond = chunks.findIndex((chunk) => chunk.start === secondHeading.start);
    expect(opensSecond).toBeGreaterThan(0);
    expect(chunks[opensSecond - 1]!.end).toBeLessThanOrEqual(secondHeading.start);
    expect(chunks.filter((chunk) => chunk.text.includes('the second')).every((chunk) => chunk.headingPath[0] === 'Second')).toBe(true);
    expect(chunks.filter((chunk) => chunk.text.includes('the first')).every((chunk) => chunk.headingPath[0] === 'First')).toBe(true);
  });

  it('never repeats a heading as overlap, even when it would fit', () => {
    // The long first heading forces a cut after "Short one."; the overlap budget could hold
    // "B" and "Short one." together, but "B" is a heading and must only open its own chunk.
    const next = 'Next block words that fill the chunk almost entirely here.';
    const doc = parseMarkdown(`# Alpha Beta Gamma Delta Epsilon\n\n## B\n\nShort one.\n\n${next}`);
    const options = { chunkTokens: 5 + estimateTokens(next), overlapTokens: 30 };
    const chunks = chunkDocument(doc, options);
    expectWellFormed(doc, chunks, options);
    expect(chunks).toHaveLength(2);
    expect(chunks[1]!.text).toBe(`Short one.\n\n${next}`);
    expect(chunks[1]!.headingPath).toEqual(['Alpha Beta Gamma Delta Epsilon', 'B']);
  });

  it('adds no overlap when overlapTokens is 0', () => {
    const doc = parsePlainText(sentences(40));
    const chunks = chunkDocument(doc, { chunkTokens: 100, overlapTokens: 0 });
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.start).toBeGreaterThanOrEqual(chunks[i - 1]!.end);
  });

  it('is deterministic', () => {
    const source = `# A\n\n${sentences(30)}\n\n## B\n\n- x\n- y\n\n${sentences(15, 'b')}`;
    const options = { chunkTokens: 90, overlapTokens: 25 };
    const first = chunkDocument(parseMarkdown(source), options);
    const second = chunkDocument(parseMarkdown(source), options);
    expect(second).toEqual(first);
    expect(new Set(first.map((chunk) => chunk.contentHash)).size).toBe(first.length);
  });

  it('counts markup between blocks, such as a skipped rule, against the budget', () => {
    const doc = parseMarkdown(`${'alpha '.repeat(20)}\n\n${'- - - - - - - - - - - - - - - -\n\n'.repeat(3)}${'beta '.repeat(20)}`);
    const options = { chunkTokens: 90, overlapTokens: 0 };
    expectWellFormed(doc, chunkDocument(doc, options), options);
  });

  it('returns no chunks for a document without blocks', () => {
    expect(chunkDocument({ format: 'text', title: null, text: '', blocks: [] }, DEFAULTS)).toEqual([]);
  });

  // Speed is measured by `npm run bench`; this pins that a large document chunks completely.
  it('chunks a large document into many sections, each under its own heading', () => {
    const sections = Array.from({ length: 200 }, (_, i) => `## Section ${i}\n\n${sentences(60, `s${i}`)}\n\n${sentences(5)}`);
    const doc = parseMarkdown(sections.join('\n\n')); // about 800 KB
    const chunks = chunkDocument(doc, { chunkTokens: 300, overlapTokens: 50 });
    expect(chunks.length).toBeGreaterThan(400);
    expect(new Set(chunks.map((chunk) => chunk.headingPath.at(-1))).size).toBe(200);
  });
});

describe('chunkDocument on paged documents', () => {
  /** A PDF-like document: one paragraph block per entry, on the given page. */
  function pagedDocument(paragraphs: Array<[page: number, text: string]>): ParsedDocument {
    const blocks: ParsedDocument['blocks'] = [];
    let text = '';
    for (const [page, paragraph] of paragraphs) {
      if (text !== '') text += '\n\n';
      blocks.push({ kind: 'paragraph', text: paragraph, start: text.length, end: text.length + paragraph.length, page });
      text += paragraph;
    }
    return { format: 'pdf', title: null, text, blocks };
  }

  it('gives each chunk the page of its first block', () => {
    const doc = pagedDocument([
      [1, sentences(20, 'pumps')],
      [1, sentences(20, 'valves')],
      [2, sentences(3, 'pipes')],
    ]);
    const chunks = chunkDocument(doc, DEFAULTS);
    expectWellFormed(doc, chunks, DEFAULTS);
    expect(chunks.map((chunk) => chunk.page)).toEqual([1, 1, 2]);
  });

  it('starts a new chunk at every page, without overlap, so a chunk never spans two pages', () => {
    const doc = pagedDocument([
      [1, 'Short page one.'],
      [2, 'Short page two.'],
      [2, 'Still page two.'],
      [3, 'Short page three.'],
    ]);
    const chunks = chunkDocument(doc, DEFAULTS);
    expect(chunks.map((chunk) => [chunk.page, chunk.text])).toEqual([
      [1, 'Short page one.'],
      [2, 'Short page two.\n\nStill page two.'],
      [3, 'Short page three.'],
    ]);
  });

  it('keeps the page on every part of a block split for size, and on overlaps', () => {
    const doc = pagedDocument([[1, 'Intro.'], [7, sentences(80, 'long page')]]);
    const chunks = chunkDocument(doc, DEFAULTS);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.slice(1).every((chunk) => chunk.page === 7)).toBe(true);
    expect(coversEveryBlock(doc, chunks)).toBe(true);
  });

  it('sets no page for formats without pages', () => {
    const chunks = chunkDocument(parsePlainText('No pages here.'), DEFAULTS);
    expect(chunks[0]).not.toHaveProperty('page');
  });
});
