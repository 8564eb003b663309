// BM25 as a sparse vector, so that Qdrant ranks text the way the embedded store's FTS5 does.
// Terms come from the shared lexical analyzer (the same terms in both stores). Each term maps
// to a sparse index through a 32-bit FNV-1a hash of its UTF-8 bytes, which needs no shared
// vocabulary between replicas; a collision merely merges two rare terms.
//
// BM25 splits into a document side and a query side:
//   score(q, d) = Σ_t∈q idf(t) · tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl))
// The document side (term-frequency saturation with length normalisation) is stored as the
// point's sparse vector. The idf factor comes from Qdrant itself: the sparse vector is
// declared with `modifier: idf`, and Qdrant multiplies each query weight by
// ln((N − df + 0.5)/(df + 0.5) + 1) from the statistics of the collection. Query weights are
// therefore 1 per distinct term.
//
// avgdl is a fixed estimate rather than a live average: a value that drifted with the corpus
// would make vectors written at different times incomparable. Chunks are sized in tokens
// (CHUNK_TOKENS, 300 by default), which after stop words and with the title and headings
// added gives roughly 150 analyzed terms.
import { analyze, analyzeQuery } from '../../retrieval/lexical-analyzer.js';

export interface Bm25Parameters {
  k1: number;
  b: number;
  /** Expected number of analyzed terms in a chunk (title and heading path included). */
  averageTerms: number;
}

export const DEFAULT_BM25: Bm25Parameters = { k1: 1.2, b: 0.75, averageTerms: 150 };

export interface SparseVector {
  indices: number[];
  values: number[];
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

export function termIndex(term: string): number {
  let hash = FNV_OFFSET;
  for (const byte of encoder.encode(term)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

function toSparse(weights: Map<number, number>): SparseVector {
  const indices = [...weights.keys()].sort((a, b) => a - b);
  return { indices, values: indices.map((index) => weights.get(index)!) };
}

/** The text a chunk is found by: its document title, its heading path and its own text, as in the embedded store. */
export interface LexicalFields {
  title: string | null;
  headingPath: string[];
  text: string;
}

export function documentSparseVector(fields: LexicalFields, parameters: Bm25Parameters = DEFAULT_BM25): SparseVector {
  const terms = [...analyze(fields.title ?? ''), ...analyze(fields.headingPath.join(' ')), ...analyze(fields.text)];
  const frequencies = new Map<number, number>();
  for (const term of terms) {
    const index = termIndex(term);
    frequencies.set(index, (frequencies.get(index) ?? 0) + 1);
  }
  const { k1, b, averageTerms } = parameters;
  const norm = k1 * (1 - b + (b * terms.length) / averageTerms);
  const weights = new Map<number, number>();
  for (const [index, tf] of frequencies) weights.set(index, (tf * (k1 + 1)) / (tf + norm));
  return toSparse(weights);
}

/** Weight 1 per distinct query term; Qdrant's idf modifier supplies the rest. Empty when no term survives analysis. */
export function querySparseVector(query: string): SparseVector {
  const weights = new Map<number, number>();
  for (const term of analyzeQuery(query)) weights.set(termIndex(term), 1);
  return toSparse(weights);
}
