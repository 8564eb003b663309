// The shared VectorStore conformance suite against the Qdrant adapter, driven through the
// real @qdrant/js-client-rest into a wire-compatible fake server, plus what is particular to
// the Qdrant adapter: how it uses the wire, version flips and failures.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.js';
import { loadConfig } from '../../src/config/app-config.js';
import { createVectorStore } from '../../src/store/create-vector-store.js';
import { QdrantVectorStore } from '../../src/store/qdrant/qdrant-vector-store.js';
import { chunk, describeVectorStoreConformance, doc } from '../conformance/vector-store-conformance.js';
import { startFakeQdrant, type FakeQdrant } from '../fakes/fake-qdrant.js';
import { makeQdrantSubject } from '../helpers/qdrant-subject.js';

let fake: FakeQdrant;
beforeAll(async () => {
  fake = await startFakeQdrant();
});
afterAll(async () => {
  await fake.close();
});

describeVectorStoreConformance('qdrant (wire-compatible fake)', async () => makeQdrantSubject(fake.url));

describe('QdrantVectorStore on the wire', () => {
  let subject: ReturnType<typeof makeQdrantSubject>;
  let store: QdrantVectorStore;
  beforeEach(() => {
    subject = makeQdrantSubject(fake.url);
    store = subject.store;
  });
  afterEach(async () => {
    await subject.cleanup();
  });

  const pointsOf = (suffix: string) => [...(fake.collections.get(`${subject.prefix}${suffix}`)?.points.values() ?? [])];

  it('lays out one chunk collection per dimension with a tenant index and an idf sparse vector', async () => {
    await store.putDocument(doc({ collection: 'red', source: 'a.txt', chunks: [chunk(0, 'plain words')] }));
    await store.putDocument(doc({ collection: 'blue', source: 'b.txt', embeddingModel: 'm', chunks: [chunk(0, 'dense words', [1, 0, 0])] }));
    expect([...fake.collections.keys()].filter((name) => name.startsWith(subject.prefix)).sort()).toEqual(
      ['chunks_dense_3', 'chunks_lexical', 'registry'].map((suffix) => `${subject.prefix}${suffix}`),
    );
    const dense = fake.collections.get(`${subject.prefix}chunks_dense_3`)!;
    expect(dense.config.definition).toMatchObject({ vectors: { dense: { size: 3, distance: 'Cosine' } }, sparse_vectors: { bm25: { modifier: 'idf' } } });
    expect(dense.indexes.get('collection')).toEqual({ type: 'keyword', is_tenant: true });
    expect(pointsOf('chunks_dense_3')).toHaveLength(1);
    expect(pointsOf('chunks_lexical')).toHaveLength(1);
  });

  it('uses deterministic UUID point ids, so a rewrite of the same version lands on the same points', async () => {
    const a = makeQdrantSubject(fake.url);
    const b = makeQdrantSubject(fake.url);
    try {
      await a.store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'same'), chunk(1, 'text')] }));
      await b.store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'same'), chunk(1, 'text')] }));
      const ids = (prefix: string) => [...fake.collections.get(`${prefix}chunks_lexical`)!.points.keys()].sort();
      expect(ids(a.prefix)).toEqual(ids(b.prefix));
      expect(ids(a.prefix)[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });

  it('runs hybrid search as one Query API call: sparse and dense prefetches fused by RRF', async () => {
    await store.putDocument(doc({ source: 'a.txt', embeddingModel: 'm', chunks: [chunk(0, 'solar power', [1, 0])] }));
    const before = fake.requests.length;
    await store.searchHybrid('docs', 'solar', Float32Array.from([1, 0]), { limit: 5, rrfK: 60, weights: { lexical: 1, dense: 2 } });
    const queries = fake.requests.slice(before).filter((request) => request.path.endsWith('/points/query'));
    expect(queries).toHaveLength(1);
    expect(queries[0]!.body).toMatchObject({
      prefetch: [{ using: 'bm25' }, { using: 'dense' }],
      // Unequal weights: Qdrant's k from the mean weight (qdrant-rrf.ts), k' = round(60 / 1.5) + 1.
      query: { rrf: { k: 41, weights: [1, 2] } },
    });
  });

  it('never shows a mix of versions: a write that fails before the flip leaves the old version current', async () => {
    await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'first alpha'), chunk(1, 'first beta')] }));
    // The new version's chunks are written, then the registry flip fails.
    fake.failNext(503, 'Service Unavailable: shard is recovering', {
      when: (request) => request.method === 'PUT' && request.path === `/collections/${subject.prefix}registry/points`,
    });
    await expect(store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'second alpha'), chunk(1, 'second beta')] }))).rejects.toMatchObject({
      code: ErrorCode.StoreUnavailable,
    });

    expect((await store.searchLexical('docs', 'alpha beta first second', { limit: 10 })).map((hit) => hit.chunk.text).sort()).toEqual(['first alpha', 'first beta']);
    const stored = await store.findDocumentBySource('docs', 'a.txt');
    expect(stored).toMatchObject({ version: 1 });
    expect((await store.getChunks('docs', stored!.id)).map((c) => c.text)).toEqual(['first alpha', 'first beta']);

    // The next write succeeds and leaves only its own points.
    await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'third alpha')] }));
    expect((await store.searchLexical('docs', 'alpha beta', { limit: 10 })).map((hit) => hit.chunk.text)).toEqual(['third alpha']);
    expect(pointsOf('chunks_lexical').map((point) => point.payload['text'])).toEqual(['third alpha']);
  });

  it('hides stale points left by an interrupted replacement and still fills the page', async () => {
    for (let i = 0; i < 3; i += 1) await store.putDocument(doc({ source: `d${i}.txt`, chunks: [chunk(0, `needle number ${i}`)] }));
    // Leave copies of every point as an older version, as a crash between flip and cleanup would.
    const space = fake.collections.get(`${subject.prefix}chunks_lexical`)!;
    for (const point of [...space.points.values()]) {
      const id = `${String(point.id).slice(0, -4)}ffff`;
      space.points.set(id, { ...point, id, payload: { ...point.payload, version: 0, text: 'stale needle needle' } });
    }
    const hits = await store.searchLexical('docs', 'needle', { limit: 3 });
    expect(hits.map((hit) => hit.chunk.text).sort()).toEqual(['needle number 0', 'needle number 1', 'needle number 2']);
  });

  it('reports an unreachable or failing Qdrant as STORE_UNAVAILABLE', async () => {
    fake.failNext(503, 'overloaded');
    await expect(store.checkHealth()).rejects.toMatchObject({ code: ErrorCode.StoreUnavailable, message: expect.stringMatching(/503.*overloaded/) });
    const nowhere = new QdrantVectorStore({ url: 'http://127.0.0.1:9', timeoutMs: 2000 });
    await expect(nowhere.checkHealth()).rejects.toMatchObject({ code: ErrorCode.StoreUnavailable, message: expect.stringMatching(/not reachable/) });
  });

  it('sends the API key and says so when Qdrant refuses it', async () => {
    const guarded = await startFakeQdrant({ apiKey: 'secret' });
    try {
      await expect(new QdrantVectorStore({ url: guarded.url, apiKey: 'wrong' }).checkHealth()).rejects.toMatchObject({
        code: ErrorCode.StoreUnavailable,
        message: expect.stringMatching(/QDRANT_API_KEY/),
      });
      await expect(new QdrantVectorStore({ url: guarded.url, apiKey: 'secret' }).checkHealth()).resolves.toBeUndefined();
    } finally {
      await guarded.close();
    }
  });

  it('is what SIFT_STORE=qdrant selects, with the Qdrant settings from the environment', async () => {
    const config = loadConfig({ SIFT_STORE: 'qdrant', QDRANT_URL: fake.url, QDRANT_COLLECTION_PREFIX: `${subject.prefix}env_`, QDRANT_QUANTIZATION: 'scalar' });
    const configured = createVectorStore(config);
    expect(configured).toBeInstanceOf(QdrantVectorStore);
    await configured.putDocument(doc({ source: 'a.txt', embeddingModel: 'm', chunks: [chunk(0, 'configured', [1, 0])] }));
    expect(fake.collections.get(`${subject.prefix}env_chunks_dense_2`)?.config.definition).toMatchObject({
      quantization_config: { scalar: { type: 'int8' } },
      on_disk_payload: true,
    });
    expect(() => loadConfig({ SIFT_STORE: 'qdrant', QDRANT_URL: 'not a url' })).toThrow(/QDRANT_URL/);
  });
});
