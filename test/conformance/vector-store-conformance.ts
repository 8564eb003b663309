// The behaviour every VectorStore adapter owes the rest of Sift, as one suite that each
// adapter runs (SQLite, Qdrant through a wire-compatible fake, and a real Qdrant when one is
// configured). Rankings are asserted only where BM25 or cosine leave no doubt, so that the
// embedded FTS5 scorer and Qdrant's sparse scorer both have to agree with them.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.js';
import { fuseByReciprocalRank } from '../../src/retrieval/rrf.js';
import type { ChunkRecord, DocumentWrite, MetadataFilter, ScoredChunk, VectorStore } from '../../src/store/vector-store.js';

export interface ConformanceSubject {
  store: VectorStore;
  /** Removes what the store left behind (files, Qdrant collections). */
  cleanup?: () => Promise<void>;
}

let seed = 0;

export function chunk(ordinal: number, text: string, embedding?: number[], extra: Partial<ChunkRecord> = {}): ChunkRecord {
  return {
    ordinal,
    text,
    headingPath: ['Guide', `Part ${ordinal}`],
    start: ordinal * 100,
    end: ordinal * 100 + text.length,
    tokenCount: text.split(/\s+/).filter(Boolean).length,
    contentHash: createHash('sha256').update(text).digest('hex'),
    ...(embedding ? { embedding: Float32Array.from(embedding) } : {}),
    ...extra,
  };
}

