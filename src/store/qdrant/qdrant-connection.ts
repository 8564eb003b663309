// The one place that talks to Qdrant: builds the REST client and turns every failure into a
// SiftError with a code, so callers above never see a client exception or an HTTP detail.
import { QdrantClient, QdrantClientTimeoutError, QdrantClientUnexpectedResponseError } from '@qdrant/js-client-rest';
import { ErrorCode, SiftError } from '../../common/errors.js';

export interface QdrantConnectionOptions {
  url: string;
  apiKey?: string;
  /** Per-request budget. */
  timeoutMs?: number;
}

/** Told when Qdrant says a collection Sift relies on does not exist (deleted behind Sift's back). */
export type MissingCollectionListener = (collection: string) => void;

// Qdrant's words for a missing collection (lib/collection: CollectionError::NotFound).
const MISSING_COLLECTION = /Collection `([^`]+)` doesn't exist/;

/** What the client throws for a non-2xx answer (ApiError of its fetch layer), read structurally. */
interface QdrantHttpError {
  status: number;
  data?: { status?: { error?: string } | string };
}

function isHttpError(error: unknown): error is QdrantHttpError {
  return typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number' && 'data' in error;
}

function serverMessage(error: QdrantHttpError): string {
  const status = error.data?.status;
  if (typeof status === 'object' && status?.error) return status.error;
  return typeof status === 'string' ? status : `HTTP ${error.status}`;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof SiftError && error.details?.['qdrantStatus'] === 404;
}

export class QdrantConnection {
  readonly client: QdrantClient;
  onMissingCollection: MissingCollectionListener | null = null;

  private readonly timeoutMs: number;

  constructor(readonly options: QdrantConnectionOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.client = new QdrantClient({
      url: options.url,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      timeout: this.timeoutMs,
      // The version check runs unawaited at construction and only logs; readiness reports reachability instead.
      checkCompatibility: false,
    });
  }

  /** Runs one client call; `operation` names it in the error a caller sees. */
  async call<T>(operation: string, run: (client: QdrantClient) => Promise<T>): Promise<T> {
    try {
      return await run(this.client);
    } catch (error) {
      throw this.translate(operation, error);
    }
  }

  private translate(operation: string, error: unknown): SiftError {
    if (error instanceof SiftError) return error;
    const where = `Qdrant at ${this.options.url}`;
    if (isHttpError(error)) {
      const message = serverMessage(error);
      const details = { qdrantStatus: error.status, operation };
      const missing = error.status === 404 ? MISSING_COLLECTION.exec(message)?.[1] : undefined;
      if (missing) {
        // Sift created it, so someone removed it; Sift makes it again on the next request.
        this.onMissingCollection?.(missing);
        return new SiftError(ErrorCode.StoreUnavailable, `${where} has no collection "${missing}" (deleted outside Sift?) and could not ${operation}; Sift creates it again on the next request.`, details);
      }
      if (error.status === 401 || error.status === 403) {
        return new SiftError(ErrorCode.StoreUnavailable, `${where} refused the request to ${operation} (${error.status}): check QDRANT_API_KEY.`, details);
      }
      if (error.status === 429 || error.status >= 500) {
        return new SiftError(ErrorCode.StoreUnavailable, `${where} could not ${operation} (${error.status}): ${message}`, details);
      }
      if (/vector dimension error/i.test(message)) {
        return new SiftError(ErrorCode.EmbeddingMismatch, `${where} refused a vector: ${message}`, details);
      }
      // Other 4xx answers mean Sift sent something Qdrant does not accept: a bug here, not the caller's.
      return new SiftError(ErrorCode.Internal, `${where} rejected the request to ${operation} (${error.status}): ${message}`, details);
    }
    if (error instanceof QdrantClientTimeoutError) {
      return new SiftError(ErrorCode.StoreTimeout, `${where} did not answer within ${this.timeoutMs} ms (QDRANT_TIMEOUT_MS) to ${operation}.`, { operation });
    }
    if (error instanceof QdrantClientUnexpectedResponseError) {
      return new SiftError(ErrorCode.StoreUnavailable, `${where} gave an unexpected answer to ${operation}: ${error.message}`, { operation });
    }
    const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return new SiftError(ErrorCode.StoreUnavailable, `${where} is not reachable (${operation}): ${reason}`, { operation });
  }
}
