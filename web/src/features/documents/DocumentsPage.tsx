// A collection's documents, a page at a time from the server, sortable by any column; each
// opens with its chunks, and each can be deleted. Uploading more and recent jobs sit below.
import { useState } from 'preact/hooks';
import { api } from '../../api/client.ts';
import type { DocumentSortKey } from '../../api/types.ts';
import { documentPath } from '../../app/links.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatBytes, formatCount, formatDateTime } from '../../components/format.ts';
import { useLoad } from '../../components/use-load.ts';
import { CollectionHeader } from '../collections/CollectionHeader.tsx';
import { RecentJobs } from '../upload/JobsPage.tsx';
import { UploadPanel } from '../upload/UploadPanel.tsx';
import { ariaSort, nextSort, pageBounds, type SortState } from './sorting.ts';

const COLUMNS: Array<{ key: DocumentSortKey; label: string; numeric?: boolean }> = [
  { key: 'source', label: 'Source' },
  { key: 'chunkCount', label: 'Chunks', numeric: true },
  { key: 'sizeBytes', label: 'Size', numeric: true },
  { key: 'updatedAt', label: 'Updated' },
];
const PAGE_SIZES = [25, 50, 100, 250];

export function DocumentsPage({ collection }: { collection: string }) {
  const [sort, setSort] = useState<SortState>({ sort: 'source', order: 'asc' });
  const [offset, setOffset] = useState(0);
  const [limit, setLimit] = useState(50);
  const page = useLoad(() => api.documents(collection, { limit, offset, ...sort }), [collection, limit, offset, sort.sort, sort.order]);
  const documents = page.data?.documents ?? [];
  const bounds = pageBounds(offset, documents.length, page.data?.total ?? 0);

  return (
    <main>
      <CollectionHeader collection={collection} current="documents" />
      <ErrorNotice error={page.error} title="Could not list the documents" />
      <div class="table-toolbar">
        <p role="status" aria-live="polite">
          {page.data ? `${formatCount(bounds.first)}–${formatCount(bounds.last)} of ${formatCount(page.data.total)} documents` : 'Loading…'}
        </p>
        <label class="field inline">
          <span>Per page</span>
          <select
            value={limit}
            onChange={(event) => {
              setLimit(Number(event.currentTarget.value));
              setOffset(0);
            }}
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
        <div class="pager">
          <button type="button" disabled={!bounds.hasPrevious} onClick={() => setOffset(Math.max(0, offset - limit))}>
            Previous page
          </button>
          <button type="button" disabled={!bounds.hasNext} onClick={() => setOffset(offset + limit)}>
            Next page
          </button>
        </div>
      </div>
      <div class="table-scroll">
        <table class="documents">
          <thead>
            <tr>
              {COLUMNS.map((column) => (
                <th key={column.key} scope="col" aria-sort={ariaSort(sort, column.key)} class={column.numeric ? 'number' : undefined}>
                  <button
                    type="button"
                    class="sort"
                    onClick={() => {
                      setSort(nextSort(sort, column.key));
                      setOffset(0);
                    }}
                  >
                    {column.label}
                    <span aria-hidden="true">{sort.sort === column.key ? (sort.order === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                  </button>
                </th>
              ))}
              <th scope="col">Format</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {documents.map((document) => (
              <tr key={document.id}>
                <th scope="row">
                  <a href={documentPath(collection, document.id)}>{document.source}</a>
                  {document.title && document.title !== document.source && <span class="muted"> — {document.title}</span>}
                </th>
                <td class="number">{formatCount(document.chunkCount)}</td>
                <td class="number">{formatBytes(document.sizeBytes)}</td>
                <td>{formatDateTime(document.updatedAt)}</td>
                <td>{document.format}</td>
                <td class="actions">
                  <ConfirmButton
                    label={`Delete ${document.source}`}
                    question={`Delete "${document.source}" and its ${document.chunkCount} chunks from "${collection}"?`}
                    confirmLabel="Delete document"
                    onConfirm={async () => {
                      await api.deleteDocument(collection, document.id);
                      page.reload();
                    }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section aria-labelledby="add-documents">
        <h2 id="add-documents">Add documents</h2>
        <UploadPanel collection={collection} onUploaded={page.reload} />
      </section>
      <RecentJobs kind="ingest" limit={10} />
    </main>
  );
}