export function doc(overrides: Partial<DocumentWrite> & Pick<DocumentWrite, 'source' | 'chunks'>): DocumentWrite {
  const collection = overrides.collection ?? 'docs';
  const hex = createHash('sha256').update(`${collection}\0${overrides.source}`).digest('hex');
  return {
    // UUID-shaped like the ids Sift's ingestion makes (Qdrant's registry keys them).
    id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`,
    collection,
    title: null,
    format: 'text',
    contentHash: createHash('sha256').update(`${(seed += 1)}`).digest('hex'),
    sizeBytes: 100,
    metadata: {},
    ...overrides,
  };
}

const texts = (hits: ScoredChunk[]) => hits.map((hit) => hit.chunk.text);
const sources = (hits: ScoredChunk[]) => [...new Set(hits.map((hit) => hit.document.source))].sort();

function expectDescending(hits: ScoredChunk[]): void {
  for (let i = 1; i < hits.length; i += 1) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
}

export function describeVectorStoreConformance(name: string, makeStore: () => Promise<ConformanceSubject>): void {
  describe(`VectorStore conformance: ${name}`, () => {
    let subject: ConformanceSubject;
    let store: VectorStore;

    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
    });
    afterEach(async () => {
      await store.close();
      await subject.cleanup?.();
    });

    describe('upsert', () => {
      it('creates the collection on first write and counts its documents and chunks', async () => {
        expect(await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'Otters hold hands while sleeping.'), chunk(1, 'Bees dance to share directions.')] }))).toBe('created');
        await store.putDocument(doc({ source: 'b.txt', chunks: [chunk(0, 'The stock market closed higher.')] }));

        expect(await store.listCollections()).toMatchObject([{ name: 'docs', documentCount: 2, chunkCount: 3, embeddingModel: null, embeddingDimension: null }]);
        expect(await store.getCollection('docs')).toMatchObject({ name: 'docs', documentCount: 2, chunkCount: 3 });
        expect(await store.getCollection('nope')).toBeNull();
      });

      it('keeps every document and chunk field', async () => {
        const write = doc({
          source: 'guides/setup.md',
          title: 'Setup guide',
          format: 'markdown',
          sizeBytes: 1234,
          metadata: { team: 'ops', year: 2024, draft: false },
          chunks: [chunk(0, 'Install the package.', undefined, { page: 3, headingPath: ['Setup', 'Install'] }), chunk(1, 'Run the server.')],
        });
        await store.putDocument(write);

        const stored = await store.findDocumentBySource('docs', 'guides/setup.md');
        expect(stored).toMatchObject({
          id: write.id,
          collection: 'docs',
          source: 'guides/setup.md',
          title: 'Setup guide',
          format: 'markdown',
          contentHash: write.contentHash,
          sizeBytes: 1234,
          metadata: { team: 'ops', year: 2024, draft: false },
          chunkCount: 2,
          version: 1,
        });
        expect(Date.parse(stored!.createdAt)).not.toBeNaN();
        expect(await store.getDocument('docs', write.id)).toEqual(stored);

        const chunks = await store.getChunks('docs', write.id);
        expect(chunks.map(({ id: _id, ...rest }) => rest)).toEqual([
          { documentId: write.id, ordinal: 0, text: 'Install the package.', headingPath: ['Setup', 'Install'], page: 3, start: 0, end: 20, tokenCount: 3, contentHash: write.chunks[0]!.contentHash },
          { documentId: write.id, ordinal: 1, text: 'Run the server.', headingPath: ['Guide', 'Part 1'], page: null, start: 100, end: 115, tokenCount: 3, contentHash: write.chunks[1]!.contentHash },
        ]);
        expect(new Set(chunks.map((c) => c.id)).size).toBe(2);

        const [hit] = await store.searchLexical('docs', 'install package', { limit: 1 });
        expect(hit).toMatchObject({
          chunk: { id: chunks[0]!.id, documentId: write.id, text: 'Install the package.', page: 3 },
          document: { id: write.id, source: 'guides/setup.md', title: 'Setup guide', metadata: { team: 'ops', year: 2024, draft: false }, version: 1 },
        });
      });

      it('lists documents by source, a page at a time, with the total', async () => {
        for (const source of ['c.txt', 'a.txt', 'b.txt']) await store.putDocument(doc({ source, chunks: [chunk(0, `text of ${source}`)] }));
        const first = await store.listDocuments('docs', { limit: 2, offset: 0 });
        expect(first.total).toBe(3);
        expect(first.documents.map((d) => d.source)).toEqual(['a.txt', 'b.txt']);
        expect((await store.listDocuments('docs', { limit: 2, offset: 2 })).documents.map((d) => d.source)).toEqual(['c.txt']);
        expect(await store.listDocuments('nope', { limit: 10, offset: 0 })).toEqual({ documents: [], total: 0 });
      });

      it('lists documents in the order asked for, ties broken by source, paged after sorting', async () => {
        for (const [source, chunks] of [['a.txt', 2], ['b.txt', 3], ['c.txt', 1], ['d.txt', 3]] as const) {
          await store.putDocument(doc({ source, chunks: Array.from({ length: chunks }, (_, i) => chunk(i, `part ${i} of ${source}`)) }));
        }
        const sources = async (order: Parameters<VectorStore['listDocuments']>[1]) => (await store.listDocuments('docs', order)).documents.map((d) => d.source);
        expect(await sources({ limit: 10, offset: 0, sort: 'chunkCount', order: 'desc' })).toEqual(['d.txt', 'b.txt', 'a.txt', 'c.txt']);
        expect(await sources({ limit: 10, offset: 0, sort: 'chunkCount', order: 'asc' })).toEqual(['c.txt', 'a.txt', 'b.txt', 'd.txt']);
        expect(await sources({ limit: 2, offset: 1, sort: 'source', order: 'desc' })).toEqual(['c.txt', 'b.txt']);
        expect(await sources({ limit: 1, offset: 0, sort: 'updatedAt', order: 'desc' })).toEqual(['d.txt']);
      });
    });

    describe('replace', () => {
      it('replaces every chunk of the earlier version, keeping the document id', async () => {
        const first = doc({ source: 'a.txt', chunks: [chunk(0, 'The old launch date was March.'), chunk(1, 'Old appendix about March plans.')] });
        expect(await store.putDocument(first)).toBe('created');
        const created = await store.findDocumentBySource('docs', 'a.txt');
        expect(await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'The new launch date is June.')] }))).toBe('updated');

        expect(await store.searchLexical('docs', 'March', { limit: 5 })).toEqual([]);
        const hits = await store.searchLexical('docs', 'launch date', { limit: 5 });
        expect(texts(hits)).toEqual(['The new launch date is June.']);
        expect(hits[0]!.document.version).toBe(2);

        const stored = await store.findDocumentBySource('docs', 'a.txt');
        expect(stored).toMatchObject({ id: created!.id, version: 2, chunkCount: 1, createdAt: created!.createdAt });
        expect((await store.getChunks('docs', stored!.id)).map((c) => c.text)).toEqual(['The new launch date is June.']);
        expect(await store.getCollection('docs')).toMatchObject({ documentCount: 1, chunkCount: 1 });
      });

      it('replaces metadata so filters see only the new values', async () => {
        await store.putDocument(doc({ source: 'a.txt', metadata: { lang: 'en' }, chunks: [chunk(0, 'solar panels')] }));
        await store.putDocument(doc({ source: 'a.txt', metadata: { lang: 'de' }, chunks: [chunk(0, 'solar panels')] }));
        expect(await store.searchLexical('docs', 'solar', { limit: 5, filter: { lang: 'en' } })).toEqual([]);
        expect(sources(await store.searchLexical('docs', 'solar', { limit: 5, filter: { lang: 'de' } }))).toEqual(['a.txt']);
      });
    });

    describe('delete', () => {
      it('deletes a document and its chunks', async () => {
        await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'zebra stripes')] }));
        await store.putDocument(doc({ source: 'b.txt', chunks: [chunk(0, 'zebra crossing')] }));
        const stored = await store.findDocumentBySource('docs', 'a.txt');
        expect(await store.deleteDocument('docs', stored!.id)).toBe(true);
        expect(await store.deleteDocument('docs', stored!.id)).toBe(false);

        expect(sources(await store.searchLexical('docs', 'zebra', { limit: 5 }))).toEqual(['b.txt']);
        expect(await store.getChunks('docs', stored!.id)).toEqual([]);
        expect(await store.getDocument('docs', stored!.id)).toBeNull();
        expect(await store.findDocumentBySource('docs', 'a.txt')).toBeNull();
        expect(await store.getCollection('docs')).toMatchObject({ documentCount: 1, chunkCount: 1 });
      });

      it('deletes a whole collection and says whether there was one', async () => {
        await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'ephemeral words')] }));
        expect(await store.deleteCollection('docs')).toBe(true);
        expect(await store.deleteCollection('docs')).toBe(false);
        expect(await store.listCollections()).toEqual([]);
        expect(await store.searchLexical('docs', 'ephemeral', { limit: 5 })).toEqual([]);
        // The name can be used again from scratch.
        await store.putDocument(doc({ source: 'b.txt', chunks: [chunk(0, 'fresh words')] }));
        expect(await store.getCollection('docs')).toMatchObject({ documentCount: 1, chunkCount: 1 });
        expect(await store.searchLexical('docs', 'ephemeral', { limit: 5 })).toEqual([]);
      });
    });

    describe('filters', () => {
      beforeEach(async () => {
        await store.putDocument(doc({ source: 'en.txt', metadata: { lang: 'en', year: 2024, draft: false, score: 0.5 }, chunks: [chunk(0, 'solar panels')] }));
        await store.putDocument(doc({ source: 'de.txt', metadata: { lang: 'de', year: 2023, draft: true, score: 1.5 }, chunks: [chunk(0, 'solar panels')] }));
        await store.putDocument(doc({ source: 'fr.txt', metadata: { lang: 'fr', year: 2024, draft: false, 'dotted.key': 'x' }, chunks: [chunk(0, 'solar panels')] }));
      });
      const found = async (filter: MetadataFilter) => sources(await store.searchLexical('docs', 'solar', { limit: 10, filter }));

      it('matches equality on strings, numbers and booleans, all keys at once', async () => {
        expect(await found({ lang: 'en' })).toEqual(['en.txt']);
        expect(await found({ year: 2024, draft: false })).toEqual(['en.txt', 'fr.txt']);
        expect(await found({ draft: true })).toEqual(['de.txt']);
        expect(await found({ score: 1.5 })).toEqual(['de.txt']);
        expect(await found({ 'dotted.key': 'x' })).toEqual(['fr.txt']);
        expect(await found({ lang: 'es' })).toEqual([]);
      });

      it('matches any of several values', async () => {
        expect(await found({ lang: ['en', 'de'] })).toEqual(['de.txt', 'en.txt']);
        expect(await found({ year: [2023, 2022] })).toEqual(['de.txt']);
        expect(await found({ lang: [] })).toEqual([]);
      });

      it('filters on the source name', async () => {
        expect(await found({ source: 'fr.txt' })).toEqual(['fr.txt']);
        expect(await found({ source: ['fr.txt', 'en.txt'] })).toEqual(['en.txt', 'fr.txt']);
      });

      it('applies a condition on a key every object inherits or a __proto__ key, never ignores it', async () => {
        expect(await found({ toString: 'x' })).toEqual([]);
        expect(await found({ hasOwnProperty: ['x', 'y'] })).toEqual([]);
        // JSON.parse keeps "__proto__" as an own key; the condition must still apply.
        const protoFilter = JSON.parse('{"__proto__":"nomatch"}') as MetadataFilter;
        expect(await found(protoFilter).catch((error: { code?: string }) => error.code)).toSatisfy((outcome) => Array.isArray(outcome) ? outcome.length === 0 : outcome === ErrorCode.ValidationFailed);
      });

      it('refuses a key that could escape into the query', async () => {
        await expect(store.searchLexical('docs', 'solar', { limit: 5, filter: { 'a"b': 'x' } })).rejects.toMatchObject({ code: ErrorCode.ValidationFailed });
      });
    });

    describe('lexical ranking', () => {
      it('finds chunks by analyzed terms (case, stemming) with positive, descending scores', async () => {
        await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'Otters hold hands while sleeping.'), chunk(1, 'Bees dance to share directions.')] }));
        await store.putDocument(doc({ source: 'b.txt', chunks: [chunk(0, 'The stock market closed higher.')] }));
        const hits = await store.searchLexical('docs', 'why do OTTERS sleep holding hands', { limit: 5 });
        expect(texts(hits)).toEqual(['Otters hold hands while sleeping.']);
        expect(hits[0]!.score).toBeGreaterThan(0);
      });

      it('ranks a chunk with more of the query terms first', async () => {
        await store.putDocument(doc({ source: 'both.txt', chunks: [chunk(0, 'solar panels convert sunlight into electricity')] }));
        await store.putDocument(doc({ source: 'wind.txt', chunks: [chunk(0, 'wind turbines convert moving air into electricity')] }));
        await store.putDocument(doc({ source: 'eclipse.txt', chunks: [chunk(0, 'the history of solar eclipses and their observers')] }));
        await store.putDocument(doc({ source: 'other.txt', chunks: [chunk(0, 'a recipe for bread with seeds')] }));
        const hits = await store.searchLexical('docs', 'solar electricity', { limit: 10 });
        expect(hits[0]!.document.source).toBe('both.txt');
        expect(sources(hits)).toEqual(['both.txt', 'eclipse.txt', 'wind.txt']);
        expectDescending(hits);
      });

      it('weighs a rare term above a common one (idf)', async () => {
        for (let i = 0; i < 5; i += 1) await store.putDocument(doc({ source: `common-${i}.txt`, chunks: [chunk(0, `common filler number ${i} text`)] }));
        await store.putDocument(doc({ source: 'twice.txt', chunks: [chunk(0, 'common common words')] }));
        await store.putDocument(doc({ source: 'rare.txt', chunks: [chunk(0, 'rare words here')] }));
        const hits = await store.searchLexical('docs', 'common rare', { limit: 3 });
        expect(hits[0]!.document.source).toBe('rare.txt');
      });

      it('honours the limit', async () => {
        for (let i = 0; i < 6; i += 1) await store.putDocument(doc({ source: `n${i}.txt`, chunks: [chunk(0, `shared term and number ${i}`)] }));
        expect(await store.searchLexical('docs', 'shared term', { limit: 4 })).toHaveLength(4);
      });

      it('answers nothing, without failing, for queries with no searchable term or operator characters', async () => {
        await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'near or and not')] }));
        expect(await store.searchLexical('docs', '', { limit: 5 })).toEqual([]);
        expect(await store.searchLexical('docs', 'the and of', { limit: 5 })).toEqual([]);
        expect(await store.searchLexical('docs', '*** ((( ', { limit: 5 })).toEqual([]);
        await expect(store.searchLexical('docs', 'NEAR( "x" AND * OR ^ -', { limit: 5 })).resolves.toBeDefined();
        expect(await store.searchLexical('missing', 'near', { limit: 5 })).toEqual([]);
      });

      it('finds chunks by their document title and heading path too', async () => {
        await store.putDocument(doc({ source: 't.txt', title: 'Kangaroo handbook', chunks: [chunk(0, 'Feeding times are listed below.', undefined, { headingPath: ['Marsupials'] })] }));
        expect(sources(await store.searchLexical('docs', 'kangaroo', { limit: 5 }))).toEqual(['t.txt']);
        expect(sources(await store.searchLexical('docs', 'marsupials', { limit: 5 }))).toEqual(['t.txt']);
      });
    });

    describe('dense ranking', () => {
      it('finds the nearest vectors first (cosine), with descending scores', async () => {
        await store.putDocument(
          doc({ source: 'v.txt', embeddingModel: 'test-3d', chunks: [chunk(0, 'east', [1, 0, 0]), chunk(1, 'north', [0, 1, 0]), chunk(2, 'north-east', [0.7, 0.7, 0])] }),
        );
        const hits = await store.searchDense('docs', Float32Array.from([0.9, 0.1, 0]), { limit: 3 });
        expect(texts(hits)).toEqual(['east', 'north-east', 'north']);
        expect(hits[0]!.score).toBeCloseTo(0.9939, 3);
        expectDescending(hits);
        expect(await store.getCollection('docs')).toMatchObject({ embeddingModel: 'test-3d', embeddingDimension: 3 });
      });

      it('applies filters to dense search', async () => {
        await store.putDocument(doc({ source: 'a.txt', embeddingModel: 'm', metadata: { lang: 'en' }, chunks: [chunk(0, 'near', [1, 0])] }));
        await store.putDocument(doc({ source: 'b.txt', embeddingModel: 'm', metadata: { lang: 'de' }, chunks: [chunk(0, 'far', [0, 1])] }));
        expect(texts(await store.searchDense('docs', Float32Array.from([1, 0]), { limit: 5, filter: { lang: 'de' } }))).toEqual(['far']);
      });

      it('answers nothing for a collection without vectors', async () => {
        await store.putDocument(doc({ source: 'a.txt', chunks: [chunk(0, 'plain text')] }));
        expect(await store.searchDense('docs', Float32Array.from([1, 0, 0]), { limit: 5 })).toEqual([]);
        expect(await store.searchDense('missing', Float32Array.from([1, 0, 0]), { limit: 5 })).toEqual([]);
      });

      it('keeps serving lexical search when a collection gains embeddings later', async () => {
        await store.putDocument(doc({ source: 'old.txt', chunks: [chunk(0, 'legacy granite quarry')] }));
        await store.putDocument(doc({ source: 'new.txt', embeddingModel: 'm', chunks: [chunk(0, 'modern granite bench', [1, 0])] }));
        expect(sources(await store.searchLexical('docs', 'granite', { limit: 5 }))).toEqual(['new.txt', 'old.txt']);
        expect(texts(await store.searchDense('docs', Float32Array.from([1, 0]), { limit: 5 }))).toEqual(['modern granite bench']);
        expect(await store.getCollection('docs')).toMatchObject({ documentCount: 2, chunkCount: 2, embeddingDimension: 2 });
      });
    });

    describe('hybrid ranking', () => {
      it('fuses BM25 and dense rankings in one call when the store offers it', async (context) => {
        if (!store.searchHybrid) {
          context.skip('this store has no native hybrid search (callers fuse searchLexical and searchDense)');
          return;
        }
        await store.putDocument(doc({ source: 'lexical.txt', embeddingModel: 'm', chunks: [chunk(0, 'solar power solar power plant', [0, 0, 1])] }));
        await store.putDocument(doc({ source: 'both.txt', embeddingModel: 'm', chunks: [chunk(0, 'solar power', [1, 0.1, 0])] }));
        await store.putDocument(doc({ source: 'dense.txt', embeddingModel: 'm', metadata: { lang: 'de' }, chunks: [chunk(0, 'unrelated words', [0.9, 0.3, 0])] }));
        const hits = await store.searchHybrid('docs', 'solar power', Float32Array.from([1, 0, 0]), { limit: 3 });
        expect(hits[0]!.document.source).toBe('both.txt');
        expect(sources(hits)).toEqual(['both.txt', 'dense.txt', 'lexical.txt']);
        expectDescending(hits);

        const filtered = await store.searchHybrid('docs', 'solar power', Float32Array.from([1, 0, 0]), { limit: 3, filter: { lang: 'de' } });
        expect(sources(filtered)).toEqual(['dense.txt']);
        await expect(store.searchHybrid('docs', 'solar', Float32Array.from([1, 0]), { limit: 3 })).rejects.toMatchObject({ code: ErrorCode.EmbeddingMismatch });
      });
    });

    describe('native hybrid equals in-process fusion', () => {
      // Tolerance: fused scores agree to 1e-6 relative (Qdrant computes RRF in f32), every
      // chunk the store returns has the score Sift's own fusion gives it, and positions differ
      // only inside a group of equal scores (Qdrant does not break RRF ties; Sift breaks them
      // by best rank, then id).
      const RELATIVE_TOLERANCE = 1e-6;
      const words = ['solar', 'wind', 'tide', 'grid', 'storage', 'battery', 'panel', 'turbine', 'hydro', 'nuclear', 'coal', 'price', 'demand', 'export', 'winter'];
      const vectorOf = (i: number) => [Math.sin(i * 1.3), Math.cos(i * 0.7), Math.sin(i * 0.31 + 1), Math.cos(i * 2.1 + 0.5)];

      it('returns the ranking and scores of Sift\'s RRF over the same candidates (equal and unequal-but-scaled weights)', async (context) => {
        if (!store.searchHybrid) {
          context.skip('this store has no native hybrid search (SearchService fuses in process)');
          return;
        }
        for (let d = 0; d < 12; d += 1) {
          const chunks = [0, 1, 2].map((c) => {
            const i = d * 3 + c;
            const text = Array.from({ length: 6 }, (_, w) => words[(i * 7 + w * (c + 2) + d) % words.length]).join(' ');
            return chunk(c, text, vectorOf(i));
          });
          await store.putDocument(doc({ source: `energy-${d}.txt`, embeddingModel: 'm', metadata: { half: d % 2 }, chunks }));
        }
        const cases: Array<{ query: string; vector: number[]; limit: number; weight: number; filter?: MetadataFilter }> = [
          { query: 'solar battery storage', vector: vectorOf(5), limit: 8, weight: 1 },
          { query: 'wind turbine winter demand', vector: vectorOf(17), limit: 12, weight: 1 },
          { query: 'coal price export', vector: vectorOf(30), limit: 6, weight: 2, filter: { half: 1 } },
        ];
        for (const { query, vector, limit, weight, filter } of cases) {
          const options = { limit, ...(filter ? { filter } : {}) };
          const queryVector = Float32Array.from(vector);
          const sift = fuseByReciprocalRank(
            [
              { name: 'lexical', weight, hits: await store.searchLexical('docs', query, options) },
              { name: 'dense', weight, hits: await store.searchDense('docs', queryVector, options) },
            ],
            60,
          );
          const native = await store.searchHybrid('docs', query, queryVector, { ...options, rrfK: 60, weights: { lexical: weight, dense: weight } });
          expect(native).toHaveLength(Math.min(limit, sift.length));
          const siftScore = new Map(sift.map((candidate) => [candidate.hit.chunk.id, candidate.score]));
          native.forEach((hit, position) => {
            const expected = sift[position]!.score;
            expect(Math.abs(hit.score - expected)).toBeLessThanOrEqual(RELATIVE_TOLERANCE * expected);
            expect(siftScore.has(hit.chunk.id)).toBe(true);
            expect(Math.abs(hit.score - siftScore.get(hit.chunk.id)!)).toBeLessThanOrEqual(RELATIVE_TOLERANCE * expected);
          });
        }
      });
    });

    describe('embedding mismatch', () => {
      it('refuses a query vector of another dimension', async () => {
        await store.putDocument(doc({ source: 'v.txt', embeddingModel: 'test-3d', chunks: [chunk(0, 'east', [1, 0, 0])] }));
        await expect(store.searchDense('docs', Float32Array.from([1, 0]), { limit: 2 })).rejects.toMatchObject({
          code: ErrorCode.EmbeddingMismatch,
          message: expect.stringMatching(/re-index/),
        });
      });

      it('refuses a write from another model or dimension and keeps what was there', async () => {
        await store.putDocument(doc({ source: 'v.txt', embeddingModel: 'model-a', chunks: [chunk(0, 'east', [1, 0, 0])] }));
        await expect(store.putDocument(doc({ source: 'w.txt', embeddingModel: 'model-a', chunks: [chunk(0, 'west', [1, 0])] }))).rejects.toMatchObject({
          code: ErrorCode.EmbeddingMismatch,
        });
        await expect(store.putDocument(doc({ source: 'w.txt', embeddingModel: 'model-b', chunks: [chunk(0, 'west', [0, 1, 0])] }))).rejects.toMatchObject({
          code: ErrorCode.EmbeddingMismatch,
        });
        expect(await store.findDocumentBySource('docs', 'w.txt')).toBeNull();
        expect(texts(await store.searchDense('docs', Float32Array.from([1, 0, 0]), { limit: 5 }))).toEqual(['east']);
      });

      it('keeps a failed first write from leaving the document or its collection behind', async () => {
        await expect(store.putDocument(doc({ source: 'x.txt', chunks: [chunk(0, 'one', [1, 0]), chunk(1, 'two', [1, 0, 0])] }))).rejects.toMatchObject({
          code: ErrorCode.EmbeddingMismatch,
        });
        expect(await store.listCollections()).toEqual([]);
        expect(await store.findDocumentBySource('docs', 'x.txt')).toBeNull();
      });
    });

    describe('collection isolation', () => {
      it('keeps collections apart in search, listing and lookups', async () => {
        await store.putDocument(doc({ collection: 'red', source: 'a.txt', chunks: [chunk(0, 'shared words here')] }));
        await store.putDocument(doc({ collection: 'blue', source: 'a.txt', chunks: [chunk(0, 'shared words there')] }));
        expect(texts(await store.searchLexical('red', 'shared words', { limit: 5 }))).toEqual(['shared words here']);
        expect(texts(await store.searchLexical('blue', 'shared words', { limit: 5 }))).toEqual(['shared words there']);
        expect((await store.listCollections()).map((c) => c.name)).toEqual(['blue', 'red']);

        const red = await store.findDocumentBySource('red', 'a.txt');
        expect(await store.getDocument('blue', red!.id)).toBeNull();
        expect(await store.getChunks('blue', red!.id)).toEqual([]);
        expect(await store.deleteDocument('blue', red!.id)).toBe(false);

        expect(await store.deleteCollection('red')).toBe(true);
        expect(await store.searchLexical('red', 'shared', { limit: 5 })).toEqual([]);
        expect(await store.searchLexical('blue', 'shared', { limit: 5 })).toHaveLength(1);
        expect((await store.listCollections()).map((c) => c.name)).toEqual(['blue']);
      });

      it('keeps collections apart in dense search', async () => {
        await store.putDocument(doc({ collection: 'red', source: 'a.txt', embeddingModel: 'm', chunks: [chunk(0, 'red vector', [1, 0])] }));
        await store.putDocument(doc({ collection: 'blue', source: 'a.txt', embeddingModel: 'm', chunks: [chunk(0, 'blue vector', [1, 0])] }));
        expect(texts(await store.searchDense('red', Float32Array.from([1, 0]), { limit: 5 }))).toEqual(['red vector']);
      });
    });

    describe('empty and unicode text', () => {
      it('stores an empty chunk and finds nothing in it', async () => {
        await store.putDocument(doc({ source: 'empty.txt', chunks: [chunk(0, '')] }));
        const stored = await store.findDocumentBySource('docs', 'empty.txt');
        expect(stored).toMatchObject({ chunkCount: 1 });
        expect((await store.getChunks('docs', stored!.id)).map((c) => c.text)).toEqual(['']);
        expect(await store.searchLexical('docs', 'anything', { limit: 5 })).toEqual([]);
      });

      it('stores a document with no chunks', async () => {
        await store.putDocument(doc({ source: 'none.txt', chunks: [] }));
        expect(await store.findDocumentBySource('docs', 'none.txt')).toMatchObject({ chunkCount: 0 });
        expect(await store.getCollection('docs')).toMatchObject({ documentCount: 1, chunkCount: 0 });
      });

      it('keeps unicode text, sources and metadata exactly, and matches across accents and case', async () => {
        const text = 'Zürich café ☕ — naïve façade; 東京タワー 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍💻';
        await store.putDocument(doc({ source: 'städte/zürich.md', title: 'Städte', metadata: { ort: 'Zürich' }, chunks: [chunk(0, text, undefined, { headingPath: ['Schweiz', 'Zürich'] })] }));
        const hits = await store.searchLexical('docs', 'ZURICH cafe', { limit: 5 });
        expect(hits).toHaveLength(1);
        expect(hits[0]!.chunk.text).toBe(text);
        expect(hits[0]!.chunk.headingPath).toEqual(['Schweiz', 'Zürich']);
        expect(hits[0]!.document).toMatchObject({ source: 'städte/zürich.md', title: 'Städte', metadata: { ort: 'Zürich' } });
        expect(texts(await store.searchLexical('docs', '東京タワー', { limit: 5 }))).toEqual([text]);
        expect(sources(await store.searchLexical('docs', 'cafe', { limit: 5, filter: { ort: 'Zürich' } }))).toEqual(['städte/zürich.md']);
        expect(await store.findDocumentBySource('docs', 'städte/zürich.md')).not.toBeNull();
      });
    });
  });
}
