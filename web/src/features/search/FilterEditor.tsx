// Rows of metadata conditions (key = value, or any of several values) for search and ask.
import type { FilterRow } from './filter-rows.ts';

export function FilterEditor({ rows, onChange }: { rows: FilterRow[]; onChange(rows: FilterRow[]): void }) {
  const set = (index: number, change: Partial<FilterRow>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <fieldset class="filters">
      <legend>Metadata filters</legend>
      {rows.map((row, index) => (
        <div class="form-row" key={index}>
          <label class="field inline">
            <span>Key</span>
            <input value={row.key} onInput={(event) => set(index, { key: event.currentTarget.value })} placeholder="team" />
          </label>
          <label class="field inline">
            <span>Value(s)</span>
            <input value={row.values} onInput={(event) => set(index, { values: event.currentTarget.value })} placeholder="ops, support" />
          </label>
          <button type="button" class="link" aria-label={`Remove filter ${index + 1}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
            remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, { key: '', values: '' }])}>
        Add a filter
      </button>
      <p class="hint muted">Several values separated by commas match any of them; 2024 is a number, "2024" text; the key source filters on the file name.</p>
    </fieldset>
  );
}
