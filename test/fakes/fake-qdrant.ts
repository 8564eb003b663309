// A small in-memory stand-in for Qdrant's REST API on 127.0.0.1, wire-compatible for the
// endpoints Sift's adapter uses, so that the real @qdrant/js-client-rest drives it. It
// follows Qdrant's semantics where ranking depends on them: cosine on normalised vectors,
// sparse dot product with the `idf` modifier (ln((N − df + 0.5)/(df + 0.5) + 1)), RRF over
// prefetches (k = 2 unless given, weights), payload filters, scroll by point id. It checks
// requests as strictly as the server (unknown vector names, wrong dimensions, duplicate
// sparse indices, malformed filters are 400s). Payload indexes are recorded, not used: they
// change speed, not results. The tenant flag (`is_tenant`) is likewise a no-op.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BadRequest, filterMatches, type Payload, type PointId } from './fake-qdrant-filter.js';

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
  /** Per sparse vector: how many points have it, and per index how many points have that index (Qdrant's idf statistics). */
  sparseStats: Map<string, { n: number; df: Map<number, number> }>;
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
  body: unknown;
}

export interface FakeQdrant {
  url: string;
  /** Every request, in order (for tests that check what went over the wire). */
  requests: RecordedRequest[];
  collections: Map<string, FakeCollection>;
  /**
   * Answers the next `count` requests (of those `when` picks, or any) with this status and
   * message instead of serving them.
   */
  failNext(status: number, message: string, options?: { count?: number; when?: (request: RecordedRequest) => boolean }): void;
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

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const DEFAULT_RRF_K = 2;

function pointId(raw: unknown): PointId {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) return raw;
  if (typeof raw === 'string' && UUID.test(raw)) {
    const hex = raw.replace(/-/g, '').toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  throw new BadRequest(`Format error in JSON body: value ${JSON.stringify(raw)} is not a valid point ID, valid values are either an unsigned integer or a UUID`);
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
  return length === 0 ? vector : vector.map((x) => x / length);
}

function isSparse(value: unknown): value is SparseVector {
  return !!value && typeof value === 'object' && !Array.isArray(value) && 'indices' in value && 'values' in value;
}

function checkSparse(vector: SparseVector): SparseVector {
  if (!Array.isArray(vector.indices) || !Array.isArray(vector.values) || vector.indices.length !== vector.values.length) {
    throw new BadRequest('Validation error in JSON body: [indices: must be the same length as values]');
  }
  if (new Set(vector.indices).size !== vector.indices.length) throw new BadRequest('Validation error in JSON body: [indices: must be unique]');
  for (const index of vector.indices) {
    if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) throw new BadRequest(`Format error in JSON body: sparse index ${index} is not a u32`);
  }
  return { indices: [...vector.indices], values: [...vector.values] };
}

function parseCollectionConfig(body: Record<string, unknown>): CollectionConfig {
  const dense = new Map<string, { size: number; distance: string }>();
  const vectors = body['vectors'];
  if (vectors && typeof vectors === 'object') {
    if ('size' in vectors) throw new BadRequest('The fake serves named vectors only; Sift uses named vectors.');
    for (const [name, params] of Object.entries(vectors as Record<string, { size: number; distance: string }>)) {
      if (!Number.isInteger(params.size) || params.size < 1) throw new BadRequest(`Validation error in JSON body: [vectors.${name}.size: must be >= 1]`);
      if (!['Cosine', 'Dot', 'Euclid', 'Manhattan'].includes(params.distance)) throw new BadRequest(`Format error in JSON body: unknown distance ${params.distance}`);
      dense.set(name, { size: params.size, distance: params.distance });
    }
  }
  const sparse = new Map<string, { modifier: 'none' | 'idf' }>();
  for (const [name, params] of Object.entries((body['sparse_vectors'] ?? {}) as Record<string, { modifier?: string | null }>)) {
    const modifier = params.modifier ?? 'none';
    if (modifier !== 'none' && modifier !== 'idf') throw new BadRequest(`Format error in JSON body: unknown modifier ${modifier}`);
    sparse.set(name, { modifier });
  }
  return { dense, sparse, definition: body };
}

