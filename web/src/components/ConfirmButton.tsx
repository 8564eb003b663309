// A destructive action behind a confirmation: a modal dialog (the browser's own <dialog>,
// which keeps focus inside and closes on Escape) that names what will be removed.
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';

interface Props {
  label: string;
  /** The dialog's question, e.g. 'Delete collection "handbook" and its 12 documents?' */
  question: ComponentChildren;
  confirmLabel: string;
  onConfirm(): Promise<void>;
  class?: string;
}

export function ConfirmButton({ label, question, confirmLabel, onConfirm, class: className }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      dialog.current?.close();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" class={className ?? 'danger'} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} class="confirm" aria-label={label}>
        <p>{question}</p>
        {error && (
          <p class="notice notice-error" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="button" onClick={() => dialog.current?.close()} disabled={busy}>
            Cancel
          </button>
          <button type="button" class="danger" onClick={() => void confirm()} disabled={busy}>
            {confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
