// Ranked passages for a query with every score the server gave (lexical, dense, fused,
// rerank), how the rerank moved each one, metadata filters, and the trace of the search.
import { useState } from 'preact/hooks';
import { api } from '../../api/client.ts';
import type { RerankMode, SearchResponse } from '../../api/types.ts';
import { documentPath } from '../../app/links.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatScore, headingTrail } from '../../components/format.ts';
import { CollectionHeader } from '../collections/CollectionHeader.tsx';
import { TraceWaterfall } from '../trace/TraceWaterfall.tsx';
import { FilterEditor } from './FilterEditor.tsx';
import { filterFrom, type FilterRow } from './filter-rows.ts';

function Movement({ retrievalRank, rerankRank }: { retrievalRank: number; rerankRank: number | null }) {
  if (rerankRank === null) return <span>{retrievalRank}</span>;
  const moved = retrievalRank - rerankRank;
  const label = moved > 0 ? `up ${moved}` : moved < 0 ? `down ${-moved}` : 'unchanged';
  return (
    <span class={`movement ${moved > 0 ? 'up' : moved < 0 ? 'down' : 'same'}`} aria-label={`retrieval rank ${retrievalRank}, rerank rank ${rerankRank}, ${label}`}>
      {retrievalRank} → {rerankRank} <span aria-hidden="true">{moved > 0 ? '▲' : moved < 0 ? '▼' : '='}</span>
    </span>
  );
}

export function SearchPage({ collection }: { collection: string }) {
  const [query, setQuery] = useState('');
  const [topK, setTopK] = useState(10);
  const [rerank, setRerank] = useState(false);
  const [mode, setMode] = useState<RerankMode>('listwise');
  const [filters, setFilters] = useState<FilterRow[]>([]);
  const [result, setResult] = useState<SearchResponse | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  async function search(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setResult(await api.search(collection, { query, topK, filter: filterFrom(filters), ...(rerank ? { rerank: { mode } } : { rerank: false }) }));
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  }

  const reranked = result?.results.some((chunk) => chunk.rerankRank !== null) ?? false;
  return (
    <main>
      <CollectionHeader collection={collection} current="search" />
      <form class="search-form" onSubmit={(event) => void search(event)}>
        <label class="field">
          <span>Query</span>
          <input type="search" name="query" value={query} required onInput={(event) => setQuery(event.currentTarget.value)} placeholder="hotel reimbursement per night" />
        </label>
        <div class="form-row">
          <label class="field inline">
            <span>Results</span>
            <input type="number" min={1} max={100} value={topK} onInput={(event) => setTopK(Number(event.currentTarget.value) || 10)} />
          </label>
          <label class="checkbox">
            <input type="checkbox" checked={rerank} onChange={(event) => setRerank(event.currentTarget.checked)} /> Rerank
          </label>
          <label class="field inline">
            <span>Rerank mode</span>
            <select value={mode} disabled={!rerank} onChange={(event) => setMode(event.currentTarget.value as RerankMode)}>
              <option value="listwise">listwise (tournament)</option>
              <option value="pointwise">pointwise</option>
              <option value="sliding">sliding window</option>
            </select>
          </label>
          <button type="submit" class="primary" disabled={busy || query.trim() === ''}>
            {busy ? 'Searching…' : 'Search'}
          </button>
        </div>
        <FilterEditor rows={filters} onChange={setFilters} />
      </form>
      <ErrorNotice error={error} title="Search failed" />
      {result && (
        <>
          <p role="status">
            {result.results.length} passages, {result.retrieval} retrieval{reranked ? ', reranked' : ''}.
          </p>
          <div class="table-scroll">
            <table class="results">
              <thead>
                <tr>
                  <th scope="col" class="number">Rank</th>
                  <th scope="col">{reranked ? 'Retrieval → rerank' : 'Retrieval rank'}</th>
                  <th scope="col" class="number">Lexical</th>
                  <th scope="col" class="number">Dense</th>
                  <th scope="col" class="number">Fused</th>
                  <th scope="col" class="number">Rerank</th>
                  <th scope="col">Passage</th>
                </tr>
              </thead>
              <tbody>
                {result.results.map((chunk) => (
                  <tr key={chunk.chunkId}>
                    <td class="number">{chunk.rank}</td>
                    <td>
                      <Movement retrievalRank={chunk.retrievalRank} rerankRank={chunk.rerankRank} />
                    </td>
                    <td class="number">{formatScore(chunk.scores.lexical)}</td>
                    <td class="number">{formatScore(chunk.scores.dense)}</td>
                    <td class="number">{formatScore(chunk.scores.fused)}</td>
                    <td class="number">{formatScore(chunk.scores.rerank)}</td>
                    <td>
                      <a href={documentPath(collection, chunk.documentId, chunk.chunkId)}>{chunk.source}</a>
                      <span class="muted">
                        {' '}
                        {headingTrail(chunk.headingPath)}
                        {chunk.page !== null && ` · page ${chunk.page}`}
                      </span>
                      <p class="excerpt">{chunk.text.length > 300 ? `${chunk.text.slice(0, 300)}…` : chunk.text}</p>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <TraceWaterfall trace={result.trace} usage={result.usage} label="Search trace" />
        </>
      )}
    </main>
  );
}
