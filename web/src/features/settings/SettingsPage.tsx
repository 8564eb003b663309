// How this server is set up (read only, from GET /v1/settings): the provider and model of each
// stage and what that means for answers, the store, retrieval and rerank defaults, the limits.
import { api } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatBytes, formatCount } from '../../components/format.ts';
import { useLoad } from '../../components/use-load.ts';

const LIMIT_LABELS: Record<string, [string, (value: number) => string]> = {
  uploadBytes: ['Largest file', formatBytes],
  uploadFiles: ['Files per upload', formatCount],
  queryChars: ['Longest question or query (characters)', formatCount],
  jobThresholdFiles: ['Uploads with more files become a job', formatCount],
  jobThresholdBytes: ['Uploads larger than this become a job', formatBytes],
  chunkTokens: ['Chunk size (tokens)', formatCount],
  chunkOverlapTokens: ['Chunk overlap (tokens)', formatCount],
  generationTimeoutMs: ['Time budget of a written answer (ms)', formatCount],
};

export function SettingsPage() {
  const settings = useLoad(() => api.settings(), []);
  const data = settings.data;
  return (
    <main>
      <h1>Settings</h1>
      <p class="muted">Read only: these come from the server's environment (see .env.example).</p>
      <ErrorNotice error={settings.error} title="Could not read the settings" />
      {data && (
        <>
          <div class="table-scroll">
            <table class="stages">
              <caption>Models by stage</caption>
              <thead>
                <tr>
                  <th scope="col">Stage</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Model</th>
                  <th scope="col">What it does here</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(data.stages).map(([stage, setting]) => (
                  <tr key={stage} data-stage={stage}>
                    <th scope="row">{stage}</th>
                    <td>{setting.provider}</td>
                    <td>{setting.model ?? '—'}</td>
                    <td>{setting.effect}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>Store and retrieval</h2>
          <dl class="facts">
            <dt>Store</dt>
            <dd>
              {data.store.kind}
              {Object.entries(data.store)
                .filter(([key]) => key !== 'kind')
                .map(([key, value]) => ` · ${key} ${String(value)}`)}
            </dd>
            <dt>Retrieval</dt>
            <dd>
              {data.retrieval.mode}
              {data.retrieval.mode === 'hybrid' && ` (fusion in ${data.retrieval.fusion}, RRF k ${data.retrieval.rrf.k}, weights ${data.retrieval.rrf.weightLexical} / ${data.retrieval.rrf.weightDense})`}
            </dd>
            <dt>Rerank</dt>
            <dd>
              {data.rerank.mode}, {data.rerank.candidates} candidates, window {data.rerank.window}, deadline {data.rerank.deadlineMs} ms, passages cut to {data.rerank.passageTokens} tokens;{' '}
              {data.rerank.byDefault ? 'on unless a request says otherwise' : 'when a request asks for it'}
            </dd>
            <dt>API keys</dt>
            <dd>{data.auth.apiKeysRequired ? 'required on every /v1 call' : 'not required'}</dd>
          </dl>
          <h2>Limits</h2>
          <dl class="facts">
            {Object.entries(data.limits).map(([key, value]) => {
              const [label, format] = LIMIT_LABELS[key] ?? [key, formatCount];
              return [<dt key={`${key}-t`}>{label}</dt>, <dd key={`${key}-d`}>{format(value)}</dd>];
            })}
          </dl>
        </>
      )}
    </main>
  );
}
