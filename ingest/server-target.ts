// The CLI's --server target: each file is one multipart upload to
// POST /v1/collections/{c}/documents, streamed from disk. One file per request keeps every
// request small (under the server's job threshold as a rule) and maps each answer to one
// file; --concurrency sets how many are in flight. An upload the server turns into a job
// (202) is polled at its Location until it is final.
import { openAsBlob } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '../src/common/errors.js';
import type { FileOutcome } from '../src/ingestion/batch-ingest.js';
import type { DocumentMetadata } from '../src/store/vector-store.js';
import { TargetUnavailableError, type CollectionEntry, type IngestTarget } from './ingest-target.js';
import type { SelectedFile } from './select-files.js';
import type { StoredEntry } from './sync-scope.js';

const PAGE_SIZE = 1000;
const FINAL_STATES = new Set(['succeeded', 'failed', 'interrupted']);
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

interface SiftErrorBody {
  error?: { code?: string; message?: string; details?: { documents?: FileOutcome[] } };
}

interface JobBody {
  job?: { state?: string; documents?: FileOutcome[]; error?: { code?: string; message?: string } };
}

function codeOf(raw: string | undefined): ErrorCode {
  return raw !== undefined && KNOWN_CODES.has(raw) ? (raw as ErrorCode) : ErrorCode.Internal;
}

export interface ServerTargetOptions {
  url: string;
  apiKey?: string;
  /** Pause between polls of a job (default 500 ms). */
  pollIntervalMs?: number;
}

export class ServerTarget implements IngestTarget {
  readonly description: string;
  private readonly pollIntervalMs: number;

  constructor(private readonly options: ServerTargetOptions) {
    this.description = `server ${options.url}`;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
  }

  async listCollections(): Promise<CollectionEntry[]> {
    const response = await this.request('/v1/collections');
    const body = (await this.json(response)) as { collections?: CollectionEntry[] } & SiftErrorBody;
    if (!response.ok || !Array.isArray(body.collections)) throw this.unexpected(response, body);
    return body.collections.map(({ name, documentCount, chunkCount, embeddingModel, createdAt }) => ({ name, documentCount, chunkCount, embeddingModel: embeddingModel ?? null, createdAt }));
  }

  async listDocuments(collection: string): Promise<StoredEntry[]> {
    const entries: StoredEntry[] = [];
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const response = await this.request(`/v1/collections/${encodeURIComponent(collection)}/documents?limit=${PAGE_SIZE}&offset=${offset}`);
      const body = (await this.json(response)) as { documents?: StoredEntry[]; total?: number } & SiftErrorBody;
      if (response.status === 404 && body.error?.code === ErrorCode.CollectionNotFound) return entries;
      if (!response.ok || !Array.isArray(body.documents)) throw this.unexpected(response, body);
      entries.push(...body.documents.map(({ id, source, chunkCount, sizeBytes, updatedAt }) => ({ id, source, chunkCount, sizeBytes, updatedAt })));
      if (body.documents.length === 0 || offset + PAGE_SIZE >= (body.total ?? 0)) return entries;
    }
  }

  async ingest(file: SelectedFile, collection: string, metadata: DocumentMetadata): Promise<FileOutcome> {
    const form = new FormData();
    // A Blob backed by the file: the bytes are streamed into the request, not read up front.
    form.append('files', await openAsBlob(file.absolutePath), file.source);
    if (Object.keys(metadata).length > 0) form.append('metadata', JSON.stringify(metadata));
    const response = await this.request(`/v1/collections/${encodeURIComponent(collection)}/documents`, { method: 'POST', body: form });
    const body = (await this.json(response)) as { documents?: FileOutcome[] } & SiftErrorBody & JobBody;
    if (response.status === 202) return this.awaitJob(response.headers.get('location'), file);
    const outcome = response.ok ? body.documents?.[0] : body.error?.details?.documents?.[0];
    if (outcome) return outcome;
    // Refused before any file was read (too large, bad name...): a failure of this file only.
    if (body.error?.code && response.status !== 401 && response.status !== 404) {
      return { file: file.source, status: 'failed', error: { code: codeOf(body.error.code), message: `"${file.source}": ${body.error.message ?? 'refused by the server'}` } };
    }
    throw this.unexpected(response, body);
  }

  async deleteDocument(collection: string, id: string): Promise<void> {
    const response = await this.request(`/v1/collections/${encodeURIComponent(collection)}/documents/${encodeURIComponent(id)}`, { method: 'DELETE' });
    const body = (await this.json(response)) as SiftErrorBody;
    // Already gone is what was wanted.
    if (response.ok || (response.status === 404 && body.error?.code === ErrorCode.DocumentNotFound)) return;
    throw this.unexpected(response, body);
  }

  parsedFiles(): null {
    return null;
  }

  async close(): Promise<void> {}

  private async awaitJob(location: string | null, file: SelectedFile): Promise<FileOutcome> {
    if (!location) throw new TargetUnavailableError(`${this.options.url} answered 202 without a Location header to poll.`);
    for (;;) {
      const response = await this.request(location);
      const body = (await this.json(response)) as JobBody & SiftErrorBody;
      if (!response.ok || !body.job) throw this.unexpected(response, body);
      const { job } = body;
      if (job.state && FINAL_STATES.has(job.state)) {
        const outcome = job.documents?.find((document) => document.file === file.source) ?? job.documents?.[0];
        if (outcome) return outcome;
        return { file: file.source, status: 'failed', error: { code: codeOf(job.error?.code), message: `"${file.source}": the server's job ended ${job.state}: ${job.error?.message ?? 'no result'}` } };
      }
      await sleep(this.pollIntervalMs);
    }
  }

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(path.startsWith('/') ? `${this.options.url}${path}` : path);
    const headers = new Headers(init.headers);
    if (this.options.apiKey) headers.set('authorization', `Bearer ${this.options.apiKey}`);
    try {
      return await fetch(url, { ...init, headers });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new TargetUnavailableError(`Cannot reach ${this.options.url}: ${cause?.code ?? cause?.message ?? (error as Error).message}.`);
    }
  }

  private async json(response: Response): Promise<unknown> {
    const text = await response.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return {};
    }
  }

  private unexpected(response: Response, body: SiftErrorBody): TargetUnavailableError {
    if (response.status === 401) return new TargetUnavailableError(`${this.options.url} refused the API key: ${body.error?.message ?? 'unauthorized'} Give it with --api-key or SIFT_API_KEY.`);
    const said = body.error?.message ? `: ${body.error.code} ${body.error.message}` : ' (is it a Sift server?)';
    return new TargetUnavailableError(`${this.options.url} answered ${response.status} to ${response.url || 'a request'}${said}`);
  }
}
