// The passage a citation marker points at: its source, heading path, page and text, with a
// link to the chunk inside its document.
import { useEffect, useRef } from 'preact/hooks';
import type { Citation } from '../../api/types.ts';
import { documentPath } from '../../app/links.ts';
import { headingTrail } from '../../components/format.ts';

export function CitationDialog({ collection, citation, onClose }: { collection: string; citation: Citation | null; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (citation && !dialog.current?.open) dialog.current?.showModal();
    if (!citation && dialog.current?.open) dialog.current.close();
  }, [citation]);

  return (
    <dialog ref={dialog} class="citation" aria-labelledby="citation-title" onClose={onClose}>
      {citation && (
        <>
          <h2 id="citation-title">
            [{citation.n}] {citation.source}
          </h2>
          <p class="chunk-meta">
            {headingTrail(citation.headingPath)}
            {citation.page !== null && <> · page {citation.page}</>}
            {citation.title && citation.title !== citation.source && <> · {citation.title}</>}
          </p>
          <blockquote class="passage">{citation.snippet}</blockquote>
          <div class="actions">
            <a href={documentPath(collection, citation.documentId, citation.chunkId)}>Open in the document</a>
            <button type="button" onClick={() => dialog.current?.close()}>
              Close
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
