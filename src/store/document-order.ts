// Orders a document listing in memory, for stores that read a collection's document records
// whole (Qdrant's registry) and must list them as SQLite's ORDER BY does.
import type { DocumentOrder, StoredDocument } from './vector-store.js';

const compare = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);

export function sortDocuments(documents: StoredDocument[], order: DocumentOrder): StoredDocument[] {
  const key = order.sort ?? 'source';
  const sign = order.order === 'desc' ? -1 : 1;
  return [...documents].sort((a, b) => sign * (compare(a[key], b[key]) || compare(a.source, b.source)));
}