function storePoint(collection: FakeCollection, raw: Record<string, unknown>): FakePoint {
  const id = pointId(raw['id']);
  const vector = raw['vector'] ?? {};
  if (Array.isArray(vector)) throw new BadRequest('Wrong input: Not existing vector name error: (unnamed)');
  const point: FakePoint = { id, dense: new Map(), sparse: new Map(), payload: (raw['payload'] ?? {}) as Payload, version: 0 };
  for (const [name, value] of Object.entries(vector as Record<string, unknown>)) {
    const denseConfig = collection.config.dense.get(name);
    const sparseConfig = collection.config.sparse.get(name);
    if (denseConfig) {
      if (!Array.isArray(value) || value.some((x) => typeof x !== 'number')) throw new BadRequest(`Format error in JSON body: vector "${name}" must be a list of numbers`);
      if (value.length !== denseConfig.size) {
        throw new BadRequest(`Wrong input: Vector dimension error: expected dim: ${denseConfig.size}, got ${value.length}`);
      }
      point.dense.set(name, denseConfig.distance === 'Cosine' ? normalise(value as number[]) : (value as number[]));
    } else if (sparseConfig) {
      if (!isSparse(value)) throw new BadRequest(`Format error in JSON body: vector "${name}" must be a sparse vector`);
      point.sparse.set(name, checkSparse(value));
    } else {
      throw new BadRequest(`Wrong input: Not existing vector name error: ${name}`);
    }
  }
  return point;
}

function countSparse(collection: FakeCollection, point: FakePoint, delta: 1 | -1): void {
  for (const [name, vector] of point.sparse) {
    const stats = collection.sparseStats.get(name)!;
    stats.n += delta;
    for (const index of vector.indices) stats.df.set(index, (stats.df.get(index) ?? 0) + delta);
  }
}

function removePoint(collection: FakeCollection, key: string): void {
  const existing = collection.points.get(key);
  if (!existing) return;
  countSparse(collection, existing, -1);
  collection.points.delete(key);
}

function putPoint(collection: FakeCollection, point: FakePoint): void {
  removePoint(collection, String(point.id));
  collection.points.set(String(point.id), point);
  countSparse(collection, point, 1);
}

function vectorOutput(point: FakePoint, withVector: unknown): Record<string, unknown> | undefined {
  if (!withVector) return undefined;
  const names = Array.isArray(withVector) ? new Set(withVector as string[]) : null;
  const out: Record<string, unknown> = {};
  for (const [name, value] of point.dense) if (!names || names.has(name)) out[name] = value;
  for (const [name, value] of point.sparse) if (!names || names.has(name)) out[name] = value;
  return out;
}

function payloadOutput(point: FakePoint, withPayload: unknown): Payload | undefined {
  if (withPayload === false || withPayload === undefined || withPayload === null) return undefined;
  if (Array.isArray(withPayload)) return Object.fromEntries(Object.entries(point.payload).filter(([key]) => withPayload.includes(key)));
  if (typeof withPayload === 'object') throw new BadRequest('The fake does not serve payload selectors.');
  return structuredClone(point.payload);
}

function record(point: FakePoint, withPayload: unknown, withVector: unknown): Record<string, unknown> {
  const payload = payloadOutput(point, withPayload);
  const vector = vectorOutput(point, withVector);
  return { id: point.id, ...(payload === undefined ? { payload: null } : { payload }), ...(vector === undefined ? { vector: null } : { vector }) };
}

function limitOf(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (!Number.isInteger(value) || (value as number) < 1) throw new BadRequest('Validation error in JSON body: [limit: value 0 invalid, must be 1 or larger]');
  return value as number;
}

class FakeQdrantEngine {
  readonly collections = new Map<string, FakeCollection>();

