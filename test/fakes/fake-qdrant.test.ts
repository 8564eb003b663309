// The fake Qdrant against what Qdrant's own code and API definition say (v1.19.0): requests
// outside the OpenAPI document are refused as the server refuses them, RRF gives the figures
// of Qdrant's own unit tests, and filters follow query_checker.rs / condition_checker.rs.
import { QdrantClient } from '@qdrant/js-client-rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reciprocalRankFusion, startFakeQdrant, type FakeQdrant } from './fake-qdrant.js';

let fake: FakeQdrant;
let client: QdrantClient;
beforeAll(async () => {
  fake = await startFakeQdrant();
  client = new QdrantClient({ url: fake.url, checkCompatibility: false });
});
afterAll(async () => {
  await fake.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: { result?: unknown; status: unknown } }> {
  const response = await fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as { result?: unknown; status: unknown } };
}

describe('requests are checked against Qdrant\'s OpenAPI document', () => {
  beforeAll(async () => {
    await client.createCollection('shape', { vectors: { dense: { size: 2, distance: 'Cosine' } }, sparse_vectors: { bm25: { modifier: 'idf' } } });
  });

  it.each([
    ['a limit of 0', { query: [1, 0], using: 'dense', limit: 0 }, /limit/],
    ['an unknown field in a filter (Filter has additionalProperties: false)', { query: [1, 0], using: 'dense', filter: { must: [], either: [] } }, /either/],
    ['a negative sparse index (uint32)', { query: { indices: [-1], values: [1] }, using: 'bm25' }, /Format error in JSON body/],
    ['an RRF k of 0 (minimum 1)', { prefetch: [{ query: [1, 0], using: 'dense' }], query: { rrf: { k: 0 } } }, /Format error in JSON body/],
    ['a fusion Qdrant does not have', { prefetch: [{ query: [1, 0], using: 'dense' }], query: { fusion: 'borda' } }, /Format error in JSON body/],
  ])('refuses %s with a 400', async (_name, body, message) => {
    const { status, json } = await post('/collections/shape/points/query', body);
    expect(status).toBe(400);
    expect(JSON.stringify(json.status)).toMatch(message);
  });

  it('refuses a point id that is neither an unsigned integer nor a UUID, and a bad query parameter', async () => {
    await expect(client.upsert('shape', { wait: true, points: [{ id: 'doc-1', vector: { dense: [1, 0] } }] })).rejects.toMatchObject({ status: 400 });
    const response = await fetch(`${fake.url}/collections/shape/points?wait=maybe`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ points: [] }) });
    expect(response.status).toBe(400);
  });

  it('answers an undeclared route with 404 and names the operation of a declared one', async () => {
    expect((await post('/collections/shape/points/search/everything', {})).status).toBe(404);
    await client.query('shape', { query: [1, 0], using: 'dense' });
    expect(fake.requests.at(-1)).toMatchObject({ operationId: 'query_points', method: 'POST' });
  });
});

describe('RRF as reciprocal_rank_fusion.rs computes it', () => {
  const point = (id: number) => ({ point: { id, dense: new Map(), sparse: new Map(), payload: {}, version: 0 }, score: 0 });
  const ids = (list: Array<{ point: { id: unknown } }>) => list.map((entry) => entry.point.id);

  it('gives the scores of Qdrant\'s test_rrf_scoring (k = 2, f32)', () => {
    const fused = reciprocalRankFusion([[point(2), point(1)], [point(1), point(2), point(3)], [point(5), point(3), point(1)]], 2, null);
    expect(ids(fused)).toEqual([1, 2, 3, 5]);
    expect(fused.map((entry) => entry.score)).toEqual([1.0833334, 0.8333334, 0.5833334, 0.5].map(Math.fround));
  });

  it('stretches positions by weight and refuses a weight count that differs from the prefetches', () => {
    const fused = reciprocalRankFusion([[point(1), point(2)], [point(2), point(1)]], 2, [3, 1]);
    expect(ids(fused)[0]).toBe(2);
    expect(fused[0]!.score).toBeGreaterThan(fused[1]!.score);
    expect(() => reciprocalRankFusion([[point(1)], [point(2)]], 2, [1, 2, 3])).toThrow(/Number of weights/);
  });

  it('defaults to k = 2 over the wire', async () => {
    await client.createCollection('rrf', { vectors: { dense: { size: 2, distance: 'Cosine' } } });
    await client.upsert('rrf', { wait: true, points: [{ id: 1, vector: { dense: [1, 0] } }, { id: 2, vector: { dense: [0, 1] } }] });
    const { points } = await client.query('rrf', { prefetch: [{ query: [1, 0], using: 'dense' }], query: { fusion: 'rrf' } });
    expect(points.map((p) => [p.id, p.score])).toEqual([
      [1, 1 / 2],
      [2, Math.fround(1 / 3)],
    ]);
  });
});

