// BM25 over a handful of documents handed in with the query (the rerank API without a
// model). The store's BM25 (lexical-index.ts) follows FTS5, whose idf floors at almost zero
// for terms in more than half of the rows: right for a collection, but in a list of ten
// documents that all mention the query's topic it would flatten every score. Here idf is
// Lucene's log(1 + (N - n + 0.5) / (n + 0.5)), positive for any share, with the same
// analyzer, k1 and b as the store.
//
// Analyzing the documents is nearly all of the cost (about 3 ms for 100 abstracts of 1,500
// characters), and callers send the same passages again and again (the chunks a retriever
// keeps finding, each turn of a conversation). So each document's term counts are kept,
// keyed by its text, in an LRU bounded by characters; a document seen again costs a lookup.
import { LRUCache } from 'lru-cache';
import { analyze, analyzeQuery } from '../retrieval/lexical-analyzer.js';

const K1 = 1.2;
const B = 0.75;
/** Characters of document text the cache holds (the keys), about 40 MB of strings at most. */
const CACHED_CHARACTERS = 20_000_000;

interface AnalyzedDocument {
  counts: Map<string, number>;
  length: number;
}

const analyzed = new LRUCache<string, AnalyzedDocument>({ maxSize: CACHED_CHARACTERS, sizeCalculation: (_, text) => Math.max(1, text.length) });

function analyzeDocument(text: string): AnalyzedDocument {
  let entry = analyzed.get(text);
  if (!entry) {
    const terms = analyze(text);
    const counts = new Map<string, number>();
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    entry = { counts, length: terms.length };
    analyzed.set(text, entry);
  }
  return entry;
}

/** One BM25 score per document, in input order; 0 for a document sharing no query term. */
export function bm25Scores(query: string, documents: readonly string[]): number[] {
  const queryTerms = analyzeQuery(query);
  const docs = documents.map(analyzeDocument);
  const total = docs.length;
  const averageLength = docs.reduce((sum, doc) => sum + doc.length, 0) / Math.max(1, total) || 1;
  const idf = queryTerms.map((term) => {
    const df = docs.filter((doc) => doc.counts.has(term)).length;
    return Math.log(1 + (total - df + 0.5) / (df + 0.5));
  });
  return docs.map(({ counts, length }) => {
    const norm = K1 * (1 - B + (B * length) / averageLength);
    let score = 0;
    queryTerms.forEach((term, i) => {
      const f = counts.get(term);
      if (f) score += (idf[i]! * f * (K1 + 1)) / (f + norm);
    });
    return score;
  });
}
