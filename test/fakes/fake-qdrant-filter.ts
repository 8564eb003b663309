// Payload filtering for the fake Qdrant, following Qdrant v1.19.0's own code rather than its
// documentation's prose (files of qdrant/qdrant at 74f3e85, see qdrant-api/SOURCE.md):
//   lib/segment/src/payload_storage/query_checker.rs    must / should / min_should / must_not,
//                                                       field conditions, nested, has_id
//   lib/segment/src/payload_storage/condition_checker.rs match value / any / except / text,
//                                                       range, values_count, is_empty, is_null
//   lib/segment/src/common/utils.rs                     check_is_empty, check_is_null
//   lib/segment/src/json_path/mod.rs                    JSON paths: a.b, "quoted.key", [n], []
// The request's shape has been checked against Qdrant's OpenAPI document before a filter
// gets here; what is left to refuse is what the fake does not implement (geo conditions).
// Payload indexes change speed, not results, except full-text indexes (tokenised matching),
// which Sift does not create; the fake matches text on the raw payload, as Qdrant does for
// a field without an index.

export type PointId = string | number;
export type Payload = Record<string, unknown>;

/** A request Qdrant would refuse (400). */
export class BadRequest extends Error {}

/** What a condition may ask of the point besides its payload. */
export interface PointView {
  id: PointId;
  payload: Payload;
  vectorNames: ReadonlySet<string>;
  /** Inside a nested condition, where Qdrant checks neither ids nor vectors. */
  nested?: boolean;
}

type Json = Record<string, unknown>;
type PathItem = { key: string } | { index: number } | 'wildcard';

const parsedPaths = new Map<string, { first: string; rest: PathItem[] }>();

/** Splits `a.b."c.d"[].e[0]` as json_path/parse.rs does. */
export function parsePath(path: string): { first: string; rest: PathItem[] } {
  const cached = parsedPaths.get(path);
  if (cached) return cached;
  const keys: PathItem[] = [];
  let rest = path;
  let first = true;
  while (rest.length > 0) {
    if (!first) {
      if (rest.startsWith('[]')) {
        keys.push('wildcard');
        rest = rest.slice(2);
        continue;
      }
      const index = /^\[(\d+)\]/.exec(rest);
      if (index) {
        keys.push({ index: Number(index[1]) });
        rest = rest.slice(index[0].length);
        continue;
      }
      if (!rest.startsWith('.')) throw new BadRequest(`Wrong input: Invalid JSON path "${path}"`);
      rest = rest.slice(1);
    }
    first = false;
    const quoted = /^"([^"]*)"/.exec(rest);
    const plain = /^[^.[\]"]+/.exec(rest);
    const match = quoted ?? plain;
    if (!match) throw new BadRequest(`Wrong input: Invalid JSON path "${path}"`);
    keys.push({ key: quoted ? quoted[1]! : match[0] });
    rest = rest.slice(match[0].length);
  }
  const [head, ...tail] = keys;
  if (!head || typeof head !== 'object' || !('key' in head)) throw new BadRequest(`Wrong input: Invalid JSON path "${path}"`);
  const parsed = { first: head.key, rest: tail };
  parsedPaths.set(path, parsed);
  return parsed;
}

/**
 * The values at a path (json_path value_get): objects are walked by key, arrays only by
 * `[n]` or `[]`; an array at the end of the path is one value (conditions look inside it).
 */
export function valuesAt(payload: Payload, path: string): unknown[] {
  const { first, rest } = parsePath(path);
  const out: unknown[] = [];
  const walk = (items: PathItem[], value: unknown): void => {
    if (value === undefined) return;
    const [head, ...tail] = items;
    if (head === undefined) {
      out.push(value);
      return;
    }
    if (head === 'wildcard') {
      if (Array.isArray(value)) for (const element of value) walk(tail, element);
    } else if ('index' in head) {
      if (Array.isArray(value) && head.index < value.length) walk(tail, value[head.index]);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      walk(tail, (value as Json)[head.key]);
    }
  };
  if (Object.hasOwn(payload, first)) walk(rest, payload[first]);
  return out;
}

