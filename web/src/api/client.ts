// The one way the console talks to Sift: every view calls these functions, so the base URL,
// the API key, JSON handling and the server's error messages live here and nowhere else.
import { ApiError, apiErrorFrom, networkError } from './api-error.ts';
import { storedApiKey } from './api-key.ts';
import { readAskStream, type AskStreamHandlers } from './ask-stream.ts';
import type {
  AskRequest,
  AskResponse,
  Collection,
  DocumentPage,
  DocumentSortKey,
  DocumentWithChunks,
  Job,
  JobState,
  SearchRequest,
  SearchResponse,
  Settings,
  SortOrder,
  UploadAnswer,
  UploadSummary,
  FileOutcome,
  UsageReport,
} from './types.ts';

type Query = Record<string, string | number | undefined>;

/** Who to tell when the server refuses the key (or wants one): the app shows the key prompt. */
let unauthorizedListener: ((error: ApiError) => void) | null = null;
export function onUnauthorized(listener: ((error: ApiError) => void) | null): void {
  unauthorizedListener = listener;
}

function url(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

const segment = encodeURIComponent;

async function send(method: string, path: string, init: { json?: unknown; form?: FormData; query?: Query; signal?: AbortSignal; accept?: string; key?: string | null; quietOn401?: boolean } = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
  const key = init.key === undefined ? storedApiKey() : init.key;
  if (key) headers.authorization = `Bearer ${key}`;
  let body: BodyInit | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    body = init.form;
  }
  let response: Response;
  try {
    response = await fetch(url(path, init.query), { method, headers, body, signal: init.signal });
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw networkError(error);
  }
  if (response.ok || response.status === 207 || response.status === 202) return response;
  const error = await apiErrorFrom(response);
  if (error.unauthorized && !init.quietOn401) unauthorizedListener?.(error);
  throw error;
}

async function json<T>(method: string, path: string, init: Parameters<typeof send>[2] = {}): Promise<T> {
  return (await (await send(method, path, init)).json()) as T;
}

export const api = {
  /** Checks a key before the console keeps it: resolves when the server takes it. */
  async checkKey(key: string): Promise<void> {
    await send('GET', '/v1/collections', { key, quietOn401: true });
  },

  async collections(): Promise<Collection[]> {
    return (await json<{ collections: Collection[] }>('GET', '/v1/collections')).collections;
  },

  async deleteCollection(name: string): Promise<void> {
    await send('DELETE', `/v1/collections/${segment(name)}`);
  },

  /** Uploads files; each carries its relative path (folders) as its name. */
  async upload(collection: string, files: Array<{ file: File; name: string }>, metadata?: Record<string, unknown>, signal?: AbortSignal): Promise<UploadAnswer> {
    const form = new FormData();
    for (const { file, name } of files) form.append('files', file, name);
    if (metadata && Object.keys(metadata).length > 0) form.append('metadata', JSON.stringify(metadata));
    const response = await send('POST', `/v1/collections/${segment(collection)}/documents`, { form, signal });
    const body = (await response.json()) as { job?: Job; documents?: FileOutcome[]; summary?: UploadSummary };
    if (response.status === 202 && body.job) return { kind: 'job', job: body.job };
    return { kind: 'outcomes', documents: body.documents ?? [], summary: body.summary ?? { created: 0, updated: 0, unchanged: 0, failed: 0 } };
  },

  documents(collection: string, page: { limit: number; offset: number; sort: DocumentSortKey; order: SortOrder }): Promise<DocumentPage> {
    return json('GET', `/v1/collections/${segment(collection)}/documents`, { query: page });
  },

  /** When a document of the collection last changed: its newest document's update time, null when it has none. */
  async lastUpdate(collection: string, signal?: AbortSignal): Promise<string | null> {
    const page = await json<DocumentPage>('GET', `/v1/collections/${segment(collection)}/documents`, { query: { limit: 1, offset: 0, sort: 'updatedAt', order: 'desc' }, signal });
    return page.documents[0]?.updatedAt ?? null;
  },

  document(collection: string, id: string): Promise<DocumentWithChunks> {
    return json('GET', `/v1/collections/${segment(collection)}/documents/${segment(id)}`);
  },

  async deleteDocument(collection: string, id: string): Promise<void> {
    await send('DELETE', `/v1/collections/${segment(collection)}/documents/${segment(id)}`);
  },

  search(collection: string, request: SearchRequest, signal?: AbortSignal): Promise<SearchResponse> {
    return json('POST', `/v1/collections/${segment(collection)}/search`, { json: request, signal });
  },

  /** A streamed answer: the handlers see sources and text as they come; resolves with the whole response. */
  async askStreaming(collection: string, request: AskRequest, handlers: AskStreamHandlers, signal?: AbortSignal): Promise<AskResponse> {
    const response = await send('POST', `/v1/collections/${segment(collection)}/ask`, { json: { ...request, stream: true }, signal, accept: 'text/event-stream' });
    if (!response.body) throw new ApiError(0, 'STREAM_CUT', 'The server sent no answer stream.');
    return readAskStream(response.body, handlers);
  },

  async job(id: string, signal?: AbortSignal): Promise<Job> {
    return (await json<{ job: Job }>('GET', `/v1/jobs/${segment(id)}`, { signal })).job;
  },

  jobs(filter: { state?: JobState; kind?: string; limit?: number; offset?: number } = {}): Promise<{ jobs: Job[]; total: number }> {
    return json('GET', '/v1/jobs', { query: filter });
  },

  usage(range: { from?: string; to?: string } = {}): Promise<UsageReport> {
    return json('GET', '/v1/usage', { query: range });
  },

  settings(): Promise<Settings> {
    return json('GET', '/v1/settings');
  },

  /** Whether `ask` takes earlier turns (`history`), read from the server's OpenAPI document. */
  async askTakesHistory(): Promise<boolean> {
    try {
      const document = await json<OpenApiDocument>('GET', '/docs/openapi.json');
      const schema = document.paths?.['/v1/collections/{collection}/ask']?.post?.requestBody?.content?.['application/json']?.schema;
      return Boolean(schema?.properties && 'history' in schema.properties);
    } catch {
      return false;
    }
  },
};

interface OpenApiDocument {
  paths?: Record<string, { post?: { requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } } }>;
}
