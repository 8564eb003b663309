// Recent background jobs (uploads and classifications), newest first, refreshed while any is
// still queued or running.
import { useEffect } from 'preact/hooks';
import { api } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatDateTime } from '../../components/format.ts';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { useLoad } from '../../components/use-load.ts';

/** The job list carries no per-item results and no collection; a job's own page has those. */
export function RecentJobs({ kind, limit = 20 }: { kind?: string; limit?: number }) {
  const jobs = useLoad(() => api.jobs({ kind, limit }), [kind, limit]);
  const shown = jobs.data?.jobs ?? [];
  const active = shown.some((job) => job.state === 'queued' || job.state === 'running');
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(jobs.reload, 1000);
    return () => clearInterval(timer);
  }, [active, jobs.reload]);

  return (
    <section aria-labelledby="recent-jobs">
      <h2 id="recent-jobs">Recent jobs</h2>
      <ErrorNotice error={jobs.error} />
      {shown.length === 0 && !jobs.loading && <p class="muted">No background jobs yet. Uploads above the job threshold run as jobs.</p>}
      {shown.length > 0 && (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Kind</th>
                <th scope="col">Job</th>
                <th scope="col">State</th>
                <th scope="col">Progress</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((job) => (
                <tr key={job.id}>
                  <td>{formatDateTime(job.createdAt)}</td>
                  <td>{job.kind}</td>
                  <td>
                    <code>{job.id}</code>
                  </td>
                  <td>
                    <span class={`state state-${job.state}`}>{job.state}</span>
                    {job.error && <span class="muted"> {job.error.message}</span>}
                  </td>
                  <td>
                    <ProgressBar done={job.progress.done} total={job.progress.total} label={`Progress of job ${job.id}`} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function JobsPage() {
  return (
    <main>
      <h1>Jobs</h1>
      <RecentJobs limit={50} />
    </main>
  );
}
