// A small in-memory stand-in for Qdrant's REST API on 127.0.0.1, for the endpoints Sift's
// adapter uses, so that the real @qdrant/js-client-rest drives it. It follows Qdrant
// v1.19.0's own source and API definition (qdrant/qdrant at commit 74f3e85, "Bump version to
// 1.19.0"; see test/fakes/qdrant-api/SOURCE.md), not guesses:
//   docs/redoc/master/openapi.json  the API definition, copied to qdrant-api/openapi.json:
//       every request is routed and checked against it (qdrant-openapi.ts, Ajv) and every
//       answer the fake gives is checked against the declared 200 response
//   lib/segment/src/common/reciprocal_rank_fusion.rs  RRF: DEFAULT_RRF_K = 2; a point at
//       0-based position p of a prefetch adds 1 / ((p + 1) / weight + k − 1) (f32), weight ≤ 0
//       adds nothing, the number of weights must equal the number of prefetches
//   lib/segment/src/data_types/query_context.rs  the sparse `idf` modifier: each query weight
//       times ln((N − df + 0.5) / (df + 0.5) + 1), N the number of vectors, df of the term
//   lib/segment/src/index/sparse_index/sparse_vector_index/read_view/idf.rs  IDF statistics
//       over the whole collection, or over `params.idf.corpus` (the points a filter keeps)
//   lib/shard/src/query/planned_query.rs  the root filter is propagated into every prefetch
//   lib/segment/src/payload_storage/{query_checker,condition_checker}.rs  payload filters,
//       is_empty / is_null / match any / except (fake-qdrant-filter.ts)
// Dense scores are exact (Qdrant's HNSW is approximate; on a small collection it searches
// exactly). Payload indexes and `is_tenant` are recorded, not used: they change speed, not
// results. Ties keep point-id order; Qdrant leaves them unordered.
//
// Failures for tests: `failNext` answers with an HTTP status; `interruptNext('drop')` closes
// the connection without an answer (Qdrant going away mid-request), `interruptNext('hang')`
// never answers (a timeout).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BadRequest, filterMatches, type Payload, type PointId } from './fake-qdrant-filter.js';
import { QdrantApiError, qdrantApiDefinition } from './qdrant-openapi.js';

interface SparseVector {
  indices: number[];
  values: number[];
}

interface CollectionConfig {
  dense: Map<string, { size: number; distance: string }>;
  sparse: Map<string, { modifier: 'none' | 'idf' }>;
  definition: Record<string, unknown>;
}

interface FakePoint {
  id: PointId;
  dense: Map<string, number[]>;
  sparse: Map<string, SparseVector>;
  payload: Payload;
  version: number;
}

interface FakeCollection {
  config: CollectionConfig;
  points: Map<string, FakePoint>;
  indexes: Map<string, unknown>;
  operations: number;
}

interface ScoredPoint {
  point: FakePoint;
  score: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Qdrant's name for the operation (`query_points`, `upsert_points`, …), when the route exists. */
  operationId?: string;
  body: unknown;
}

type RequestFilter = (request: RecordedRequest) => boolean;

