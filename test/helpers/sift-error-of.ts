import { SiftError } from '../../src/common/errors.js';

/** The SiftError a promise rejects with; anything else (or no rejection) fails the test. */
export async function siftErrorOf(promise: Promise<unknown>): Promise<SiftError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SiftError) return error;
    throw error;
  }
  throw new Error('expected a SiftError');
}
