// Sift's error vocabulary: every failure a client can see carries a stable code, and the
// code alone decides the HTTP status (see http-status-for.ts).
export const ErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  MalformedJson: 'MALFORMED_JSON',
  QueryTooLong: 'QUERY_TOO_LONG',
  InvalidCollectionName: 'INVALID_COLLECTION_NAME',
  InvalidSourceName: 'INVALID_SOURCE_NAME',
  DuplicateFileName: 'DUPLICATE_FILE_NAME',
  NoFiles: 'NO_FILES',
  TooManyFiles: 'TOO_MANY_FILES',
  EmptyFile: 'EMPTY_FILE',
  FileTooLarge: 'FILE_TOO_LARGE',
  BodyTooLarge: 'BODY_TOO_LARGE',
  UnsupportedType: 'UNSUPPORTED_TYPE',
  ContentMismatch: 'CONTENT_MISMATCH',
  CorruptFile: 'CORRUPT_FILE',
  NoText: 'NO_TEXT',
  EncryptedFile: 'ENCRYPTED_FILE',
  /** A file that needs more heap, time or nesting than parsing allows (PARSE_HEAP_MB, PARSE_TIMEOUT_MS, HTML_MAX_DEPTH). */
  FileTooComplex: 'FILE_TOO_COMPLEX',
  AllFilesFailed: 'ALL_FILES_FAILED',
  CollectionNotFound: 'COLLECTION_NOT_FOUND',
  DocumentNotFound: 'DOCUMENT_NOT_FOUND',
  JobNotFound: 'JOB_NOT_FOUND',
  /** A job cut off by a restart that could not be resumed; only ever part of a job's record. */
  JobInterrupted: 'JOB_INTERRUPTED',
  RouteNotFound: 'ROUTE_NOT_FOUND',
  MethodNotAllowed: 'METHOD_NOT_ALLOWED',
  Unauthorized: 'UNAUTHORIZED',
  /** The key's role does not allow the route (e.g. a read key uploading). */
  Forbidden: 'FORBIDDEN',
  /** The key's requests per minute are used up; Retry-After says when to come back. */
  RateLimited: 'RATE_LIMITED',
  /** The key's monthly model budget is used up; calls that need a model wait for the reset. */
  BudgetExceeded: 'BUDGET_EXCEEDED',
  /** Another replica holds the document's write lease for longer than a writer waits (REDIS_URL). */
  DocumentBusy: 'DOCUMENT_BUSY',
  KeyNotFound: 'KEY_NOT_FOUND',
  KeyExists: 'KEY_EXISTS',
  EmbeddingMismatch: 'EMBEDDING_MISMATCH',
  StoreUnavailable: 'STORE_UNAVAILABLE',
  StoreTimeout: 'STORE_TIMEOUT',
  /** REDIS_URL is set and Redis cannot be reached; a feature that needs the shared state answers this. */
  RedisUnavailable: 'REDIS_UNAVAILABLE',
  ProviderRateLimited: 'PROVIDER_RATE_LIMITED',
  ProviderUnavailable: 'PROVIDER_UNAVAILABLE',
  ProviderFailed: 'PROVIDER_FAILED',
  ProviderRejected: 'PROVIDER_REJECTED',
  ProviderBadOutput: 'PROVIDER_BAD_OUTPUT',
  ProviderTimeout: 'PROVIDER_TIMEOUT',
  ProviderNotConfigured: 'PROVIDER_NOT_CONFIGURED',
  MessageTooLong: 'MESSAGE_TOO_LONG',
  MaxTokensTooLarge: 'MAX_TOKENS_TOO_LARGE',
  TooManyTexts: 'TOO_MANY_TEXTS',
  TextTooLong: 'TEXT_TOO_LONG',
  ModelNotAllowed: 'MODEL_NOT_ALLOWED',
  ConversationTooLong: 'CONVERSATION_TOO_LONG',
  UnsupportedParameter: 'UNSUPPORTED_PARAMETER',
  TooManyDocuments: 'TOO_MANY_DOCUMENTS',
  DocumentTooLong: 'DOCUMENT_TOO_LONG',
  ImageUrlRefused: 'IMAGE_URL_REFUSED',
  ImageFetchFailed: 'IMAGE_FETCH_FAILED',
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class SiftError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'SiftError';
  }
}

export function isSiftError(error: unknown): error is SiftError {
  return error instanceof SiftError;
}
