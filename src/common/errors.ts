// Sift's error vocabulary: every failure a client can see carries a stable code, and the
// code alone decides the HTTP status (see http-status-for.ts).
export const ErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  MalformedJson: 'MALFORMED_JSON',
  QueryTooLong: 'QUERY_TOO_LONG',
  InvalidCollectionName: 'INVALID_COLLECTION_NAME',
  InvalidSourceName: 'INVALID_SOURCE_NAME',
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
  AllFilesFailed: 'ALL_FILES_FAILED',
  CollectionNotFound: 'COLLECTION_NOT_FOUND',
  DocumentNotFound: 'DOCUMENT_NOT_FOUND',
  RouteNotFound: 'ROUTE_NOT_FOUND',
  MethodNotAllowed: 'METHOD_NOT_ALLOWED',
  Unauthorized: 'UNAUTHORIZED',
  EmbeddingMismatch: 'EMBEDDING_MISMATCH',
  StoreUnavailable: 'STORE_UNAVAILABLE',
  ProviderRateLimited: 'PROVIDER_RATE_LIMITED',
  ProviderUnavailable: 'PROVIDER_UNAVAILABLE',
  ProviderFailed: 'PROVIDER_FAILED',
  ProviderRejected: 'PROVIDER_REJECTED',
  ProviderBadOutput: 'PROVIDER_BAD_OUTPUT',
  ProviderTimeout: 'PROVIDER_TIMEOUT',
  ProviderNotConfigured: 'PROVIDER_NOT_CONFIGURED',
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
