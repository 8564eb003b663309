// BM25 over a handful of documents handed in with the query (the rerank API without a
// model). The store's BM25 (lexical-index.ts) follows FTS5, whose idf floors at almost zero
// for terms in more than half of the rows: right for a collection, but in a list of ten
// documents that all mention the query's topic it would flatten every score. Here idf is
// Lucene's log(1 + (N - n + 0.5) / (n + 0.5)), positive for any share, with the same
// analyzer, k1 and b as the store.
//
// Analyzing the documents is nearly all of the cost, so it runs on the fast analyzer's term
// ids (no string per word) and counts only the query's terms; documents that come again are
// not analyzed again (analyzed-documents.ts).
import { analyzeToTermIdsView, TERM_ID_LIMIT, termTableGeneration } from '../retrieval/ascii-analyzer.js';
import { analyze, analyzeQuery } from '../retrieval/lexical-analyzer.js';
import { AnalyzedDocuments } from './analyzed-documents.js';

const K1 = 1.2;
const B = 0.75;

const analyzed = new AnalyzedDocuments();

/** Per term id: 1 + its place among the query's terms while one request counts, else 0. */
const queryPlaceOfTerm = new Int32Array(TERM_ID_LIMIT);

/** Term frequencies of a request, document by document: `counts[d * terms + t]`. */
interface TermCounts {
  terms: number;
  counts: Int32Array;
  lengths: number[];
}

/** The document's term ids: kept ones, or a fresh analysis (a view, valid until the next one). */
function termIdsOf(text: string, generation: number): Int32Array {
  if (!analyzed.seenBefore(text)) return analyzeToTermIdsView(text);
  const kept = analyzed.get(text, generation);
  if (kept) return kept;
  const termIds = analyzeToTermIdsView(text).slice();
  // Kept under the generation the request started in: if the table started over since, the
  // entry is never used (and this request is counted again from strings).
  analyzed.keep(text, termIds, generation);
  return termIds;
}

/** The counts from term ids, or null when the term table started over meanwhile (ids of two generations). */
function countByTermIds(query: string, documents: readonly string[]): TermCounts | null {
  const generation = termTableGeneration();
  const queryIds = [...new Set(analyzeToTermIdsView(query))];
  const terms = queryIds.length;
  const counts = new Int32Array(documents.length * terms);
  const lengths = new Array<number>(documents.length);
  queryIds.forEach((id, place) => (queryPlaceOfTerm[id] = place + 1));
  for (let d = 0; d < documents.length; d++) {
    const termIds = termIdsOf(documents[d]!, generation);
    for (let k = 0; k < termIds.length; k++) {
      const place = queryPlaceOfTerm[termIds[k]!]!;
      if (place !== 0) counts[d * terms + place - 1]! += 1;
    }
    lengths[d] = termIds.length;
  }
  for (const id of queryIds) queryPlaceOfTerm[id] = 0;
  return termTableGeneration() === generation ? { terms, counts, lengths } : null;
}

/** The same counts from term strings: for the rare request during which the table starts over. */
function countByTerms(query: string, documents: readonly string[]): TermCounts {
  const placeOfTerm = new Map(analyzeQuery(query).map((term, place) => [term, place]));
  const terms = placeOfTerm.size;
  const counts = new Int32Array(documents.length * terms);
  const lengths = documents.map((text, d) => {
    const documentTerms = analyze(text);
    for (const term of documentTerms) {
      const place = placeOfTerm.get(term);
      if (place !== undefined) counts[d * terms + place]! += 1;
    }
    return documentTerms.length;
  });
  return { terms, counts, lengths };
}

/** One BM25 score per document, in input order; 0 for a document sharing no query term. */
export function bm25Scores(query: string, documents: readonly string[]): number[] {
  const { terms, counts, lengths } = countByTermIds(query, documents) ?? countByTerms(query, documents);
  const total = documents.length;
  const averageLength = lengths.reduce((sum, length) => sum + length, 0) / Math.max(1, total) || 1;
  const idf = Array.from({ length: terms }, (_, t) => {
    let df = 0;
    for (let d = 0; d < total; d++) if (counts[d * terms + t] !== 0) df += 1;
    return Math.log(1 + (total - df + 0.5) / (df + 0.5));
  });
  return lengths.map((length, d) => {
    const norm = K1 * (1 - B + (B * length) / averageLength);
    let score = 0;
    for (let t = 0; t < terms; t++) {
      const f = counts[d * terms + t]!;
      if (f !== 0) score += (idf[t]! * f * (K1 + 1)) / (f + norm);
    }
    return score;
  });
}
