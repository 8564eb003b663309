// Uploading into a collection: files and folders by drop or picker, optional metadata, then
// each file's outcome, or a background job with its live progress for large uploads.
import { useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import type { FileOutcome, Job, UploadAnswer } from '../../api/types.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatBytes } from '../../components/format.ts';
import { collectionPath } from '../../app/links.ts';
import { filesFromDrop, filesFromInput, mergePicked, type PickedFile } from './dropped-files.ts';
import { JobProgress } from './JobProgress.tsx';
import { OutcomeTable } from './OutcomeTable.tsx';

interface Props {
  /** The collection to upload into; when absent the panel asks for a new collection's name. */
  collection?: string;
  /** Called after files landed (or a job finished), with the collection they went to. */
  onUploaded?(collection: string): void;
}

function parseMetadata(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  const value: unknown = JSON.parse(text);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('Metadata must be a JSON object, e.g. {"team": "ops"}.');
  return value as Record<string, unknown>;
}

export function UploadPanel({ collection, onUploaded }: Props) {
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<PickedFile[]>([]);
  const [metadata, setMetadata] = useState('');
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<UploadAnswer | null>(null);
  const [failedOutcomes, setFailedOutcomes] = useState<FileOutcome[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const target = collection ?? name.trim();

  function add(files: PickedFile[]) {
    setPicked((current) => mergePicked(current, files));
    setAnswer(null);
    setFailedOutcomes(null);
  }

  async function upload(event: Event) {
    event.preventDefault();
    setError(null);
    setFailedOutcomes(null);
    let meta: Record<string, unknown> | undefined;
    try {
      meta = parseMetadata(metadata);
    } catch (failure) {
      setError(failure instanceof SyntaxError ? new Error(`Metadata is not valid JSON: ${failure.message}`) : (failure as Error));
      return;
    }
    setBusy(true);
    try {
      const result = await api.upload(target, picked, meta);
      setAnswer(result);
      setPicked([]);
      if (filesInput.current) filesInput.current.value = '';
      if (folderInput.current) folderInput.current.value = '';
      if (result.kind === 'outcomes') onUploaded?.(target);
    } catch (failure) {
      setError(failure as Error);
      // When no file landed the server still says what happened to each one.
      const documents = failure instanceof ApiError ? (failure.details?.documents as FileOutcome[] | undefined) : undefined;
      if (documents) setFailedOutcomes(documents);
    } finally {
      setBusy(false);
    }
  }

  const totalBytes = picked.reduce((sum, entry) => sum + entry.file.size, 0);
  return (
    <form class="upload" onSubmit={(event) => void upload(event)} aria-label={collection ? `Upload into ${collection}` : 'Create a collection by upload'}>
      {!collection && (
        <label class="field">
          <span>New collection name</span>
          <input name="collection" value={name} required pattern="[A-Za-z0-9_\-]{1,64}" onInput={(event) => setName(event.currentTarget.value)} placeholder="handbook" />
        </label>
      )}
      <div
        class={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          if (event.dataTransfer) void filesFromDrop(event.dataTransfer).then(add, (failure: unknown) => setError(failure as Error));
        }}
      >
        <p>Drop files or folders here (.txt, .md, .html, .pdf, .docx), or</p>
        <div class="pickers">
          <label class="button">
            Choose files
            <input ref={filesInput} class="visually-hidden" type="file" name="files" multiple onChange={(event) => add(filesFromInput(event.currentTarget.files))} />
          </label>
          <label class="button">
            Choose a folder
            {/* webkitdirectory is not in Preact's attribute types; every current browser supports it. */}
            <input ref={folderInput} class="visually-hidden" type="file" {...{ webkitdirectory: '' }} multiple onChange={(event) => add(filesFromInput(event.currentTarget.files))} />
          </label>
        </div>
      </div>
      {picked.length > 0 && (
        <div class="picked">
          <p>
            {picked.length} file{picked.length === 1 ? '' : 's'}, {formatBytes(totalBytes)}
          </p>
          <ul>
            {picked.map((entry) => (
              <li key={entry.name}>
                {entry.name} <span class="muted">({formatBytes(entry.file.size)})</span>{' '}
                <button type="button" class="link" aria-label={`Remove ${entry.name}`} onClick={() => setPicked((current) => current.filter((other) => other.name !== entry.name))}>
                  remove
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <details>
        <summary>Metadata for these documents (optional)</summary>
        <label class="field">
          <span>Metadata (JSON object)</span>
          <textarea name="metadata" rows={2} value={metadata} onInput={(event) => setMetadata(event.currentTarget.value)} placeholder='{"team": "ops"}' />
        </label>
      </details>
      <button type="submit" class="primary" disabled={busy || picked.length === 0 || target === ''}>
        {busy ? 'Uploading…' : `Upload ${picked.length || ''} file${picked.length === 1 ? '' : 's'}`.replace('  ', ' ')}
      </button>
      <ErrorNotice error={error} title="Upload failed" />
      {failedOutcomes && <OutcomeTable outcomes={failedOutcomes} />}
      {answer?.kind === 'outcomes' && (
        <>
          <p role="status">
            {answer.summary.created} created, {answer.summary.updated} updated, {answer.summary.unchanged} unchanged, {answer.summary.failed} failed.
          </p>
          <OutcomeTable outcomes={answer.documents} />
          {!collection && answer.summary.failed < answer.documents.length && (
            <p>
              <a href={collectionPath(target)}>Open {target}</a>
            </p>
          )}
        </>
      )}
      {answer?.kind === 'job' && <JobProgress initial={answer.job} onFinished={(job: Job) => onUploaded?.(job.collection ?? target)} />}
    </form>
  );
}