  collection(name: string): FakeCollection {
    const found = this.collections.get(name);
    if (!found) throw new HttpError(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return found;
  }

  filtered(collection: FakeCollection, filter: unknown): FakePoint[] {
    return [...collection.points.values()].filter((point) => filterMatches(filter, point.payload, point.id)).sort((a, b) => compareIds(a.id, b.id));
  }

  /** One (sub-)query of the Query API, without paging: scored points, best first. */
  query(collection: FakeCollection, request: Record<string, unknown>, inheritedFilter: unknown): ScoredPoint[] {
    const filters = [inheritedFilter, request['filter']].filter((f) => f !== undefined && f !== null);
    const filter = filters.length === 0 ? undefined : { must: filters };
    const limit = limitOf(request['limit'], 10);
    const prefetchRaw = request['prefetch'];
    const prefetches = prefetchRaw === undefined || prefetchRaw === null ? [] : Array.isArray(prefetchRaw) ? prefetchRaw : [prefetchRaw];
    let query = request['query'];
    if (query && typeof query === 'object' && !Array.isArray(query) && 'nearest' in query) query = (query as Record<string, unknown>)['nearest'];

    if (prefetches.length > 0) {
      const lists = prefetches.map((prefetch) => this.query(collection, prefetch as Record<string, unknown>, filter));
      if (query && typeof query === 'object' && ('fusion' in query || 'rrf' in query)) {
        const q = query as { fusion?: string; rrf?: { k?: number | null; weights?: number[] | null } };
        if (q.fusion !== undefined && q.fusion !== 'rrf') throw new BadRequest(`The fake fuses with rrf only, not ${q.fusion}.`);
        return rrf(lists, q.rrf?.k ?? DEFAULT_RRF_K, q.rrf?.weights ?? null).slice(0, limit);
      }
      throw new BadRequest('The fake serves prefetch only with fusion.');
    }
    const candidates = this.filtered(collection, filter);
    if (query === undefined || query === null) return candidates.slice(0, limit).map((point) => ({ point, score: 0 }));

    const using = request['using'] as string | undefined;
    if (Array.isArray(query)) {
      const name = using ?? '';
      const config = collection.config.dense.get(name);
      if (!config) throw new BadRequest(`Wrong input: Not existing vector name error: ${name}`);
      if (query.length !== config.size) throw new BadRequest(`Wrong input: Vector dimension error: expected dim: ${config.size}, got ${query.length}`);
      const vector = config.distance === 'Cosine' ? normalise(query as number[]) : (query as number[]);
      return rank(
        candidates.flatMap((point) => {
          const stored = point.dense.get(name);
          return stored ? [{ point, score: stored.reduce((sum, x, i) => sum + x * vector[i]!, 0) }] : [];
        }),
      ).slice(0, limit);
    }
    if (isSparse(query)) {
      const name = using ?? '';
      const config = collection.config.sparse.get(name);
      if (!config) throw new BadRequest(`Wrong input: Not existing vector name error: ${name}`);
      const sparse = checkSparse(query);
      const weights = new Map(sparse.indices.map((index, i) => [index, sparse.values[i]!]));
      if (config.modifier === 'idf') {
        const stats = collection.sparseStats.get(name)!;
        for (const index of weights.keys()) {
          const df = stats.df.get(index) ?? 0;
          weights.set(index, weights.get(index)! * Math.log((stats.n - df + 0.5) / (df + 0.5) + 1));
        }
      }
      return rank(
        candidates.flatMap((point) => {
          const stored = point.sparse.get(name);
          if (!stored) return [];
          let score = 0;
          let overlap = false;
          stored.indices.forEach((index, i) => {
            const weight = weights.get(index);
            if (weight === undefined) return;
            overlap = true;
            score += weight * stored.values[i]!;
          });
          return overlap ? [{ point, score }] : [];
        }),
      ).slice(0, limit);
    }
    throw new BadRequest(`The fake does not serve this query: ${JSON.stringify(query).slice(0, 100)}`);
  }
}

function rank(scored: ScoredPoint[]): ScoredPoint[] {
  return scored.sort((a, b) => b.score - a.score || compareIds(a.point.id, b.point.id));
}

/** Qdrant's RRF: a point at 0-based position p in a list adds 1 / ((p + 1) / weight + k − 1). */
function rrf(lists: ScoredPoint[][], k: number, weights: number[] | null): ScoredPoint[] {
  if (weights && weights.length !== lists.length) {
    throw new BadRequest(`Wrong input: Number of weights in RRF should match number of pre-fetches: got ${weights.length}, expected ${lists.length}`);
  }
  const fused = new Map<string, ScoredPoint>();
  lists.forEach((list, listIndex) => {
    const weight = weights?.[listIndex] ?? 1;
    list.forEach(({ point }, position) => {
      const contribution = weight <= 0 ? 0 : 1 / ((position + 1) / weight + k - 1);
      const key = String(point.id);
      const entry = fused.get(key);
      if (entry) entry.score += contribution;
      else fused.set(key, { point, score: contribution });
    });
  });
  return rank([...fused.values()]);
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequest('Format error in JSON body: malformed JSON');
  }
}

