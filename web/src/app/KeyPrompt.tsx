// Asks for the API key when the server wants one (SIFT_API_KEYS is set) or refused the one
// given. The key is checked against the server before it is kept for the session.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import { storeApiKey } from '../api/api-key.ts';

export function KeyPrompt({ reason, onAccepted }: { reason: string; onAccepted(): void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.checkKey(key.trim());
      storeApiKey(key.trim());
      onAccepted();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      input.current?.select();
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="key-prompt">
      <h1>API key needed</h1>
      <p>{reason}</p>
      <form onSubmit={(event) => void submit(event)}>
        <label class="field">
          <span>API key</span>
          <input ref={input} type="password" name="apiKey" autocomplete="off" required value={key} onInput={(event) => setKey(event.currentTarget.value)} aria-describedby="key-help" aria-invalid={error ? true : undefined} />
        </label>
        <p id="key-help" class="muted">
          Kept in this browser tab only (session storage) and sent as <code>Authorization: Bearer</code> on every call.
        </p>
        {error && (
          <p class="notice notice-error" role="alert">
            Refused: {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Checking…' : 'Use this key'}
        </button>
      </form>
    </main>
  );
}
