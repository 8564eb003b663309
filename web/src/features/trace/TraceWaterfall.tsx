// Where the time and money of one search or answer went: a row per stage on a shared time
// axis, with tokens and estimated cost, then the trace's notes (fallbacks, skipped stages).
import type { Trace, UsageSummary } from '../../api/types.ts';
import { formatCount, formatMs, formatUsd } from '../../components/format.ts';
import { waterfallRows } from './waterfall.ts';

export function TraceWaterfall({ trace, usage, label }: { trace: Trace; usage?: UsageSummary; label: string }) {
  const rows = waterfallRows(trace, usage);
  return (
    <section class="trace" aria-label={label}>
      <div class="table-scroll">
        <table class="waterfall">
          <caption>
            {label}: {formatMs(trace.totalMs)} in all
            {usage && usage.totalTokens > 0 ? `, ${formatCount(usage.totalTokens)} tokens, about ${formatUsd(usage.costUsd)}` : ', no model tokens'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col" class="bar-column">
                Timeline
              </th>
              <th scope="col" class="number">
                Time
              </th>
              <th scope="col" class="number">
                Tokens in / out
              </th>
              <th scope="col" class="number">
                Cost
              </th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={`${row.stage}-${index}`} data-stage={row.stage}>
                <th scope="row">{row.stage}</th>
                <td class="bar-column">
                  <div class="bar-track" aria-hidden="true">
                    <div class={`bar bar-${row.stage}`} style={{ left: `${row.left}%`, width: `${Math.min(row.width, 100 - row.left)}%` }} />
                  </div>
                  <span class="visually-hidden">starts at {formatMs(row.startMs)}</span>
                </td>
                <td class="number">{formatMs(row.ms)}</td>
                <td class="number">{row.inputTokens === null ? '—' : `${formatCount(row.inputTokens)} / ${formatCount(row.outputTokens ?? 0)}`}</td>
                <td class="number">{row.costUsd === null ? '—' : formatUsd(row.costUsd)}</td>
                <td>
                  {row.details}
                  {row.models.length > 0 && <span class="muted"> · {row.models.join(', ')}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {trace.notes.length > 0 && (
        <ul class="notes" aria-label="Trace notes">
          {trace.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
