// A failure as the server described it: its message, and its code for looking it up in the
// README's error table.
import { ApiError } from '../api/api-error.ts';

export function ErrorNotice({ error, title }: { error: Error | null; title?: string }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : null;
  return (
    <div class="notice notice-error" role="alert">
      {title && <strong>{title}: </strong>}
      <span class="error-message">{error.message}</span>
      {code && <code class="error-code">{code}</code>}
    </div>
  );
}
