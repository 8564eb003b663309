// Turns Sift's metadata filter into a Qdrant filter over chunk or registry payloads.
// Metadata lives under the `metadata` payload object; `source` is a top-level field.
import { ErrorCode, SiftError } from '../../common/errors.js';
import type { MetadataFilter, MetadataValue } from '../vector-store.js';
import type { QdrantCondition, QdrantFilter } from './qdrant-types.js';

// The same keys the embedded store accepts, so a filter means the same in either store.
const FILTER_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
// Qdrant's JSON path reads "." as nesting: a key with any other character is quoted.
const PLAIN_PATH_KEY = /^[A-Za-z0-9_-]+$/;

export function metadataPath(key: string): string {
  return PLAIN_PATH_KEY.test(key) ? `metadata.${key}` : `metadata."${key}"`;
}

function assertFilterKey(key: string): void {
  if (!FILTER_KEY.test(key)) {
    throw new SiftError(ErrorCode.ValidationFailed, `Filter key "${key}" is not allowed: use letters, digits, "_", "-" or "." (at most 64).`);
  }
}

/**
 * One value: strings, booleans and whole numbers match exactly; Qdrant's `match` has no
 * float variant, so a fractional number becomes the closed range [v, v].
 */
function valueCondition(key: string, value: MetadataValue): QdrantCondition {
  if (typeof value === 'number' && !Number.isInteger(value)) return { key, range: { gte: value, lte: value } };
  return { key, match: { value } };
}

function fieldCondition(key: string, expected: MetadataValue | MetadataValue[]): QdrantCondition {
  const values = Array.isArray(expected) ? expected : [expected];
  // An empty any-of matches nothing, as in the embedded store.
  if (values.length === 0) return { has_id: [] };
  if (values.length === 1) return valueCondition(key, values[0]!);
  const exact = values.filter((value) => !(typeof value === 'number' && !Number.isInteger(value)));
  const fractional = values.filter((value) => typeof value === 'number' && !Number.isInteger(value));
  const strings = exact.filter((value): value is string => typeof value === 'string');
  const integers = exact.filter((value): value is number => typeof value === 'number');
  const booleans = exact.filter((value): value is boolean => typeof value === 'boolean');
  const alternatives: QdrantCondition[] = [];
  // `match.any` takes strings or integers (one kind per list); booleans and floats go one by one.
  if (strings.length > 0) alternatives.push({ key, match: { any: strings } });
  if (integers.length > 0) alternatives.push({ key, match: { any: integers } });
  for (const value of [...booleans, ...fractional]) alternatives.push(valueCondition(key, value));
  return alternatives.length === 1 ? alternatives[0]! : { should: alternatives };
}

export function metadataConditions(filter: MetadataFilter | undefined): QdrantCondition[] {
  return Object.entries(filter ?? {}).map(([key, expected]) => {
    assertFilterKey(key);
    return fieldCondition(key === 'source' ? 'source' : metadataPath(key), expected);
  });
}

export function matchValue(key: string, value: string | number | boolean): QdrantCondition {
  return { key, match: { value } };
}

export function allOf(...conditions: QdrantCondition[]): QdrantFilter {
  return { must: conditions };
}
