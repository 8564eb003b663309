// `npm run ingest -- --list`: what is stored, without curl. Collections with their counts and
// the time a document last changed, or one collection's documents; as a table, or as one
// JSON object with --json.
import { formatTable } from '../src/common/text-table.js';
import type { CollectionEntry, IngestTarget } from './ingest-target.js';
import type { StoredEntry } from './sync-scope.js';

export interface CollectionListing extends CollectionEntry {
  /** When a document of the collection last changed; null for an empty collection. */
  lastUpdate: string | null;
}

export type Listing = { collections: CollectionListing[] } | { collection: string; documents: StoredEntry[] };

export async function listContents(target: IngestTarget, collection?: string): Promise<Listing> {
  if (collection !== undefined) {
    const documents = await target.listDocuments(collection);
    return { collection, documents: documents.sort((a, b) => a.source.localeCompare(b.source)) };
  }
  const collections = await target.listCollections();
  const listed: CollectionListing[] = [];
  for (const entry of collections) {
    const documents = await target.listDocuments(entry.name);
    const lastUpdate = documents.reduce<string | null>((latest, document) => (latest === null || document.updatedAt > latest ? document.updatedAt : latest), null);
    listed.push({ ...entry, lastUpdate });
  }
  return { collections: listed };
}

/** The listing as lines of an aligned table, for people. */
export function formatListing(listing: Listing, where: string): string[] {
  if ('documents' in listing) {
    if (listing.documents.length === 0) return [`Collection "${listing.collection}" has no documents (${where}).`];
    const rows = listing.documents.map((document) => [document.source, String(document.chunkCount), kilobytes(document.sizeBytes), document.updatedAt, document.id]);
    return [`Collection "${listing.collection}", ${listing.documents.length} ${plural(listing.documents.length, 'document')} (${where}):`, formatTable(['source', 'chunks', 'size', 'updated', 'id'], rows)];
  }
  if (listing.collections.length === 0) return [`No collections yet (${where}). Load some with: npm run ingest -- <folder> --collection <name>`];
  const rows = listing.collections.map((entry) => [entry.name, String(entry.documentCount), String(entry.chunkCount), entry.embeddingModel ?? 'none', entry.lastUpdate ?? '-']);
  return [`${listing.collections.length} ${plural(listing.collections.length, 'collection')} (${where}):`, formatTable(['collection', 'documents', 'chunks', 'embeddings', 'last update'], rows)];
}

function kilobytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
