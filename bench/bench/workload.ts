// The data one benchmark run uses, read once: the corpus (all of it, or the first
// `documentLimit` documents for --quick), the judged queries, and qrels limited to the
// documents present, so quality figures stay meaningful on a subset.
import { loadDataset, readCorpus, type CorpusDocument } from '../eval/beir-dataset.js';
import type { Qrels } from '../eval/metrics.js';

export interface Workload {
  corpus: CorpusDocument[];
  /** [query id, text] for queries with qrels, in file order. */
  queries: Array<[string, string]>;
  qrels: Qrels;
}

export async function loadWorkload(datasetDir: string, limits: { documents?: number; queries?: number }): Promise<Workload> {
  const dataset = await loadDataset(datasetDir);
  const corpus: CorpusDocument[] = [];
  for await (const doc of readCorpus(dataset.files.corpus)) {
    if (limits.documents !== undefined && corpus.length >= limits.documents) break;
    corpus.push(doc);
  }
  const present = new Set(corpus.map((doc) => doc.id));
  const qrels = new Map<string, Map<string, number>>();
  for (const [queryId, judgments] of dataset.qrels) {
    qrels.set(queryId, new Map([...judgments].filter(([documentId]) => present.has(documentId))));
  }
  const queries = [...dataset.queries].slice(0, limits.queries);
  return { corpus, queries, qrels };
}
