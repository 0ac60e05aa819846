// A modal question before an action that changes a move. The native <dialog> keeps focus inside and
// closes on Escape; the page behind cannot be used meanwhile.
import { useEffect, useId, useRef, type FormEvent, type ReactNode, type ReactElement } from 'react';

export function ConfirmDialog({
  title,
  confirmLabel,
  dismissLabel,
  busy,
  danger,
  onConfirm,
  onClose,
  children,
}: {
  title: string;
  confirmLabel: string;
  dismissLabel: string;
  busy: boolean;
  danger?: boolean;
  onConfirm: () => void;
  onClose: () => void;
  children?: ReactNode;
}): ReactElement {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!busy) onConfirm();
  };
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      <form onSubmit={submit} noValidate>
        <h2 id={titleId}>{title}</h2>
        {children}
        <div className="actions">
          <button type="submit" className={danger ? 'button-danger' : undefined} disabled={busy} aria-busy={busy}>
            {busy ? 'Working…' : confirmLabel}
          </button>
          <button type="button" className="button-secondary" onClick={onClose} disabled={busy}>
            {dismissLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
