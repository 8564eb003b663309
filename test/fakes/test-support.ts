// Small helpers for tests that drive the real model clients against the fakes.

/** Resolves once `condition` holds, checking every few ms; rejects after `limitMs` (a safety net, not an assertion). */
export async function waitUntil(condition: () => boolean, limitMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error(`waitUntil: condition still false after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Whether a promise has settled yet, without waiting for it. */
export async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  const winner = await Promise.race([promise.then(() => true, () => true), new Promise((resolve) => setImmediate(() => resolve(pending)))]);
  return winner !== pending;
}

/**
 * Collects unhandled promise rejections until stopped. @google/generative-ai (under
 * ChatGoogleGenerativeAI) leaves one behind whenever a streamed answer breaks: its stream is
 * tee'd into the chunk iterator and an aggregated `response` promise that nobody awaits, so
 * the second copy of the error is unhandled. Vitest reports those as errors unless another
 * listener exists; in a Node server without a listener they crash the process.
 */
export function collectUnhandledRejections(): { errors: unknown[]; stop: () => void } {
  const errors: unknown[] = [];
  const listener = (reason: unknown): void => {
    errors.push(reason);
  };
  process.on('unhandledRejection', listener);
  return { errors, stop: () => process.off('unhandledRejection', listener) };
}
