import { TIMELINE_SHORTCUTS } from '../timeline/shortcuts';
import { SHORTCUTS, VIEW_SHORTCUTS } from './shortcuts';

/** Every shortcut, from the same table the key handler reads. */
export function HelpPanel({ onClose }: { onClose: () => void }) {
  const rows = [...SHORTCUTS.filter((s) => s.what), ...VIEW_SHORTCUTS, ...TIMELINE_SHORTCUTS];
  return (
    <div className="help-panel" role="dialog" aria-label="Keyboard shortcuts" data-testid="help-panel">
      <div className="help-head">
        <strong>Keyboard shortcuts</strong>
        <button className="button" onClick={onClose}>
          Close
        </button>
      </div>
      <table>
        <tbody>
          {rows.map((r) => (
            <tr key={r.keys}>
              <td>
                <kbd>{r.keys}</kbd>
              </td>
              <td>{r.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
