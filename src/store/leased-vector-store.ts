// With REDIS_URL, every write or delete of a document runs under its Redis write lease
// (shared-state/document-leases.ts), so replicas writing one document serialize and the last
// complete version wins whole. Reads and searches pass straight through.
import type { DocumentLeases } from '../shared-state/document-leases.js';
import type { VectorStore } from './vector-store.js';

export function withDocumentLeases(store: VectorStore, leases: DocumentLeases): VectorStore {
  const leased: Partial<VectorStore> = {
    putDocument: (document) => leases.withLeases([document], () => store.putDocument(document)),
    putDocuments: (documents) => leases.withLeases(documents, () => store.putDocuments(documents)),
    deleteDocument: (collection, id) => leases.withLeases([{ collection, id }], () => store.deleteDocument(collection, id)),
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in leased) return leased[property as keyof VectorStore];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
