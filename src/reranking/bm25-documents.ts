// BM25 over a handful of documents handed in with the query (the rerank API without a
// model). The store's BM25 (lexical-index.ts) follows FTS5, whose idf floors at almost zero
// for terms in more than half of the rows: right for a collection, but in a list of ten
// documents that all mention the query's topic it would flatten every score. Here idf is
// Lucene's log(1 + (N - n + 0.5) / (n + 0.5)), positive for any share, with the same
// analyzer, k1 and b as the store.
import { analyze, analyzeQuery } from '../retrieval/lexical-analyzer.js';

const K1 = 1.2;
const B = 0.75;

/** One BM25 score per document, in input order; 0 for a document sharing no query term. */
export function bm25Scores(query: string, documents: readonly string[]): number[] {
  const queryTerms = analyzeQuery(query);
  const wanted = new Set(queryTerms);
  // Only the query's terms are counted; the rest matter only for the length.
  const counts = documents.map((text) => {
    const tf = new Map<string, number>();
    const terms = analyze(text);
    for (const term of terms) if (wanted.has(term)) tf.set(term, (tf.get(term) ?? 0) + 1);
    return { tf, length: terms.length };
  });
  const total = counts.length;
  const averageLength = counts.reduce((sum, doc) => sum + doc.length, 0) / Math.max(1, total) || 1;
  const idf = new Map(
    queryTerms.map((term) => {
      const df = counts.filter((doc) => doc.tf.has(term)).length;
      return [term, Math.log(1 + (total - df + 0.5) / (df + 0.5))];
    }),
  );
  return counts.map(({ tf, length }) => {
    const norm = K1 * (1 - B + (B * length) / averageLength);
    let score = 0;
    for (const term of queryTerms) {
      const f = tf.get(term);
      if (f) score += (idf.get(term)! * f * (K1 + 1)) / (f + norm);
    }
    return score;
  });
}
