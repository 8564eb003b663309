// The API key the person typed, kept for this browser session only (sessionStorage: gone when
// the tab closes, never sent anywhere but this server's API).
const STORAGE_KEY = 'sift.apiKey';

export function storedApiKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function storeApiKey(key: string | null): void {
  try {
    if (key) sessionStorage.setItem(STORAGE_KEY, key);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage refused (private mode): the key then lasts for this page only.
  }
}
