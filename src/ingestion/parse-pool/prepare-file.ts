// Everything from an uploaded file's bytes to chunks: type detection, decoding, parsing and
// chunking. It is the CPU-heavy part of ingestion that a hostile or huge file can make
// slow, so it runs in a parser process (see parse-pool.ts); it is pure, so the same code can
// run anywhere and is tested directly.
import { wallClockMs } from '../../common/wall-clock.js';
import { decodeText, detectFormat } from '../detect-format.js';
import { isBinaryFormat, type ChunkDraft, type ChunkingOptions, type DocumentFormat } from '../document-types.js';
import { chunkDocument } from '../chunking/chunker.js';
import { parseDocument, parseDocumentBytes, type ParseLimits } from '../parsers/parse-document.js';

export interface PrepareFileTask {
  /** The document's source name, already checked (for messages). */
  source: string;
  bytes: Uint8Array;
  chunking: ChunkingOptions;
  limits: ParseLimits;
}

export interface PreparedFile {
  format: DocumentFormat;
  title: string | null;
  chunks: ChunkDraft[];
  /** When chunking ran, as wall-clock ms (comparable across processes), for its trace span. */
  chunking?: { startedAt: number; endedAt: number };
}

/** `onDetected` hears the format once it is known, whether parsing then succeeds or not. */
export async function prepareFile(task: PrepareFileTask, onDetected?: (format: DocumentFormat) => void): Promise<PreparedFile> {
  const { source, bytes, limits } = task;
  const format = await detectFormat(source, bytes);
  onDetected?.(format);
  // Binary formats are containers with their own encodings inside; only text formats are decoded here.
  const parsed = isBinaryFormat(format) ? await parseDocumentBytes(format, bytes, source, limits) : parseDocument(format, decodeText(bytes, source), source, limits);
  const startedAt = wallClockMs();
  const chunks = chunkDocument(parsed, task.chunking);
  return { format: parsed.format, title: parsed.title, chunks, chunking: { startedAt, endedAt: wallClockMs() } };
}
