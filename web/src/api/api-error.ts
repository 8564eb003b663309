// An error the server answered, with its status, stable code and message (the
// `{error: {code, message}}` body), or a network failure with status 0.
import type { ErrorBody } from './types.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get unauthorized(): boolean {
    return this.status === 401;
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  const error = (value as ErrorBody | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

/** The server's own error from a failed response, or a plain description when the body is not Sift's. */
export async function apiErrorFrom(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    if (isErrorBody(body)) return new ApiError(response.status, body.error.code, body.error.message, body.error.details);
  } catch {
    // not JSON: described below
  }
  return new ApiError(response.status, `HTTP_${response.status}`, `The server answered ${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`);
}

export function networkError(cause: unknown): ApiError {
  return new ApiError(0, 'NETWORK', `The server could not be reached: ${cause instanceof Error ? cause.message : String(cause)}`);
}