export interface FakeQdrant {
  url: string;
  port: number;
  /** Every request, in order (for tests that check what went over the wire). */
  requests: RecordedRequest[];
  collections: Map<string, FakeCollection>;
  /** Answers the next `count` requests (of those `when` picks, or any) with this status and message instead of serving them. */
  failNext(status: number, message: string, options?: { count?: number; when?: RequestFilter }): void;
  /** `drop`: closes the connection without answering; `hang`: never answers (until `close`). */
  interruptNext(kind: 'drop' | 'hang', options?: { count?: number; when?: RequestFilter }): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const QDRANT_VERSION = '1.19.0';
const DEFAULT_RRF_K = 2;
const f32 = Math.fround;

/** Point ids as Qdrant prints them: integers, or UUIDs in lower-case hyphenated form. */
function pointId(raw: unknown): PointId {
  if (typeof raw === 'number') return raw;
  const hex = String(raw).replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Qdrant orders integer ids before UUIDs, and UUIDs by their 128-bit value. */
function compareIds(a: PointId, b: PointId): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function normalise(vector: number[]): number[] {
  const length = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return length === 0 ? vector : vector.map((x) => f32(x / length));
}

function isSparse(value: unknown): value is SparseVector {
  return !!value && typeof value === 'object' && !Array.isArray(value) && 'indices' in value && 'values' in value;
}

/** What the schema cannot say about a sparse vector (lib/sparse validation). */
function checkSparse(vector: SparseVector): SparseVector {
  if (vector.indices.length !== vector.values.length) throw new BadRequest('Validation error in JSON body: [indices: must be the same length as values]');
  if (new Set(vector.indices).size !== vector.indices.length) throw new BadRequest('Validation error in JSON body: [indices: must be unique]');
  return vector;
}

function parseCollectionConfig(body: Record<string, unknown>): CollectionConfig {
  const dense = new Map<string, { size: number; distance: string }>();
  const vectors = body['vectors'];
  if (vectors && typeof vectors === 'object') {
    if ('size' in vectors) throw new Error('The fake Qdrant serves named vectors only (Sift uses named vectors).');
    for (const [name, params] of Object.entries(vectors as Record<string, { size: number; distance: string }>)) dense.set(name, { size: params.size, distance: params.distance });
  }
  const sparse = new Map<string, { modifier: 'none' | 'idf' }>();
  for (const [name, params] of Object.entries((body['sparse_vectors'] ?? {}) as Record<string, { modifier?: 'none' | 'idf' | null }>)) {
    sparse.set(name, { modifier: params.modifier ?? 'none' });
  }
  return { dense, sparse, definition: body };
}

function storePoint(collection: FakeCollection, raw: Record<string, unknown>): FakePoint {
  const vector = raw['vector'] ?? {};
  if (Array.isArray(vector)) throw new BadRequest('Wrong input: Not existing vector name error: ');
  const point: FakePoint = { id: pointId(raw['id']), dense: new Map(), sparse: new Map(), payload: (raw['payload'] ?? {}) as Payload, version: 0 };
  for (const [name, value] of Object.entries(vector as Record<string, unknown>)) {
    const denseConfig = collection.config.dense.get(name);
    const sparseConfig = collection.config.sparse.get(name);
    if (denseConfig) {
      if (!Array.isArray(value) || value.some((x) => typeof x !== 'number')) throw new BadRequest(`Wrong input: Conversion between multi and regular vectors failed for "${name}"`);
      if (value.length !== denseConfig.size) throw new BadRequest(`Wrong input: Vector dimension error: expected dim: ${denseConfig.size}, got ${value.length}`);
      point.dense.set(name, denseConfig.distance === 'Cosine' ? normalise(value as number[]) : (value as number[]));
    } else if (sparseConfig) {
      if (!isSparse(value)) throw new BadRequest(`Wrong input: Conversion between sparse and regular vectors failed for "${name}"`);
      point.sparse.set(name, checkSparse(value));
    } else {
      throw new BadRequest(`Wrong input: Not existing vector name error: ${name}`);
    }
  }
  return point;
}

function vectorOutput(point: FakePoint, withVector: unknown): Record<string, unknown> | null {
  if (!withVector) return null;
  const names = Array.isArray(withVector) ? new Set(withVector as string[]) : null;
  const out: Record<string, unknown> = {};
  for (const [name, value] of point.dense) if (!names || names.has(name)) out[name] = value;
  for (const [name, value] of point.sparse) if (!names || names.has(name)) out[name] = value;
  return out;
}

function payloadOutput(point: FakePoint, withPayload: unknown): Payload | null {
  if (withPayload === false || withPayload === undefined || withPayload === null) return null;
  if (Array.isArray(withPayload)) return Object.fromEntries(Object.entries(point.payload).filter(([key]) => withPayload.includes(key)));
  if (typeof withPayload === 'object') throw new Error('The fake Qdrant does not implement payload selectors (include / exclude).');
  return structuredClone(point.payload);
}

function record(point: FakePoint, withPayload: unknown, withVector: unknown): Record<string, unknown> {
  return { id: point.id, payload: payloadOutput(point, withPayload), vector: vectorOutput(point, withVector) };
}

const view = (point: FakePoint) => ({ id: point.id, payload: point.payload, vectorNames: new Set([...point.dense.keys(), ...point.sparse.keys()]) });

function rank(scored: ScoredPoint[]): ScoredPoint[] {
  return scored.sort((a, b) => b.score - a.score || compareIds(a.point.id, b.point.id));
}

/** reciprocal_rank_fusion.rs `rrf_scoring` with `position_score`, in f32 as there. */
export function reciprocalRankFusion(lists: ScoredPoint[][], k: number, weights: number[] | null): ScoredPoint[] {
  if (weights && weights.length !== lists.length) {
    throw new BadRequest(`Validation error: Number of weights in RRF should match number of pre-fetches: got ${weights.length}, expected ${lists.length}`);
  }
  const fused = new Map<string, ScoredPoint>();
  lists.forEach((list, listIndex) => {
    const weight = f32(weights?.[listIndex] ?? 1);
    list.forEach(({ point }, position) => {
      const contribution = weight <= 0 ? 0 : f32(1 / f32(f32(f32(position + 1) / weight) + f32(k) - 1));
      const key = String(point.id);
      const entry = fused.get(key);
      if (entry) entry.score = f32(entry.score + contribution);
      else fused.set(key, { point, score: contribution });
    });
  });
  return rank([...fused.values()]);
}

class FakeQdrantEngine {
  readonly collections = new Map<string, FakeCollection>();

  collection(name: string): FakeCollection {
    const found = this.collections.get(name);
    if (!found) throw new HttpError(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return found;
  }

  filtered(collection: FakeCollection, filter: unknown): FakePoint[] {
    return [...collection.points.values()].filter((point) => filterMatches(filter, view(point))).sort((a, b) => compareIds(a.id, b.id));
  }

  /** One (sub-)query of the Query API, without paging: scored points, best first. */
  query(collection: FakeCollection, request: Record<string, unknown>, inheritedFilter: unknown): ScoredPoint[] {
    const filters = [inheritedFilter, request['filter']].filter((f) => f !== undefined && f !== null);
    const filter = filters.length === 0 ? undefined : { must: filters };
    const limit = (request['limit'] as number | null | undefined) ?? 10;
    const prefetchRaw = request['prefetch'];
    const prefetches = prefetchRaw === undefined || prefetchRaw === null ? [] : Array.isArray(prefetchRaw) ? prefetchRaw : [prefetchRaw];
    let query = request['query'] as unknown;
    if (query && typeof query === 'object' && !Array.isArray(query) && 'nearest' in query) query = (query as Record<string, unknown>)['nearest'];

    if (prefetches.length > 0) {
      const lists = prefetches.map((prefetch) => this.query(collection, prefetch as Record<string, unknown>, filter));
      if (query && typeof query === 'object' && ('fusion' in query || 'rrf' in query)) {
        const q = query as { fusion?: string; rrf?: { k?: number | null; weights?: number[] | null } };
        if (q.fusion === 'dbsf') throw new Error('The fake Qdrant does not implement DBSF fusion.');
        return reciprocalRankFusion(lists, q.rrf?.k ?? DEFAULT_RRF_K, q.rrf?.weights ?? null).slice(0, limit);
      }
      throw new Error('The fake Qdrant serves prefetch only with fusion.');
    }
    const candidates = this.filtered(collection, filter);
    if (query === undefined || query === null) return candidates.slice(0, limit).map((point) => ({ point, score: 0 }));

    const using = (request['using'] as string | null | undefined) ?? '';
    if (Array.isArray(query)) {
      const config = collection.config.dense.get(using);
      if (!config) throw new BadRequest(`Wrong input: Not existing vector name error: ${using}`);
      if (query.length !== config.size) throw new BadRequest(`Wrong input: Vector dimension error: expected dim: ${config.size}, got ${query.length}`);
      const vector = config.distance === 'Cosine' ? normalise(query as number[]) : (query as number[]);
      return rank(
        candidates.flatMap((point) => {
          const stored = point.dense.get(using);
          return stored ? [{ point, score: f32(stored.reduce((sum, x, i) => sum + x * vector[i]!, 0)) }] : [];
        }),
      ).slice(0, limit);
    }
    if (isSparse(query)) {
      const config = collection.config.sparse.get(using);
      if (!config) throw new BadRequest(`Wrong input: Not existing vector name error: ${using}`);
      const sparse = checkSparse(query);
      const weights = new Map(sparse.indices.map((index, i) => [index, sparse.values[i]!]));
      if (config.modifier === 'idf') {
        const corpus = ((request['params'] as Record<string, unknown> | null | undefined)?.['idf'] as { corpus?: unknown } | string | null | undefined) ?? 'global';
        const population = typeof corpus === 'object' && corpus.corpus !== undefined ? this.filtered(collection, corpus.corpus) : [...collection.points.values()];
        const withVector = population.filter((point) => point.sparse.has(using));
        const n = withVector.length;
        for (const index of weights.keys()) {
          const df = withVector.filter((point) => point.sparse.get(using)!.indices.includes(index)).length;
          weights.set(index, f32(weights.get(index)! * Math.log((n - df + 0.5) / (df + 0.5) + 1)));
        }
      }
      return rank(
        candidates.flatMap((point) => {
          const stored = point.sparse.get(using);
          if (!stored) return [];
          let score = 0;
          let overlap = false;
          stored.indices.forEach((index, i) => {
            const weight = weights.get(index);
            if (weight === undefined) return;
            overlap = true;
            score += weight * stored.values[i]!;
          });
          return overlap ? [{ point, score: f32(score) }] : [];
        }),
      ).slice(0, limit);
    }
    throw new Error(`The fake Qdrant does not implement this query: ${JSON.stringify(query).slice(0, 100)}`);
  }
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BadRequest(`Format error in JSON body: ${(error as Error).message}`);
  }
}

export async function startFakeQdrant(options: { apiKey?: string; port?: number } = {}): Promise<FakeQdrant> {
  const api = qdrantApiDefinition();
  const engine = new FakeQdrantEngine();
  const requests: RecordedRequest[] = [];
  const failures: Array<{ status: number; message: string; when: RequestFilter } | { interrupt: 'drop' | 'hang'; when: RequestFilter }> = [];
  const hanging = new Set<ServerResponse>();

  const updateResult = (collection: FakeCollection) => ({ operation_id: ++collection.operations, status: 'completed' });

  async function serve(operationId: string, name: string, body: Record<string, unknown>): Promise<unknown> {
    switch (operationId) {
      case 'root':
        return { title: 'qdrant - vector search engine (Sift test fake)', version: QDRANT_VERSION };
      case 'get_collections':
        return { collections: [...engine.collections.keys()].map((collection) => ({ name: collection })) };
      case 'collection_exists':
        return { exists: engine.collections.has(name) };
      case 'create_collection': {
        if (engine.collections.has(name)) throw new HttpError(409, `Wrong input: Collection \`${name}\` already exists!`);
        engine.collections.set(name, { config: parseCollectionConfig(body), points: new Map(), indexes: new Map(), operations: 0 });
        return true;
      }
      case 'delete_collection':
        return engine.collections.delete(name);
      case 'create_field_index': {
        const collection = engine.collection(name);
        collection.indexes.set(body['field_name'] as string, body['field_schema']);
        return updateResult(collection);
      }
      case 'upsert_points': {
        const collection = engine.collection(name);
        if (!Array.isArray(body['points'])) throw new Error('The fake Qdrant takes the list form of upsert ({points: [...]}).');
        // Every point is checked before any is applied, as Qdrant does for one request.
        const points = (body['points'] as Record<string, unknown>[]).map((point) => storePoint(collection, point));
        const result = updateResult(collection);
        for (const point of points) collection.points.set(String(point.id), { ...point, version: result.operation_id });
        return result;
      }
      case 'get_points': {
        const collection = engine.collection(name);
        return (body['ids'] as unknown[]).flatMap((raw) => {
          const point = collection.points.get(String(pointId(raw)));
          return point ? [record(point, body['with_payload'] ?? true, body['with_vector'] ?? false)] : [];
        });
      }
      case 'delete_points': {
        const collection = engine.collection(name);
        if (Array.isArray(body['points'])) {
          for (const raw of body['points']) collection.points.delete(String(pointId(raw)));
        } else {
          for (const point of engine.filtered(collection, body['filter'])) collection.points.delete(String(point.id));
        }
        return updateResult(collection);
      }
      case 'scroll_points': {
        const collection = engine.collection(name);
        const limit = (body['limit'] as number | null | undefined) ?? 10;
        let points = engine.filtered(collection, body['filter']);
        if (body['offset'] !== undefined && body['offset'] !== null) {
          const offset = pointId(body['offset']);
          points = points.filter((point) => compareIds(point.id, offset) >= 0);
        }
        return {
          points: points.slice(0, limit).map((point) => record(point, body['with_payload'] ?? true, body['with_vector'] ?? false)),
          next_page_offset: points[limit]?.id ?? null,
        };
      }
      case 'count_points':
        return { count: engine.filtered(engine.collection(name), body['filter']).length };
      case 'query_points': {
        const collection = engine.collection(name);
        const offset = (body['offset'] as number | null | undefined) ?? 0;
        const limit = (body['limit'] as number | null | undefined) ?? 10;
        const scored = engine.query(collection, { ...body, limit: limit + offset }, undefined).slice(offset, offset + limit);
        return {
          points: scored.map(({ point, score }) => ({ ...record(point, body['with_payload'] ?? false, body['with_vector'] ?? false), version: point.version, score })),
        };
      }
      default:
        throw new Error(`The fake Qdrant does not implement ${operationId}.`);
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(request.url ?? '/', 'http://fake');
    const method = request.method ?? 'GET';
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(payload));
    };
    const time = () => (performance.now() - started) / 1000;
    try {
      const recorded: RecordedRequest = { method, path: url.pathname, body: undefined };
      requests.push(recorded);
      recorded.body = await readBody(request);
      if (options.apiKey && request.headers['api-key'] !== options.apiKey) throw new HttpError(401, 'Must provide an API key or an Authorization bearer token');
      const matched = api.checkRequest(method, url.pathname, url.searchParams, recorded.body);
      recorded.operationId = matched.operationId;
      const failureIndex = failures.findIndex((failure) => failure.when(recorded));
      if (failureIndex >= 0) {
        const [failure] = failures.splice(failureIndex, 1);
        if ('interrupt' in failure!) {
          if (failure.interrupt === 'drop') request.socket.destroy();
          else hanging.add(response);
          return;
        }
        throw new HttpError(failure!.status, failure!.message);
      }
      const result = await serve(matched.operationId, matched.params['collection_name'] ?? '', (recorded.body ?? {}) as Record<string, unknown>);
      const answer = matched.operationId === 'root' ? result : { result, status: 'ok', time: time() };
      api.checkResponse(matched.operationId, answer);
      send(200, answer);
    } catch (error) {
      const status = error instanceof HttpError || error instanceof QdrantApiError ? error.status : error instanceof BadRequest ? 400 : 500;
      send(status, { status: { error: error instanceof Error ? error.message : String(error) }, time: time() });
    }
  }

  const server: Server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    collections: engine.collections,
    failNext(status, message, { count = 1, when = () => true } = {}) {
      for (let i = 0; i < count; i += 1) failures.push({ status, message, when });
    },
    interruptNext(kind, { count = 1, when = () => true } = {}) {
      for (let i = 0; i < count; i += 1) failures.push({ interrupt: kind, when });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const response of hanging) response.socket?.destroy();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
