// Every collection with its document and chunk counts, embedding model and last update; a new one is made
// by uploading into a new name; deleting one asks first.
import { api } from '../../api/client.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatCount, formatDateTime } from '../../components/format.ts';
import { useLoad } from '../../components/use-load.ts';
import { UploadPanel } from '../upload/UploadPanel.tsx';
import { collectionPath } from '../../app/links.ts';

/** The newest document's update time, from the documents list sorted on the server (one row). */
function LastUpdate({ collection, documents }: { collection: string; documents: number }) {
  const last = useLoad((signal) => api.lastUpdate(collection, signal), [collection, documents]);
  if (last.error) return <span class="muted">unknown ({last.error.message})</span>;
  return <>{last.data ? formatDateTime(last.data) : last.loading ? '…' : '—'}</>;
}

export function CollectionsPage() {
  const collections = useLoad(() => api.collections(), []);

  return (
    <main>
      <h1>Collections</h1>
      <ErrorNotice error={collections.error} title="Could not list the collections" />
      {collections.data?.length === 0 && <p class="muted">No collections yet: upload documents into a new one below.</p>}
      {collections.data && collections.data.length > 0 && (
        <div class="table-scroll">
          <table class="collections">
            <thead>
              <tr>
                <th scope="col">Collection</th>
                <th scope="col" class="number">Documents</th>
                <th scope="col" class="number">Chunks</th>
                <th scope="col">Embedding model</th>
                <th scope="col">Last update</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {collections.data.map((collection) => (
                <tr key={collection.name}>
                  <th scope="row">
                    <a href={collectionPath(collection.name)}>{collection.name}</a>
                  </th>
                  <td class="number">{formatCount(collection.documentCount)}</td>
                  <td class="number">{formatCount(collection.chunkCount)}</td>
                  <td>{collection.embeddingModel ? `${collection.embeddingModel} (${collection.embeddingDimension})` : 'none (lexical only)'}</td>
                  <td>
                    <LastUpdate collection={collection.name} documents={collection.documentCount} />
                  </td>
                  <td>{formatDateTime(collection.createdAt)}</td>
                  <td class="actions">
                    <a href={collectionPath(collection.name, 'ask')}>Ask</a> <a href={collectionPath(collection.name, 'search')}>Search</a>{' '}
                    <ConfirmButton
                      label={`Delete ${collection.name}`}
                      question={`Delete collection "${collection.name}" with its ${formatCount(collection.documentCount)} documents? This cannot be undone.`}
                      confirmLabel="Delete collection"
                      onConfirm={async () => {
                        await api.deleteCollection(collection.name);
                        collections.reload();
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section aria-labelledby="create-collection">
        <h2 id="create-collection">Create a collection by upload</h2>
        <UploadPanel onUploaded={collections.reload} />
      </section>
    </main>
  );
}
