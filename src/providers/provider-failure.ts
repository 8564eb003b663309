// Turns what the Gemini and Ollama clients throw into one classification: whether a retry
// can help, how long the provider asked us to wait, and the Sift error a client should see.
import { ErrorCode, SiftError } from '../common/errors.js';
import type { StageModel } from './provider-types.js';

export type FailureKind = 'rate-limit' | 'server' | 'timeout' | 'aborted' | 'unreachable' | 'rejected' | 'bad-output';

export interface ProviderFailure {
  kind: FailureKind;
  status?: number;
  retryAfterMs?: number;
  detail: string;
}

interface ErrorShape {
  name?: string;
  message?: string;
  status?: number;
  status_code?: number;
  code?: string;
  cause?: unknown;
  errorDetails?: Array<{ '@type'?: string; retryDelay?: string }>;
  retryAfterMs?: number;
}

/** Google reports the wait in a RetryInfo detail ("12s" or "1.5s"). */
function googleRetryDelayMs(error: ErrorShape): number | undefined {
  const info = error.errorDetails?.find((detail) => detail['@type']?.endsWith('RetryInfo'));
  const seconds = info?.retryDelay ? Number.parseFloat(info.retryDelay) : Number.NaN;
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/** The HTTP status a client error carries, where the client exposes one. */
function statusOf(error: ErrorShape): number | undefined {
  if (typeof error.status === 'number') return error.status;
  if (typeof error.status_code === 'number') return error.status_code;
  // @google/generative-ai puts "[429 Too Many Requests]" in the message of some errors.
  const match = /\[(\d{3})[^\]]*\]/.exec(error.message ?? '');
  return match ? Number(match[1]) : undefined;
}

function isNetworkError(error: ErrorShape): boolean {
  const cause = error.cause as ErrorShape | undefined;
  const code = error.code ?? cause?.code;
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'].includes(code ?? '') ||
    /fetch failed|socket hang up|terminated|other side closed|network/i.test(error.message ?? '')
  );
}

export function classifyProviderError(error: unknown, signal?: AbortSignal): ProviderFailure {
  const shape = (error ?? {}) as ErrorShape;
  const detail = (shape.message ?? String(error)).slice(0, 300);
  if (signal?.aborted) {
    const reason = signal.reason as ErrorShape | undefined;
    return { kind: reason?.name === 'TimeoutError' ? 'timeout' : 'aborted', detail };
  }
  if (shape.name === 'TimeoutError') return { kind: 'timeout', detail };
  if (shape.name === 'AbortError') return { kind: 'aborted', detail };
  const status = statusOf(shape);
  if (status === 429) {
    const retryAfterMs = shape.retryAfterMs ?? googleRetryDelayMs(shape);
    return { kind: 'rate-limit', status, detail, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (status !== undefined && status >= 500) return { kind: 'server', status, detail };
  if (status !== undefined && status >= 400) return { kind: 'rejected', status, detail };
  if (isNetworkError(shape)) return { kind: 'unreachable', detail };
  if (error instanceof SyntaxError || /JSON|Unexpected token|parse/i.test(detail)) return { kind: 'bad-output', detail };
  return { kind: 'server', detail };
}

export function isRetryable(failure: ProviderFailure): boolean {
  return failure.kind === 'rate-limit' || failure.kind === 'server' || failure.kind === 'unreachable' || failure.kind === 'bad-output';
}

const CODE_FOR_KIND: Record<FailureKind, ErrorCode> = {
  'rate-limit': ErrorCode.ProviderRateLimited,
  server: ErrorCode.ProviderFailed,
  timeout: ErrorCode.ProviderTimeout,
  aborted: ErrorCode.ProviderTimeout,
  unreachable: ErrorCode.ProviderUnavailable,
  rejected: ErrorCode.ProviderRejected,
  'bad-output': ErrorCode.ProviderBadOutput,
};

const ADVICE: Record<FailureKind, string> = {
  'rate-limit': 'the provider is rate limiting; retry later or lower EMBEDDING_CONCURRENCY',
  server: 'the provider failed; retry later',
  timeout: 'the call took longer than its time budget (MODEL_TIMEOUT_MS)',
  aborted: 'the call was cancelled',
  unreachable: 'the provider cannot be reached; check its base URL and that it is running',
  rejected: 'the provider refused the request; check the API key and model name',
  'bad-output': 'the provider sent a response Sift could not read',
};

export function providerError(failure: ProviderFailure, model: StageModel, attempts: number): SiftError {
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const status = failure.status ? ` (HTTP ${failure.status})` : '';
  return new SiftError(
    CODE_FOR_KIND[failure.kind],
    `${model.provider} model ${model.model} failed${tries}${status}: ${ADVICE[failure.kind]}. Detail: ${failure.detail}`,
    { provider: model.provider, model: model.model, kind: failure.kind },
  );
}