export async function startFakeQdrant(options: { apiKey?: string } = {}): Promise<FakeQdrant> {
  const engine = new FakeQdrantEngine();
  const requests: RecordedRequest[] = [];
  const failures: Array<{ status: number; message: string; when: (request: RecordedRequest) => boolean }> = [];

  const updateResult = (collection: FakeCollection) => ({ operation_id: ++collection.operations, status: 'completed' });

  async function route(method: string, path: string, body: Record<string, unknown>): Promise<unknown> {
    if (method === 'GET' && path === '/') return { title: 'qdrant - vector search engine (Sift test fake)', version: '1.19.0' };
    if (method === 'GET' && path === '/collections') return { collections: [...engine.collections.keys()].map((name) => ({ name })) };
    const match = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
    if (!match) throw new HttpError(404, `Not found: ${method} ${path}`);
    const name = decodeURIComponent(match[1]!);
    const rest = match[2] ?? '';

    switch (`${method} ${rest}`) {
      case 'GET /exists':
        return { exists: engine.collections.has(name) };
      case 'GET ': {
        const collection = engine.collection(name);
        return { status: 'green', points_count: collection.points.size, config: collection.config.definition };
      }
      case 'PUT ': {
        if (engine.collections.has(name)) throw new HttpError(409, `Wrong input: Collection \`${name}\` already exists!`);
        const config = parseCollectionConfig(body);
        const sparseStats = new Map([...config.sparse.keys()].map((vector) => [vector, { n: 0, df: new Map<number, number>() }]));
        engine.collections.set(name, { config, points: new Map(), sparseStats, indexes: new Map(), operations: 0 });
        return true;
      }
      case 'DELETE ':
        return engine.collections.delete(name);
      case 'PUT /index': {
        const collection = engine.collection(name);
        if (typeof body['field_name'] !== 'string') throw new BadRequest('Format error in JSON body: missing field `field_name`');
        collection.indexes.set(body['field_name'], body['field_schema']);
        return updateResult(collection);
      }
      case 'PUT /points': {
        const collection = engine.collection(name);
        const raw = body['points'];
        if (!Array.isArray(raw)) throw new BadRequest('The fake takes the list form of upsert ({points: [...]}).');
        // Validate every point before applying any, as Qdrant does for one request.
        const points = raw.map((point) => storePoint(collection, point as Record<string, unknown>));
        const result = updateResult(collection);
        for (const point of points) putPoint(collection, { ...point, version: result.operation_id });
        return result;
      }
      case 'POST /points': {
        const collection = engine.collection(name);
        const ids = (body['ids'] as unknown[] | undefined) ?? [];
        return ids.flatMap((raw) => {
          const point = collection.points.get(String(pointId(raw)));
          return point ? [record(point, body['with_payload'] ?? true, body['with_vector'] ?? false)] : [];
        });
      }
      case 'POST /points/delete': {
        const collection = engine.collection(name);
        if (Array.isArray(body['points'])) {
          for (const raw of body['points']) removePoint(collection, String(pointId(raw)));
        } else if (body['filter'] !== undefined) {
          for (const point of engine.filtered(collection, body['filter'])) removePoint(collection, String(point.id));
        } else {
          throw new BadRequest('Format error in JSON body: expected `points` or `filter`');
        }
        return updateResult(collection);
      }
      case 'POST /points/scroll': {
        const collection = engine.collection(name);
        const limit = limitOf(body['limit'], 10);
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
      case 'POST /points/count': {
        const collection = engine.collection(name);
        return { count: engine.filtered(collection, body['filter']).length };
      }
      case 'POST /points/query': {
        const collection = engine.collection(name);
        const offset = (body['offset'] as number | undefined) ?? 0;
        const limit = limitOf(body['limit'], 10);
        const scored = engine.query(collection, { ...body, limit: limit + offset }, undefined).slice(offset, offset + limit);
        return {
          points: scored.map(({ point, score }) => ({
            ...record(point, body['with_payload'] ?? false, body['with_vector'] ?? false),
            version: point.version,
            score,
          })),
        };
      }
      default:
        throw new HttpError(404, `Not found: the fake does not serve ${method} /collections/{name}${rest}`);
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(request.url ?? '/', 'http://fake');
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(payload));
    };
    try {
      const body = await readBody(request);
      const recorded: RecordedRequest = { method: request.method ?? 'GET', path: url.pathname, body };
      requests.push(recorded);
      if (options.apiKey && request.headers['api-key'] !== options.apiKey) {
        throw new HttpError(401, 'Must provide an API key or an Authorization bearer token');
      }
      const failureIndex = failures.findIndex((failure) => failure.when(recorded));
      if (failureIndex >= 0) {
        const [failure] = failures.splice(failureIndex, 1);
        throw new HttpError(failure!.status, failure!.message);
      }
      const result = await route(request.method ?? 'GET', url.pathname, (body ?? {}) as Record<string, unknown>);
      if (url.pathname === '/') send(200, result);
      else send(200, { result, status: 'ok', time: (performance.now() - started) / 1000 });
    } catch (error) {
      const status = error instanceof HttpError ? error.status : error instanceof BadRequest ? 400 : 500;
      send(status, { status: { error: error instanceof Error ? error.message : String(error) }, time: (performance.now() - started) / 1000 });
    }
  }

  const server: Server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    collections: engine.collections,
    failNext(status, message, { count = 1, when = () => true } = {}) {
      for (let i = 0; i < count; i += 1) failures.push({ status, message, when });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
