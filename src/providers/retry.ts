// Retries a model call on failures that a retry can fix (429, 5xx, dropped connections),
// waiting as long as the provider asked, else exponential backoff with jitter. Never
// waits past the caller's deadline: a retry that cannot finish in time is not attempted.
import { setTimeout as sleep } from 'node:timers/promises';
import type { StageModel } from './provider-types.js';
import { classifyProviderError, isRetryable, providerError, type ProviderFailure } from './provider-failure.js';

export interface RetryOptions {
  maxRetries: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  onRetry?: (failure: ProviderFailure, attempt: number, delayMs: number) => void;
}

export async function withRetries<T>(model: StageModel, call: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const base = options.baseDelayMs ?? 250;
  const cap = options.maxDelayMs ?? 10_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      const failure = classifyProviderError(error, options.signal);
      if (!isRetryable(failure) || attempt > options.maxRetries || options.signal?.aborted) {
        throw providerError(failure, model, attempt);
      }
      const backoff = Math.min(cap, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      const delay = Math.min(cap, failure.retryAfterMs ?? backoff);
      options.onRetry?.(failure, attempt, delay);
      try {
        await sleep(delay, undefined, { signal: options.signal });
      } catch {
        throw providerError(classifyProviderError(error, options.signal), model, attempt);
      }
    }
  }
}
