// Payload filtering as Qdrant does it, for the fake server: JSON paths with quoted keys,
// must / should / must_not / min_should, match (value, any, except), range, has_id,
// is_empty, is_null and nested filters. A condition the fake does not know is refused,
// as the real server refuses malformed ones, so that an adapter bug cannot pass silently.

export type PointId = string | number;
export type Payload = Record<string, unknown>;

export class BadRequest extends Error {}

const parsedPaths = new Map<string, Array<string | number | '[]'>>();

/** Splits `a.b."c.d"[].e` into keys; `[]` and `[n]` walk arrays. */
export function parsePath(path: string): Array<string | number | '[]'> {
  const cached = parsedPaths.get(path);
  if (cached) return cached;
  const parts: Array<string | number | '[]'> = [];
  let rest = path;
  let first = true;
  while (rest.length > 0) {
    if (!first) {
      if (rest.startsWith('[]')) {
        parts.push('[]');
        rest = rest.slice(2);
        continue;
      }
      const index = /^\[(\d+)\]/.exec(rest);
      if (index) {
        parts.push(Number(index[1]));
        rest = rest.slice(index[0].length);
        continue;
      }
      if (!rest.startsWith('.')) throw new BadRequest(`Wrong input: invalid JSON path "${path}"`);
      rest = rest.slice(1);
    }
    first = false;
    const quoted = /^"([^"\\]*)"/.exec(rest);
    const raw = /^[\p{L}\p{N}_-]+/u.exec(rest);
    const match = quoted ?? raw;
    if (!match) throw new BadRequest(`Wrong input: invalid JSON path "${path}"`);
    parts.push(quoted ? quoted[1]! : match[0]);
    rest = rest.slice(match[0].length);
  }
  if (parts.length === 0) throw new BadRequest('Wrong input: empty JSON path');
  parsedPaths.set(path, parts);
  return parts;
}

/** Every value at the path; arrays at the end are flattened, as Qdrant matches any element. */
export function valuesAt(payload: Payload, path: string): unknown[] {
  let current: unknown[] = [payload];
  for (const part of parsePath(path)) {
    const next: unknown[] = [];
    for (const value of current) {
      if (part === '[]') {
        if (Array.isArray(value)) next.push(...(value as unknown[]));
      } else if (typeof part === 'number') {
        if (Array.isArray(value) && part < value.length) next.push(value[part]);
      } else if (value && typeof value === 'object' && !Array.isArray(value) && part in value) {
        next.push((value as Payload)[part]);
      }
    }
    current = next;
  }
  return current.flatMap((value) => (Array.isArray(value) ? (value as unknown[]) : [value]));
}

type Json = Record<string, unknown>;

function asConditions(value: unknown): Json[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) if (!item || typeof item !== 'object') throw new BadRequest('Format error in JSON body: condition must be an object');
  return list as Json[];
}

function sameScalar(actual: unknown, expected: unknown): boolean {
  // Qdrant compares keyword, integer and bool values strictly by type.
  return typeof actual === typeof expected && actual === expected;
}

function matches(condition: Json, payload: Payload, id: PointId): boolean {
  if ('must' in condition || 'should' in condition || 'must_not' in condition || 'min_should' in condition) {
    return filterMatches(condition, payload, id);
  }
  if ('has_id' in condition) {
    const ids = condition['has_id'];
    if (!Array.isArray(ids)) throw new BadRequest('Format error in JSON body: has_id must be a list');
    return ids.some((candidate) => String(candidate).toLowerCase() === String(id));
  }
  if ('is_empty' in condition && typeof condition['is_empty'] === 'object') {
    const key = (condition['is_empty'] as Json)['key'] as string;
    return valuesAt(payload, key).filter((v) => v !== null).length === 0;
  }
  if ('is_null' in condition && typeof condition['is_null'] === 'object') {
    const key = (condition['is_null'] as Json)['key'] as string;
    return valuesAt(payload, key).some((v) => v === null);
  }
  const key = condition['key'];
  if (typeof key !== 'string') throw new BadRequest(`Format error in JSON body: unknown condition ${JSON.stringify(condition)}`);
  const values = valuesAt(payload, key);
  if (condition['match'] !== undefined) {
    const match = condition['match'] as Json;
    if ('value' in match) return values.some((value) => sameScalar(value, match['value']));
    if ('any' in match) {
      const any = match['any'];
      if (!Array.isArray(any)) throw new BadRequest('Format error in JSON body: match.any must be a list');
      if (any.some((v) => typeof v !== typeof any[0] || (typeof v !== 'string' && !Number.isInteger(v)))) {
        throw new BadRequest('Format error in JSON body: match.any takes strings or integers, one kind per list');
      }
      return values.some((value) => any.some((candidate) => sameScalar(value, candidate)));
    }
    if ('except' in match) {
      const except = match['except'] as unknown[];
      return values.length > 0 && values.every((value) => !except.some((candidate) => sameScalar(value, candidate)));
    }
    throw new BadRequest(`Format error in JSON body: unsupported match ${JSON.stringify(match)}`);
  }
  if (condition['range'] !== undefined) {
    const range = condition['range'] as { gt?: number; gte?: number; lt?: number; lte?: number };
    return values.some(
      (value) =>
        typeof value === 'number' &&
        (range.gt === undefined || value > range.gt) &&
        (range.gte === undefined || value >= range.gte) &&
        (range.lt === undefined || value < range.lt) &&
        (range.lte === undefined || value <= range.lte),
    );
  }
  if (condition['is_empty'] === true) return values.length === 0;
  if (condition['is_null'] === true) return values.some((v) => v === null);
  throw new BadRequest(`Format error in JSON body: unsupported condition on "${key}"`);
}

export function filterMatches(filter: unknown, payload: Payload, id: PointId): boolean {
  if (filter === undefined || filter === null) return true;
  if (typeof filter !== 'object') throw new BadRequest('Format error in JSON body: filter must be an object');
  const known = new Set(['must', 'should', 'must_not', 'min_should']);
  for (const key of Object.keys(filter)) {
    if (!known.has(key)) throw new BadRequest(`Format error in JSON body: unknown field \`${key}\` in filter`);
  }
  const f = filter as Json;
  const must = asConditions(f['must']);
  const should = asConditions(f['should']);
  const mustNot = asConditions(f['must_not']);
  if (!must.every((c) => matches(c, payload, id))) return false;
  if (mustNot.some((c) => matches(c, payload, id))) return false;
  if (should.length > 0 && !should.some((c) => matches(c, payload, id))) return false;
  const minShould = f['min_should'] as { conditions: unknown; min_count: number } | undefined | null;
  if (minShould) {
    const hits = asConditions(minShould.conditions).filter((c) => matches(c, payload, id)).length;
    if (hits < minShould.min_count) return false;
  }
  return true;
}
