import { useEffect, type ReactNode } from 'react';
import { Icon } from './icons';

/** A modal panel over the app: title bar with a close button, a body, and an optional footer. Esc closes it. */
export function Dialog(props: { title: string; testId: string; onClose: () => void; footer?: ReactNode; wide?: boolean; children: ReactNode }) {
  const { onClose } = props;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onClose]);
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <section className={props.wide ? 'dialog dialog-wide' : 'dialog'} role="dialog" aria-label={props.title} data-testid={props.testId}>
        <header className="dialog-title">
          <h2>{props.title}</h2>
          <button className="icon-button" title="Close (Esc)" data-testid={`${props.testId}-close`} onClick={onClose}>
            <Icon name="close" size={14} />
          </button>
        </header>
        <div className="dialog-body">{props.children}</div>
        {props.footer && <footer className="dialog-footer">{props.footer}</footer>}
      </section>
    </div>
  );
}

/** A labelled row of a dialog form. */
export function Field(props: { label: string; hint?: string; children: ReactNode }) {
  return (
    <label className="field">
      <span className="field-label">{props.label}</span>
      <span className="field-control">{props.children}</span>
      {props.hint && <span className="field-hint">{props.hint}</span>}
    </label>
  );
}

/** An error shown inside a dialog, with its code, message and (when the core listed them) the problems one by one. */
export function InlineError(props: { error: { code: string; message: string; details?: Record<string, unknown> } | null; testId: string; children?: ReactNode }) {
  if (!props.error) return null;
  const problems = Array.isArray(props.error.details?.problems) ? (props.error.details.problems as string[]) : [];
  return (
    <div className="inline-error" role="alert" data-testid={props.testId}>
      <span className="error-code">{props.error.code}</span> <span data-testid={`${props.testId}-message`}>{props.error.message}</span>
      {problems.length > 1 && (
        <ul className="problem-list" data-testid={`${props.testId}-problems`}>
          {problems.slice(0, 50).map((p, i) => (
            <li key={i}>{p}</li>
          ))}
          {problems.length > 50 && <li>… and {problems.length - 50} more</li>}
        </ul>
      )}
      {props.children}
    </div>
  );
}

/** "1 frame", "3 frames". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A background task's progress bar, what it is doing, and its Cancel button (disabled while cancelling). */
export function TaskProgress(props: {
  testId: string;
  done: number;
  total: number;
  label: string;
  cancelling: boolean;
  onCancel: () => void;
}) {
  const pct = props.total ? Math.round((100 * props.done) / props.total) : 0;
  return (
    <div className="export-progress" data-testid={`${props.testId}-progress`} data-done={props.done}>
      <div className="progress-bar">
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <span className="muted" data-testid={`${props.testId}-progress-label`}>
        {props.label}
      </span>
      <button className="button" data-testid={`${props.testId}-cancel`} disabled={props.cancelling} onClick={props.onCancel}>
        {props.cancelling ? 'Cancelling…' : 'Cancel'}
      </button>
    </div>
  );
}
