import { useEffect, useState } from 'react';
import type { ClassPreset } from '../../../electron/common/edit-schemas';
import { client, errorInfoOf } from '../api/client';
import type { Editor } from './useEditor';

/** The class palette (with presets to add from) and the selected label's class and track id. */
export function EditorSidePanel({ editor, onError }: { editor: Editor; onError: (e: ReturnType<typeof errorInfoOf>) => void }) {
  const [presets, setPresets] = useState<ClassPreset[]>([]);
  const [preset, setPreset] = useState(0);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    client.call('class.presets', {}).then(setPresets, (e) => onError(errorInfoOf(e)));
  }, [onError]);
  const sel = editor.selected;
  const [track, setTrack] = useState('');
  useEffect(() => setTrack(sel?.trackId === null || sel === null ? '' : String(sel.trackId)), [sel?.id, sel?.trackId, sel]);

  const commitTrack = () => {
    if (!sel) return;
    const t = track.trim() === '' ? null : Number(track);
    if (t !== null && (!Number.isInteger(t) || t < 0)) {
      onError({ code: 'INVALID_INPUT', message: `track id must be a whole number ≥ 0, got "${track}"` });
      return setTrack(sel.trackId === null ? '' : String(sel.trackId));
    }
    if (t !== sel.trackId) editor.setTrack(sel.id, t);
  };

  return (
    <aside className="editor-side" data-testid="editor-side">
      <h3>Selected</h3>
      {sel ? (
        <div className="selected-props" data-testid="selected-props" data-annotation-id={sel.id}>
          <div>
            <span className="swatch" style={{ background: editor.classById.get(sel.classId)?.color }} /> {editor.classById.get(sel.classId)?.name}
            <span className="muted"> · {sel.rle ? 'mask' : 'box'} · {sel.source}</span>
          </div>
          <label className="editor-field">
            track id
            <input
              data-testid="track-id"
              value={track}
              placeholder="none"
              onChange={(e) => setTrack(e.target.value)}
              onBlur={commitTrack}
              onKeyDown={(e) => {
                if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
                e.stopPropagation();
              }}
            />
          </label>
          <div className="muted">
            x {Math.round(sel.bbox.x)} y {Math.round(sel.bbox.y)} · {Math.round(sel.bbox.w)}×{Math.round(sel.bbox.h)}
            {sel.score !== null && ` · score ${sel.score.toFixed(2)}`}
          </div>
        </div>
      ) : (
        <div className="muted">Click a label to select it (V).</div>
      )}
      {editor.notice && (
        <div className="editor-notice" data-testid="editor-notice">
          {editor.notice}
        </div>
      )}
      <h3>Classes</h3>
      <ul className="palette" data-testid="palette">
        {editor.classes.map((c) => (
          <li key={c.id}>
            <button
              className={`palette-item${editor.classId === c.id ? ' palette-item-on' : ''}`}
              data-testid={`class-${c.name}`}
              aria-pressed={editor.classId === c.id}
              onClick={() => editor.chooseClass(c.id)}
              title={sel ? `Use ${c.name} (also for the selected label)` : `Draw with ${c.name}`}
            >
              <span className="swatch" style={{ background: c.color }} />
              {c.name}
              {!c.hasInstances && <span className="palette-key">stuff</span>}
            </button>
          </li>
        ))}
        {editor.classes.length === 0 && <li className="muted">No classes yet: add a preset below.</li>}
      </ul>
      <div className="preset-row">
        <select data-testid="preset-select" value={preset} onChange={(e) => setPreset(Number(e.target.value))}>
          {presets.map((p, i) => (
            <option key={p.name} value={i}>
              {p.name}
            </option>
          ))}
        </select>
        <button
          className="button"
          data-testid="preset-add"
          disabled={busy || !presets[preset]}
          onClick={async () => {
            setBusy(true);
            await editor.addClasses(presets[preset]!.classes);
            setBusy(false);
          }}
        >
          Add
        </button>
      </div>

    </aside>
  );
}
