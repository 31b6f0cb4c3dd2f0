import type { ErrorInfo } from '../../../electron/common/errors';
import { Icon } from './icons';

/** The last error, over the stage where the user is looking, until dismissed. */
export function ErrorBanner({ error, onDismiss }: { error: ErrorInfo | null; onDismiss: () => void }) {
  if (!error) return null;
  return (
    <div className="error-banner" role="alert" data-testid="error-banner">
      <span className="error-code" data-testid="error-code">
        {error.code}
      </span>
      <span className="error-message" data-testid="error-message">
        {error.message}
      </span>
      <button className="icon-button" data-testid="error-dismiss" title="Dismiss (Esc)" onClick={onDismiss}>
        <Icon name="close" size={14} />
      </button>
    </div>
  );
}
