// One document with its chunks: where each sits (heading path, page, offsets) and how big it
// is. A citation links here with #chunk-<id>, which is scrolled to and marked.
import { useLocation } from 'preact-iso';
import { useEffect } from 'preact/hooks';
import { api } from '../../api/client.ts';
import { collectionPath } from '../../app/links.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatBytes, formatDateTime, headingTrail } from '../../components/format.ts';
import { useLoad } from '../../components/use-load.ts';
import { CollectionHeader } from '../collections/CollectionHeader.tsx';

export function DocumentPage({ collection, id }: { collection: string; id: string }) {
  const document = useLoad(() => api.document(collection, id), [collection, id]);
  const location = useLocation();

  useEffect(() => {
    if (!document.data || !window.location.hash) return;
    window.document.getElementById(window.location.hash.slice(1))?.scrollIntoView({ block: 'center' });
  }, [document.data]);

  const data = document.data;
  return (
    <main>
      <CollectionHeader collection={collection} current="documents" title={data?.source ?? 'Document'} />
      <ErrorNotice error={document.error} title="Could not read the document" />
      {data && (
        <>
          <dl class="facts">
            <dt>Title</dt>
            <dd>{data.title ?? '—'}</dd>
            <dt>Format</dt>
            <dd>{data.format}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(data.sizeBytes)}</dd>
            <dt>Version</dt>
            <dd>{data.version}</dd>
            <dt>Updated</dt>
            <dd>{formatDateTime(data.updatedAt)}</dd>
            <dt>Metadata</dt>
            <dd>{Object.keys(data.metadata).length > 0 ? <code>{JSON.stringify(data.metadata)}</code> : '—'}</dd>
          </dl>
          <ConfirmButton
            label={`Delete ${data.source}`}
            question={`Delete "${data.source}" and its ${data.chunks.length} chunks?`}
            confirmLabel="Delete document"
            onConfirm={async () => {
              await api.deleteDocument(collection, id);
              location.route(collectionPath(collection));
            }}
          />
          <h2>{data.chunks.length} chunks</h2>
          <ol class="chunks">
            {data.chunks.map((chunk) => (
              <li key={chunk.id} id={`chunk-${chunk.id}`} class="chunk" tabIndex={-1}>
                <p class="chunk-meta">
                  <strong>#{chunk.ordinal + 1}</strong> · {headingTrail(chunk.headingPath)}
                  {chunk.page !== null && <> · page {chunk.page}</>} · {chunk.tokenCount} tokens · {chunk.text.length} characters · offsets {chunk.start}–{chunk.end}
                </p>
                <p class="chunk-text">{chunk.text}</p>
              </li>
            ))}
          </ol>
        </>
      )}
    </main>
  );
}
