import { useEffect, useRef } from 'react';
import { commitPolygon } from './EditorLayer';
import { commandFor } from './shortcuts';
import type { Editor } from './useEditor';

function isTextField(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el instanceof HTMLInputElement) return el.type !== 'range' && el.type !== 'checkbox';
  return el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement || el.isContentEditable;
}

/** The editor's shortcuts (shortcuts.ts) on the window, while a video is shown. */
export function useEditorKeys(editor: Editor, video: { width: number; height: number } | null): void {
  const ref = useRef({ editor, video });
  ref.current = { editor, video };
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const { editor: ed, video: v } = ref.current;
      if (!v || isTextField(e.target) || e.repeat && e.key === 'Enter') return;
      const cmd = commandFor(e);
      if (!cmd) return;
      e.preventDefault();
      if ('tool' in cmd) {
        ed.setTool(cmd.tool);
        if (cmd.tool !== 'polygon') ed.setPolygon([]);
        return;
      }
      switch (cmd.action) {
        case 'delete':
          return ed.deleteSelected();
        case 'undo':
          return ed.undo();
        case 'redo':
          return ed.redo();
        case 'verify':
          if (ed.polygon.length >= 3) {
            commitPolygon(ed, ed.polygon, v.width, v.height);
            return ed.setPolygon([]);
          }
          return ed.verify();
        case 'accept':
          return ed.acceptAll();
        case 'carry':
          return ed.carry();
        case 'help':
          return ed.setHelpOpen(!ed.helpOpen);
        case 'brush-smaller':
          return ed.setBrush(ed.brush / 1.25);
        case 'brush-bigger':
          return ed.setBrush(Math.max(ed.brush + 1, ed.brush * 1.25));
        case 'close-polygon':
          commitPolygon(ed, ed.polygon, v.width, v.height);
          return ed.setPolygon([]);
        case 'cancel':
          if (ed.polygon.length) return ed.setPolygon([]);
          if (ed.helpOpen) return ed.setHelpOpen(false);
          return ed.select(null);
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