const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

/** condition_checker.rs `Match::check_match` on one (non-array) value. */
function matchOne(match: Json, value: unknown): boolean {
  if ('value' in match) {
    const expected = match['value'];
    if (typeof expected === 'boolean' || typeof expected === 'string') return value === expected;
    return isInteger(value) && value === expected; // serde's as_i64: a stored 1.5 never equals an integer
  }
  if ('any' in match) {
    const any = match['any'] as unknown[];
    // An empty list deserialises as the string variant; it matches nothing.
    if (typeof value === 'string') return any.length > 0 && typeof any[0] === 'string' && any.includes(value);
    if (isInteger(value)) return any.length > 0 && typeof any[0] === 'number' && any.includes(value);
    return false;
  }
  if ('except' in match) {
    const except = match['except'] as unknown[];
    const strings = except.length === 0 || typeof except[0] === 'string';
    if (typeof value === 'string') return strings ? !except.includes(value) : true;
    if (typeof value === 'number') return !strings && isInteger(value) ? !except.includes(value) : true;
    return value !== null; // bool, nested array, object: "not one of" holds; null does not
  }
  const text = (match['text'] ?? match['phrase']) as string | undefined;
  if (text !== undefined) return typeof value === 'string' && value.includes(text);
  if ('text_any' in match) return typeof value === 'string' && String(match['text_any']).split(/\s+/).filter(Boolean).some((token) => value.includes(token));
  if ('prefix' in match) return typeof value === 'string' && value.startsWith(String(match['prefix']));
  throw new BadRequest(`Format error in JSON body: unknown match ${JSON.stringify(match)}`);
}

function inRange(range: Json, value: unknown): boolean {
  const bounds = ['lt', 'gt', 'gte', 'lte'].map((name) => range[name]);
  // RangeInterface: numbers (Range) or RFC 3339 strings (DatetimeRange).
  const datetime = bounds.some((bound) => typeof bound === 'string');
  let actual: number;
  if (datetime) {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return false;
    actual = Date.parse(value);
  } else {
    if (typeof value !== 'number') return false;
    actual = value;
  }
  const bound = (name: string) => {
    const raw = range[name];
    if (raw === undefined || raw === null) return undefined;
    return datetime ? Date.parse(String(raw)) : (raw as number);
  };
  const [lt, gt, gte, lte] = [bound('lt'), bound('gt'), bound('gte'), bound('lte')];
  return (lt === undefined || actual < lt) && (gt === undefined || actual > gt) && (gte === undefined || actual >= gte) && (lte === undefined || actual <= lte);
}

function countOk(count: Json, n: number): boolean {
  const get = (name: string) => (count[name] === undefined || count[name] === null ? undefined : (count[name] as number));
  const [lt, gt, gte, lte] = [get('lt'), get('gt'), get('gte'), get('lte')];
  return (lt === undefined || n < lt) && (gt === undefined || n > gt) && (gte === undefined || n >= gte) && (lte === undefined || n <= lte);
}

const valueCount = (value: unknown): number => (value === null ? 0 : Array.isArray(value) ? value.length : 1);
const set = (condition: Json, name: string) => condition[name] !== undefined && condition[name] !== null;

