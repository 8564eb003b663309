// A background upload followed live: GET /v1/jobs/{id} twice a second until the job is final,
// with its progress bar and, at the end, each file's outcome.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.ts';
import type { Job } from '../../api/types.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { OutcomeTable } from './OutcomeTable.tsx';

const FINAL = new Set(['succeeded', 'failed', 'interrupted']);
const POLL_MS = 500;

export function JobProgress({ initial, onFinished }: { initial: Job; onFinished?(job: Job): void }) {
  const [job, setJob] = useState(initial);
  const [error, setError] = useState<Error | null>(null);

  useEffect(() => {
    if (FINAL.has(job.state)) {
      onFinished?.(job);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api
        .job(job.id, controller.signal)
        .then(setJob)
        .catch((failure: unknown) => {
          if (!controller.signal.aborted) setError(failure as Error);
        });
    }, POLL_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // Each new view of the job schedules the next poll; onFinished is called once, for the final one.
  }, [job]);

  return (
    <section class="job" aria-label={`Job ${job.id}`}>
      <p>
        Background job <code>{job.id}</code>: <span class={`state state-${job.state}`}>{job.state}</span>
      </p>
      <ProgressBar done={job.progress.done} total={job.progress.total} label="Files ingested" />
      {job.error && <ErrorNotice error={new Error(job.error.message)} title={job.error.code} />}
      <ErrorNotice error={error} title="Could not follow the job" />
      {FINAL.has(job.state) && job.documents && <OutcomeTable outcomes={job.documents} />}
    </section>
  );
}
