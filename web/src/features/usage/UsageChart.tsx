// Tokens or cost by day, one line per stage or model, drawn by uPlot. The same numbers are in the
// tables beside it, for screen readers and for copying.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatCount, formatUsd } from '../../components/format.ts';
import type { UsageGrouping, UsageMetric, UsageSeries } from './usage-series.ts';

const COLOURS = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'];

export function UsageChart({ data, metric, grouping }: { data: UsageSeries; metric: UsageMetric; grouping: UsageGrouping }) {
  const holder = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const format = metric === 'costUsd' ? formatUsd : formatCount;
    const plot = new uPlot(
      {
        width: Math.max(element.clientWidth, 280),
        height: 280,
        series: [{}, ...data.series.map((series, i) => ({ label: series.label, stroke: COLOURS[i % COLOURS.length], width: 2, points: { size: 7 }, value: (_: uPlot, value: number | null) => (value === null ? '—' : format(value)) }))],
        axes: [{}, { values: (_: uPlot, ticks: number[]) => ticks.map((tick) => format(tick)), size: 80 }],
        // A day of margin either side: one day of data would otherwise stretch the axis over years.
        scales: {
          x: { time: true, range: (): uPlot.Range.MinMax => [data.x[0]! - 86_400, data.x.at(-1)! + 86_400] },
          // From zero, so heights compare.
          y: { range: (_: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max > 0 ? max * 1.1 : 1] },
        },
      },
      [data.x, ...data.series.map((series) => series.values)],
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 280), height: 280 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data, metric]);

  return <div ref={holder} class="usage-chart" role="img" aria-label={`${metric === 'costUsd' ? 'Estimated cost' : 'Tokens'} by day and ${grouping}; the tables below hold the same figures`} />;
}
