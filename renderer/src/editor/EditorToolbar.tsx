import type React from 'react';
import type { Tool } from './shortcuts';
import type { Editor } from './useEditor';
import './editor.css';

const TOOL_BUTTONS: { tool: Tool; label: string; key: string }[] = [
  { tool: 'select', label: 'Select', key: 'V' },
  { tool: 'box', label: 'Box', key: 'B' },
  { tool: 'brush', label: 'Brush', key: 'P' },
  { tool: 'eraser', label: 'Eraser', key: 'E' },
  { tool: 'polygon', label: 'Polygon', key: 'G' },
];

/** Enter in a field hands the keys back to the shortcuts. */
const leaveOnEnter = (e: React.KeyboardEvent<HTMLInputElement>) => {
  if (e.key === 'Enter') e.currentTarget.blur();
};

/** Tools, layer toggles, undo/redo, verify/accept and carry-forward, above the stage. */
export function EditorToolbar({ editor, onHelp }: { editor: Editor; onHelp: () => void }) {
  const { labels } = editor;
  const verified = labels?.state === 'verified';
  return (
    <div className="editor-toolbar" data-testid="editor-toolbar" data-frame-state={labels?.state ?? ''} data-pending={editor.queue.pending}>
      <div className="editor-group" role="radiogroup" aria-label="tool">
        {TOOL_BUTTONS.map((t) => (
          <button
            key={t.tool}
            className={`button editor-tool${editor.tool === t.tool ? ' editor-tool-on' : ''}`}
            data-testid={`tool-${t.tool}`}
            aria-pressed={editor.tool === t.tool}
            title={`${t.label} (${t.key})`}
            onClick={() => editor.setTool(t.tool)}
          >
            {t.label} <kbd>{t.key}</kbd>
          </button>
        ))}
      </div>
      {(editor.tool === 'brush' || editor.tool === 'eraser') && (
        <label className="editor-field" title="Brush radius in video pixels ([ and ])">
          brush
          <input type="number" data-testid="brush-size" onKeyDown={leaveOnEnter} min={1} max={200} value={editor.brush} onChange={(e) => editor.setBrush(Number(e.target.value))} />
          px
        </label>
      )}
      <span className="top-spacer" />
      <div className="editor-group">
        <button className="button" data-testid="edit-undo" disabled={!labels?.history.undo} title={labels?.history.undo ? `Undo: ${labels.history.undo} (Ctrl+Z)` : 'Nothing to undo'} onClick={editor.undo}>
          Undo
        </button>
        <button className="button" data-testid="edit-redo" disabled={!labels?.history.redo} title={labels?.history.redo ? `Redo: ${labels.history.redo} (Ctrl+Shift+Z)` : 'Nothing to redo'} onClick={editor.redo}>
          Redo
        </button>
      </div>
      <div className="editor-group">
        <button className="button" data-testid="frame-verify" onClick={editor.verify} title="Verify the frame (Enter)">
          {verified ? 'Unverify' : 'Verify'}
        </button>
        <button className="button" data-testid="frame-accept" onClick={editor.acceptAll} title="Accept all: machine labels become yours, frame verified (A)">
          Accept all
        </button>
      </div>
      <div className="editor-group">
        <button className="button" data-testid="carry-forward" disabled={!editor.selected} onClick={editor.carry} title="Carry the selected label forward along the flow (C)">
          Carry forward
        </button>
        <label className="editor-field" title="How many frames at most">
          <input type="number" data-testid="carry-limit" onKeyDown={leaveOnEnter} min={1} max={300} value={editor.carryLimit} onChange={(e) => editor.setCarryLimit(Math.max(1, Math.min(300, Math.round(Number(e.target.value) || 1))))} />
          frames
        </label>
      </div>
      <button className="button" data-testid="editor-help" onClick={onHelp} title="Keyboard shortcuts (?)">
        ?
      </button>
    </div>
  );
}

/** Says that edits wait for the backend, and that they are kept. */
export function PendingBanner({ editor }: { editor: Editor }) {
  const { pending, offline, reason } = editor.queue;
  if (!offline || pending === 0) return null;
  return (
    <div className="pending-banner" role="status" data-testid="pending-banner">
      The backend is not answering ({reason}). {pending} edit{pending === 1 ? '' : 's'} kept and retried — nothing is lost.
    </div>
  );
}

/** A toggle per label layer (boxes, masks, track ids, scores). */
export function LayerToggles({ editor }: { editor: Editor }) {
  const { layers } = editor;
  return (
    <>
      {(['boxes', 'masks', 'ids', 'scores'] as const).map((k) => (
        <label key={k} className="check">
          <input type="checkbox" data-testid={`layer-${k}`} checked={layers[k]} onChange={(e) => editor.setLayers({ ...layers, [k]: e.target.checked })} /> {k}
        </label>
      ))}
    </>
  );
}