describe('payload filters as query_checker.rs and condition_checker.rs decide them', () => {
  beforeAll(async () => {
    await client.createCollection('filters', { vectors: {} });
    const payloads: Array<Record<string, unknown>> = [
      { tag: 'a', n: 1 }, // 1
      { tag: null, n: 1.5 }, // 2
      { tag: [], list: [1, 2] }, // 3
      { tag: [null] }, // 4
      {}, // 5
      { tag: ['a', 'b'], items: [{ k: 'x', v: 1 }, { k: 'y', v: 2 }] }, // 6
      { 'dotted.key': 'q', tag: true }, // 7
    ];
    await client.upsert('filters', { wait: true, points: payloads.map((payload, i) => ({ id: i + 1, vector: {}, payload })) });
  });
  const found = async (filter: Record<string, unknown>) => {
    const { status, json } = await post('/collections/filters/points/scroll', { filter, limit: 100, with_payload: false });
    expect(status).toBe(200);
    return (json.result as { points: Array<{ id: number }> }).points.map((p) => p.id);
  };

  it('is_empty: missing, null and [] are empty; [null] is not (check_is_empty)', async () => {
    expect(await found({ must: [{ is_empty: { key: 'tag' } }] })).toEqual([2, 3, 5]);
  });

  it('is_null: only a null value; [null] and a missing field are not null (check_is_null looks at the values at the path)', async () => {
    expect(await found({ must: [{ is_null: { key: 'tag' } }] })).toEqual([2]);
  });

  it('match: value compares by type, any matches strings or integers, an array matches by any element', async () => {
    expect(await found({ must: [{ key: 'tag', match: { value: 'a' } }] })).toEqual([1, 6]);
    expect(await found({ must: [{ key: 'tag', match: { value: true } }] })).toEqual([7]);
    expect(await found({ must: [{ key: 'n', match: { value: 1 } }] })).toEqual([1]);
    expect(await found({ must: [{ key: 'tag', match: { any: ['b', 'z'] } }] })).toEqual([6]);
    expect(await found({ must: [{ key: 'list', match: { any: [2] } }] })).toEqual([3]);
    expect(await found({ must: [{ key: 'tag', match: { any: [] } }] })).toEqual([]);
  });

  it('except: a missing field and null fail it, a value of another kind passes', async () => {
    expect(await found({ must: [{ key: 'tag', match: { except: ['a'] } }] })).toEqual([6, 7]);
  });

  it('range on numbers, quoted keys, nested objects, and an empty should that matches nothing', async () => {
    expect(await found({ must: [{ key: 'n', range: { gt: 1 } }] })).toEqual([2]);
    expect(await found({ must: [{ key: '"dotted.key"', match: { value: 'q' } }] })).toEqual([7]);
    expect(await found({ must: [{ nested: { key: 'items', filter: { must: [{ key: 'k', match: { value: 'y' } }, { key: 'v', match: { value: 2 } }] } } }] })).toEqual([6]);
    expect(await found({ must: [{ nested: { key: 'items', filter: { must: [{ key: 'k', match: { value: 'y' } }, { key: 'v', match: { value: 1 } }] } } }] })).toEqual([]);
    expect(await found({ should: [] })).toEqual([]);
    expect(await found({ must_not: [{ has_id: [1, 2, 3] }], min_should: { conditions: [{ is_empty: { key: 'tag' } }, { key: 'tag', match: { value: 'b' } }], min_count: 1 } })).toEqual([5, 6]);
  });
});

describe('the sparse idf modifier (query_context.rs, idf.rs)', () => {
  it('weighs query terms by ln((N − df + 0.5)/(df + 0.5) + 1), over the collection or over a corpus filter', async () => {
    await client.createCollection('idf', { vectors: {}, sparse_vectors: { bm25: { modifier: 'idf' } } });
    // Term 7 is in every point of tenant "a" but only one of tenant "b".
    const points = [
      { id: 1, payload: { tenant: 'a' }, indices: [7] },
      { id: 2, payload: { tenant: 'a' }, indices: [7, 8] },
      { id: 3, payload: { tenant: 'b' }, indices: [7] },
      { id: 4, payload: { tenant: 'b' }, indices: [9] },
      { id: 5, payload: { tenant: 'b' }, indices: [9] },
    ];
    await client.upsert('idf', { wait: true, points: points.map(({ id, payload, indices }) => ({ id, payload, vector: { bm25: { indices, values: indices.map(() => 1) } } })) });
    const idf = (n: number, df: number) => Math.log((n - df + 0.5) / (df + 0.5) + 1);
    const tenantB = { must: [{ key: 'tenant', match: { value: 'b' } }] };
    const global = await client.query('idf', { query: { indices: [7], values: [1] }, using: 'bm25', filter: tenantB });
    expect(global.points[0]!.score).toBeCloseTo(idf(5, 3), 5);
    const scoped = await client.query('idf', { query: { indices: [7], values: [1] }, using: 'bm25', filter: tenantB, params: { idf: { corpus: tenantB } } });
    expect(scoped.points[0]!.score).toBeCloseTo(idf(3, 1), 5);
  });
});

describe('failures for tests', () => {
  it('drops a connection, or leaves a request unanswered, when told to', async () => {
    fake.interruptNext('drop');
    await expect(fetch(`${fake.url}/collections`)).rejects.toThrow();
    fake.interruptNext('hang');
    await expect(fetch(`${fake.url}/collections`, { signal: AbortSignal.timeout(200) })).rejects.toThrow(/timeout|aborted/i);
    expect((await fetch(`${fake.url}/collections`)).status).toBe(200);
  });
});
