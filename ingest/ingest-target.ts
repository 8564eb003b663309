// Where the ingest CLI sends files: this process's own pipeline writing DATA_DIR, or a
// running Sift over HTTP. The run itself (walk, concurrency, deletions, report) is the same.
import type { ErrorCode } from '../src/common/errors.js';
import type { FileOutcome } from '../src/ingestion/batch-ingest.js';
import type { DocumentMetadata } from '../src/store/vector-store.js';
import type { SelectedFile } from './select-files.js';
import type { StoredEntry } from './sync-scope.js';

/** What a dry run says would happen to a file. */
export type PlannedOutcome =
  | { file: string; documentId: string; status: 'created' | 'updated' | 'unchanged' }
  | { file: string; status: 'failed'; error: { code: ErrorCode; message: string } };

/** A collection as `--list` shows it. */
export interface CollectionEntry {
  name: string;
  documentCount: number;
  chunkCount: number;
  embeddingModel: string | null;
  createdAt: string;
}

export interface IngestTarget {
  /** Where documents go, for the summary: "data in ./data" or "server http://…". */
  readonly description: string;
  listCollections(): Promise<CollectionEntry[]>;
  /** Every document of the collection (none when it does not exist). */
  listDocuments(collection: string): Promise<StoredEntry[]>;
  /** The file's outcome; throws only when the target itself fails (TargetUnavailableError). */
  ingest(file: SelectedFile, collection: string, metadata: DocumentMetadata): Promise<FileOutcome>;
  /** What `ingest` would do, by fingerprint alone, writing nothing; absent where that cannot be known. */
  plan?(file: SelectedFile, collection: string, metadata: DocumentMetadata): Promise<PlannedOutcome>;
  deleteDocument(collection: string, id: string): Promise<void>;
  /** Files parsed so far by this run, where the target can tell. */
  parsedFiles(): number | null;
  close(): Promise<void>;
}

/** The target cannot go on at all (server unreachable, key refused): the run stops, exit 2. */
export class TargetUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnavailableError';
  }
}
