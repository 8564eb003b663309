// A labelled progress bar: the native <progress>, so assistive technology reads it as one.
export function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  const percent = total > 0 ? Math.round((done / total) * 100) : 0;
  return (
    <div class="progress">
      <progress value={done} max={Math.max(total, 1)} aria-label={label} />
      <span class="progress-text">
        {done} / {total} ({percent}%)
      </span>
    </div>
  );
}
