import { ErrorCode, SiftError } from './errors.js';

const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Collection names appear in URLs and store keys, so they are kept to a safe alphabet. */
export function assertCollectionName(name: string): string {
  if (!COLLECTION_NAME.test(name)) {
    throw new SiftError(
      ErrorCode.InvalidCollectionName,
      `Collection name "${name.length > 80 ? `${name.slice(0, 80)}…` : name}" is not allowed: use 1-64 letters, digits, "_" or "-", starting with a letter or digit.`,
    );
  }
  return name;
}

/**
 * The answer for a collection that does not exist, and for one outside the caller's key scope:
 * the same code and words, so a key cannot learn which other collections exist.
 */
export function collectionNotFound(name: string): SiftError {
  return new SiftError(ErrorCode.CollectionNotFound, `Collection "${name}" does not exist; uploading documents to it creates it.`);
}
