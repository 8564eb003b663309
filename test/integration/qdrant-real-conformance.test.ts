// The shared VectorStore conformance suite against a real Qdrant, when QDRANT_URL names one
// (e.g. `docker compose up qdrant` then QDRANT_URL=http://127.0.0.1:6333 npm test). Each test
// works under its own collection prefix and drops its collections afterwards.
import { describe, it } from 'vitest';
import { describeVectorStoreConformance } from '../conformance/vector-store-conformance.js';
import { makeQdrantSubject } from '../helpers/qdrant-subject.js';

const url = process.env['QDRANT_URL'];

if (url) {
  describeVectorStoreConformance(`qdrant (real server at ${url})`, async () => makeQdrantSubject(url, process.env['QDRANT_API_KEY']));
} else {
  console.log('SKIPPED: QDRANT_URL not set — the Qdrant conformance suite against a real server did not run.');
  describe('VectorStore conformance: qdrant (real server)', () => {
    it.skip('SKIPPED: QDRANT_URL not set (set it to run the conformance suite against a real Qdrant)', () => undefined);
  });
}
