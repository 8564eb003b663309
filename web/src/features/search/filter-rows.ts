// The metadata filter as rows of key and values. Values are read as JSON scalars where they
// look like one (2024 is a number, true a boolean, "2024" in quotes text), otherwise as text;
// several values separated by commas mean any of them.
import type { MetadataFilter, MetadataValue } from '../../api/types.ts';

export interface FilterRow {
  key: string;
  values: string;
}

function scalar(raw: string): MetadataValue {
  const text = raw.trim();
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^".*"$/.test(text)) return text.slice(1, -1);
  return text;
}

/** The filter the rows describe, or undefined when no row has a key. */
export function filterFrom(rows: FilterRow[]): MetadataFilter | undefined {
  const filter: MetadataFilter = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (!key) continue;
    const values = row.values
      .split(',')
      .filter((part) => part.trim() !== '')
      .map(scalar);
    if (values.length === 0) continue;
    filter[key] = values.length === 1 ? values[0]! : values;
  }
  return Object.keys(filter).length > 0 ? filter : undefined;
}
