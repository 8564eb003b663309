// The shared VectorStore conformance suite against the embedded store, on a real SQLite file.
import { SqliteVectorStore } from '../../src/store/sqlite/sqlite-vector-store.js';
import { describeVectorStoreConformance } from '../conformance/vector-store-conformance.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describeVectorStoreConformance('sqlite', async () => {
  const dir = makeTempDir();
  return { store: new SqliteVectorStore(`${dir.path}/sift.sqlite`), cleanup: async () => dir.remove() };
});
