// Turns a metadata filter into a SQL condition over the `documents` row aliased `d`.
// Keys are checked again here (not only in the HTTP layer) because they are spliced into
// a JSON path; values always travel as bound parameters.
import { ErrorCode, SiftError } from '../../common/errors.js';
import type { MetadataFilter, MetadataValue } from '../vector-store.js';

const FILTER_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

export interface SqlCondition {
  sql: string;
  params: Array<string | number>;
}

function toSqlValue(value: MetadataValue): string | number {
  // json_extract returns JSON true/false as 1/0.
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

export function metadataFilterSql(filter: MetadataFilter | undefined): SqlCondition {
  const clauses: string[] = [];
  const params: Array<string | number> = [];
  for (const [key, expected] of Object.entries(filter ?? {})) {
    if (!FILTER_KEY.test(key)) {
      throw new SiftError(ErrorCode.ValidationFailed, `Filter key "${key}" is not allowed: use letters, digits, "_", "-" or "." (at most 64).`);
    }
    const column = key === 'source' ? 'd.source' : `json_extract(d.metadata, '$."${key}"')`;
    const values = Array.isArray(expected) ? expected : [expected];
    if (values.length === 0) {
      clauses.push('0');
      continue;
    }
    clauses.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values.map(toSqlValue));
  }
  return { sql: clauses.length > 0 ? clauses.join(' AND ') : '1', params };
}

/** The same filter gives the same key whatever the order of its keys (a cache key). */
export function filterKey(filter: MetadataFilter): string {
  return JSON.stringify(Object.entries(filter).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
