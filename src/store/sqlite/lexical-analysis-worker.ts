// Analysis thread of an index build (lexical-analysis-pool.ts): counts the terms of a slice
// of chunk rows and hands the typed arrays back by transfer, not by copy.
import workerpool from 'workerpool';
import { countChunkRows, type ChunkTextRow } from './lexical-index-build.js';

function count(rows: ChunkTextRow[]) {
  const counted = countChunkRows(rows);
  const buffers = [counted.ids, counted.lengths, counted.ends, counted.termIndexes, counted.tfs].map((array) => array.buffer);
  return new workerpool.Transfer(counted, buffers);
}

workerpool.worker({ count });
