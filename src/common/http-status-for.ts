import { ErrorCode } from './errors.js';

/** The HTTP status for each error code; the switch is exhaustive, so a new code must be placed here. */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.ValidationFailed:
    case ErrorCode.MalformedJson:
    case ErrorCode.QueryTooLong:
    case ErrorCode.InvalidCollectionName:
    case ErrorCode.InvalidSourceName:
    case ErrorCode.DuplicateFileName:
    case ErrorCode.NoFiles:
    case ErrorCode.TooManyFiles:
    case ErrorCode.EmptyFile:
    case ErrorCode.AllFilesFailed:
    case ErrorCode.MessageTooLong:
    case ErrorCode.MaxTokensTooLarge:
    case ErrorCode.TooManyTexts:
    case ErrorCode.TextTooLong:
    case ErrorCode.ModelNotAllowed:
    case ErrorCode.ConversationTooLong:
    case ErrorCode.UnsupportedParameter:
    case ErrorCode.TooManyDocuments:
    case ErrorCode.DocumentTooLong:
    case ErrorCode.ImageUrlRefused:
      return 400;
    case ErrorCode.Unauthorized:
      return 401;
    case ErrorCode.Forbidden:
      return 403;
    case ErrorCode.CollectionNotFound:
    case ErrorCode.DocumentNotFound:
    case ErrorCode.JobNotFound:
    case ErrorCode.RouteNotFound:
    case ErrorCode.KeyNotFound:
      return 404;
    case ErrorCode.MethodNotAllowed:
      return 405;
    case ErrorCode.EmbeddingMismatch:
    case ErrorCode.KeyExists:
    case ErrorCode.DocumentBusy:
      return 409;
    case ErrorCode.FileTooLarge:
    case ErrorCode.BodyTooLarge:
      return 413;
    case ErrorCode.UnsupportedType:
    case ErrorCode.ContentMismatch:
      return 415;
    case ErrorCode.CorruptFile:
    case ErrorCode.NoText:
    case ErrorCode.EncryptedFile:
    case ErrorCode.FileTooComplex:
    case ErrorCode.ImageFetchFailed:
      return 422;
    case ErrorCode.RateLimited:
    case ErrorCode.BudgetExceeded:
      return 429;
    case ErrorCode.ProviderFailed:
    case ErrorCode.ProviderRejected:
    case ErrorCode.ProviderBadOutput:
      return 502;
    case ErrorCode.StoreUnavailable:
    case ErrorCode.RedisUnavailable:
    case ErrorCode.ProviderRateLimited:
    case ErrorCode.ProviderUnavailable:
    case ErrorCode.ProviderNotConfigured:
    case ErrorCode.JobInterrupted:
      return 503;
    case ErrorCode.ProviderTimeout:
    case ErrorCode.StoreTimeout:
      return 504;
    case ErrorCode.Internal:
      return 500;
    default: {
      const unhandled: never = code;
      throw new Error(`No HTTP status for error code ${String(unhandled)}`);
    }
  }
}