/** query_checker.rs `check_field_condition` with condition_checker.rs `FieldCondition` as ValueChecker. */
function fieldCondition(condition: Json, payload: Payload): boolean {
  for (const geo of ['geo_radius', 'geo_bounding_box', 'geo_polygon']) {
    if (set(condition, geo)) throw new Error(`The fake Qdrant does not implement ${geo} conditions.`);
  }
  const values = valuesAt(payload, condition['key'] as string);
  if (values.length === 0) {
    // check_empty: a missing field has zero values, is empty and is not null.
    if (set(condition, 'values_count')) return countOk(condition['values_count'] as Json, 0);
    if (set(condition, 'is_empty')) return condition['is_empty'] === true;
    if (set(condition, 'is_null')) return condition['is_null'] !== true;
    return false;
  }
  const checkMatch = (value: unknown): boolean =>
    (set(condition, 'match') && matchOne(condition['match'] as Json, value)) ||
    (set(condition, 'range') && inRange(condition['range'] as Json, value)) ||
    (set(condition, 'values_count') && countOk(condition['values_count'] as Json, valueCount(value))) ||
    (set(condition, 'is_empty') && isEmptyValue(condition['is_empty'] === true, value)) ||
    (set(condition, 'is_null') && isNullValue(condition['is_null'] === true, value));
  const check = (value: unknown): boolean => {
    if (set(condition, 'values_count')) return countOk(condition['values_count'] as Json, valueCount(value));
    if (set(condition, 'is_empty')) return isEmptyValue(condition['is_empty'] === true, value);
    if (set(condition, 'is_null')) return isNullValue(condition['is_null'] === true, value);
    return Array.isArray(value) ? value.some(checkMatch) : checkMatch(value);
  };
  return values.some(check);
}

function isEmptyValue(isEmpty: boolean, value: unknown): boolean {
  if (value === null) return isEmpty;
  if (Array.isArray(value)) return (value.length === 0) === isEmpty;
  return !isEmpty;
}

function isNullValue(isNull: boolean, value: unknown): boolean {
  if (value === null) return isNull;
  if (Array.isArray(value)) return value.some((element) => element === null) === isNull;
  return !isNull;
}

function sameId(a: unknown, b: PointId): boolean {
  return typeof a === 'number' ? a === b : String(a).replace(/-/g, '').toLowerCase() === String(b).replace(/-/g, '').toLowerCase();
}

function conditionMatches(condition: Json, point: PointView): boolean {
  if ('key' in condition) return fieldCondition(condition, point.payload);
  if ('is_empty' in condition) {
    // utils.rs check_is_empty: every value at the path is null or an empty array (vacuously true when there is none).
    return valuesAt(point.payload, (condition['is_empty'] as Json)['key'] as string).every((value) => value === null || (Array.isArray(value) && value.length === 0));
  }
  if ('is_null' in condition) return valuesAt(point.payload, (condition['is_null'] as Json)['key'] as string).some((value) => value === null);
  if ('has_id' in condition) return !point.nested && (condition['has_id'] as unknown[]).some((id) => sameId(id, point.id));
  if ('has_vector' in condition) return point.vectorNames.has(condition['has_vector'] as string);
  if ('nested' in condition) {
    const nested = condition['nested'] as { key: string; filter: unknown };
    return valuesAt(point.payload, `${nested.key}[]`).some(
      (object) => object !== null && typeof object === 'object' && !Array.isArray(object) && filterMatches(nested.filter, { id: point.id, payload: object as Payload, vectorNames: new Set(), nested: true }),
    );
  }
  if ('slice' in condition) throw new Error('The fake Qdrant does not implement slice conditions.');
  return filterMatches(condition, point);
}

/** One condition or a list (MaybeOneOrMany); null and absent are "no clause". */
function clause(value: unknown): Json[] | null {
  if (value === undefined || value === null) return null;
  return (Array.isArray(value) ? value : [value]) as Json[];
}

/** query_checker.rs `check_filter`. Note that a present but empty `should` matches nothing, as there. */
export function filterMatches(filter: unknown, point: PointView): boolean {
  if (filter === undefined || filter === null) return true;
  const f = filter as Json;
  const should = clause(f['should']);
  if (should && !should.some((c) => conditionMatches(c, point))) return false;
  const minShould = f['min_should'] as { conditions: Json[]; min_count: number } | null | undefined;
  if (minShould && minShould.conditions.filter((c) => conditionMatches(c, point)).length < minShould.min_count) return false;
  const must = clause(f['must']);
  if (must && !must.every((c) => conditionMatches(c, point))) return false;
  const mustNot = clause(f['must_not']);
  if (mustNot && mustNot.some((c) => conditionMatches(c, point))) return false;
  return true;
}
