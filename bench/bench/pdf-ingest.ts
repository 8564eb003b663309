// PDF ingest throughput and memory: a long PDF (300 pages by default, written by pdf-lib
// with the test fixtures' generator) goes through IngestionService as an upload would:
// type detection, pdf.js page by page, chunking, one store transaction. The measurement runs
// in its own process (this file is forked) so that its peak RSS is the ingest's alone and
// not the benchmark's or the PDF generator's.
//
// Use: `await benchPdfIngest({ pages: 300 })` from the benchmark, or on its own after a
// build: `node dist/bench/bench/pdf-ingest.js [pages]`.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeLongPdf } from '../../test/fixtures/make-pdf.js';
import { parseDocumentBytes } from '../../src/ingestion/parsers/parse-document.js';
import { formatCount, formatMs, formatTable, round } from '../common/report.js';
import { openSiftContext } from '../common/sift-context.js';

/** The ceiling for a 300-page PDF. */
export const PDF_INGEST_RSS_LIMIT_BYTES = 500 * 1024 * 1024;

export interface PdfIngestOptions {
  pages?: number;
}

export interface PdfIngestResult {
  pages: number;
  pdfBytes: number;
  chunks: number;
  /** Upload to stored chunks through IngestionService.ingestFile. */
  ingestMs: number;
  ingestPagesPerSecond: number;
  /** pdf.js text extraction alone (parseDocumentBytes), measured after the ingest. */
  parseMs: number;
  parsePagesPerSecond: number;
  /** Peak RSS of the measuring process up to the end of the ingest. */
  peakRssBytes: number;
  rssLimitBytes: number;
  withinRssLimit: boolean;
}

interface ChildRequest {
  pdfPath: string;
  warmUpPdfPath: string;
  pages: number;
}

/** Generates the PDF here, measures its ingest in a child process, and returns the figures. */
export async function benchPdfIngest(options: PdfIngestOptions = {}): Promise<PdfIngestResult> {
  const pages = options.pages ?? 300;
  const dir = mkdtempSync(join(tmpdir(), 'sift-pdf-bench-'));
  try {
    const pdfPath = join(dir, `long-${pages}.pdf`);
    const warmUpPdfPath = join(dir, 'warm-up.pdf');
    writeFileSync(pdfPath, await makeLongPdf(pages));
    writeFileSync(warmUpPdfPath, await makeLongPdf(2));
    return await measureInChild({ pdfPath, warmUpPdfPath, pages });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatPdfIngest(result: PdfIngestResult): string {
  return formatTable(
    ['PDF ingest', 'value'],
    [
      ['pages', formatCount(result.pages)],
      ['file size', `${formatCount(result.pdfBytes / 1024)} KiB`],
      ['chunks', formatCount(result.chunks)],
      ['ingest time', formatMs(result.ingestMs)],
      ['ingest pages/s', formatCount(result.ingestPagesPerSecond, 1)],
      ['parse-only pages/s', formatCount(result.parsePagesPerSecond, 1)],
      ['peak RSS', `${formatCount(result.peakRssBytes / (1024 * 1024))} MiB`],
      ['RSS limit', `${formatCount(result.rssLimitBytes / (1024 * 1024))} MiB (${result.withinRssLimit ? 'met' : 'EXCEEDED'})`],
    ],
  );
}

function measureInChild(request: ChildRequest): Promise<PdfIngestResult> {
  return new Promise((resolveResult, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(request)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: PdfIngestResult | null = null;
    child.on('message', (message) => (result = message as PdfIngestResult));
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolveResult(result) : reject(new Error(`The PDF ingest measurement exited with code ${code} and no result.`))));
  });
}

async function measureHere(request: ChildRequest): Promise<PdfIngestResult> {
  const bytes = new Uint8Array(readFileSync(request.pdfPath));
  const sift = await openSiftContext();
  try {
    // pdf.js is loaded and compiled on first use; a long-running server has paid that already.
    await parseDocumentBytes('pdf', readFileSync(request.warmUpPdfPath), 'warm-up.pdf');
    const ingestStarted = performance.now();
    const ingested = await sift.ingestion.ingestFile({ collection: 'pdf-bench', fileName: 'long.pdf', bytes });
    const ingestMs = performance.now() - ingestStarted;
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;

    const parseStarted = performance.now();
    await parseDocumentBytes('pdf', bytes, 'long.pdf');
    const parseMs = performance.now() - parseStarted;
    return {
      pages: request.pages,
      pdfBytes: bytes.byteLength,
      chunks: ingested.chunkCount,
      ingestMs: round(ingestMs, 1),
      ingestPagesPerSecond: round(request.pages / (ingestMs / 1000), 1),
      parseMs: round(parseMs, 1),
      parsePagesPerSecond: round(request.pages / (parseMs / 1000), 1),
      peakRssBytes,
      rssLimitBytes: PDF_INGEST_RSS_LIMIT_BYTES,
      withinRssLimit: peakRssBytes <= PDF_INGEST_RSS_LIMIT_BYTES,
    };
  } finally {
    await sift.close();
  }
}

if (process.send && process.argv[2]) {
  // Forked by benchPdfIngest: the request arrives as argv[2], the result goes back over IPC.
  const result = await measureHere(JSON.parse(process.argv[2]) as ChildRequest);
  process.send(result, () => process.exit(0));
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const pages = Number(process.argv[2] ?? 300);
  if (!Number.isInteger(pages) || pages < 1) throw new Error(`Page count must be a positive integer, got ${process.argv[2]}`);
  console.log(formatPdfIngest(await benchPdfIngest({ pages })));
}
