// Model tokens and estimated cost over a date range: a chart by day and stage (or model), and totals by
// stage and by model (from GET /v1/usage, the server's usage ledger).
import { useMemo, useState } from 'preact/hooks';
import { api } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatCount, formatUsd } from '../../components/format.ts';
import { useLoad } from '../../components/use-load.ts';
import { UsageChart } from './UsageChart.tsx';
import { groupKey, seriesBy, totalsBy, type UsageGrouping, type UsageMetric, type UsageTotal } from './usage-series.ts';

function TotalsTable({ caption, totals, keyLabel }: { caption: string; totals: UsageTotal[]; keyLabel: string }) {
  return (
    <div class="table-scroll">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{keyLabel}</th>
            <th scope="col" class="number">Calls</th>
            <th scope="col" class="number">Failed</th>
            <th scope="col" class="number">Input tokens</th>
            <th scope="col" class="number">Output tokens</th>
            <th scope="col" class="number">Estimated cost</th>
          </tr>
        </thead>
        <tbody>
          {totals.map((total) => (
            <tr key={total.key}>
              <th scope="row">{total.key}</th>
              <td class="number">{formatCount(total.calls)}</td>
              <td class="number">{formatCount(total.failedCalls)}</td>
              <td class="number">{formatCount(total.inputTokens)}</td>
              <td class="number">{formatCount(total.outputTokens)}</td>
              <td class="number">{formatUsd(total.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function UsagePage() {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [metric, setMetric] = useState<UsageMetric>('costUsd');
  const [grouping, setGrouping] = useState<UsageGrouping>('stage');
  const usage = useLoad(() => api.usage({ from: from || undefined, to: to || undefined }), [from, to]);
  const rows = usage.data?.rows ?? [];
  const chart = useMemo(() => seriesBy(rows, metric, grouping), [rows, metric, grouping]);
  const totals = usage.data?.totals;

  return (
    <main>
      <h1>Usage</h1>
      <form class="form-row" onSubmit={(event) => event.preventDefault()} aria-label="Date range">
        <label class="field inline">
          <span>From</span>
          <input type="date" value={from} onChange={(event) => setFrom(event.currentTarget.value)} />
        </label>
        <label class="field inline">
          <span>To</span>
          <input type="date" value={to} onChange={(event) => setTo(event.currentTarget.value)} />
        </label>
        <label class="field inline">
          <span>Chart</span>
          <select value={metric} onChange={(event) => setMetric(event.currentTarget.value as UsageMetric)}>
            <option value="costUsd">estimated cost</option>
            <option value="totalTokens">tokens</option>
          </select>
        </label>
        <label class="field inline">
          <span>By</span>
          <select value={grouping} onChange={(event) => setGrouping(event.currentTarget.value as UsageGrouping)}>
            <option value="stage">stage</option>
            <option value="model">model</option>
          </select>
        </label>
      </form>
      <ErrorNotice error={usage.error} title="Could not read usage" />
      {totals && (
        <p role="status" data-testid="usage-totals">
          {formatCount(totals.calls)} model calls ({formatCount(totals.failedCalls)} failed), {formatCount(totals.inputTokens)} input and {formatCount(totals.outputTokens)} output tokens, about{' '}
          {formatUsd(totals.costUsd)}.
        </p>
      )}
      {usage.data && rows.length === 0 && <p class="muted">No model calls in this range: with no model configured, Sift answers without spending tokens.</p>}
      {rows.length > 0 && (
        <>
          <UsageChart data={chart} metric={metric} grouping={grouping} />
          <TotalsTable caption="By stage" keyLabel="Stage" totals={totalsBy(rows, groupKey.stage)} />
          <TotalsTable caption="By model" keyLabel="Model" totals={totalsBy(rows, groupKey.model)} />
          <TotalsTable caption="By day" keyLabel="Day" totals={totalsBy(rows, (row) => row.day).sort((a, b) => (a.key < b.key ? 1 : -1))} />
        </>
      )}
    </main>
  );
}
