/** The editor's keyboard shortcuts: one table, read by the key handler and listed by the help panel. */

export const TOOLS = ['select', 'box', 'brush', 'eraser', 'polygon'] as const;
export type Tool = (typeof TOOLS)[number];

export type EditorCommand =
  | { tool: Tool }
  | { action: 'delete' | 'undo' | 'redo' | 'verify' | 'accept' | 'carry' | 'help' | 'brush-smaller' | 'brush-bigger' | 'close-polygon' | 'cancel' };

export interface Shortcut {
  keys: string;
  what: string;
  command: EditorCommand;
  /** Does this KeyboardEvent trigger it? */
  matches: (e: KeyboardEvent) => boolean;
}

const plain = (key: string) => (e: KeyboardEvent) => !e.ctrlKey && !e.metaKey && !e.altKey && e.key.toLowerCase() === key;
const ctrl = (key: string, shift: boolean) => (e: KeyboardEvent) => (e.ctrlKey || e.metaKey) && e.shiftKey === shift && e.key.toLowerCase() === key;

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: 'V', what: 'Select, move and resize', command: { tool: 'select' }, matches: plain('v') },
  { keys: 'B', what: 'Draw a box with the current class', command: { tool: 'box' }, matches: plain('b') },
  { keys: 'P', what: 'Paint a mask (brush)', command: { tool: 'brush' }, matches: plain('p') },
  { keys: 'E', what: 'Erase from the selected mask', command: { tool: 'eraser' }, matches: plain('e') },
  { keys: 'G', what: 'Polygon: click points, Enter closes', command: { tool: 'polygon' }, matches: plain('g') },
  { keys: '[ / ]', what: 'Brush smaller / bigger', command: { action: 'brush-smaller' }, matches: plain('[') },
  { keys: ']', what: '', command: { action: 'brush-bigger' }, matches: plain(']') },
  { keys: 'Del', what: 'Delete the selected label', command: { action: 'delete' }, matches: (e) => e.key === 'Delete' || e.key === 'Backspace' },
  { keys: 'Ctrl+Z', what: 'Undo', command: { action: 'undo' }, matches: ctrl('z', false) },
  { keys: 'Ctrl+Shift+Z', what: 'Redo (also Ctrl+Y)', command: { action: 'redo' }, matches: (e) => ctrl('z', true)(e) || ctrl('y', false)(e) },
  { keys: 'Enter', what: 'Verify the frame (closes a polygon first)', command: { action: 'verify' }, matches: (e) => e.key === 'Enter' && !e.ctrlKey },
  { keys: 'A', what: "Accept all: the frame's machine labels become yours, verified", command: { action: 'accept' }, matches: plain('a') },
  { keys: 'C', what: 'Carry the selected label forward (limit in the field)', command: { action: 'carry' }, matches: plain('c') },
  { keys: 'Esc', what: 'Cancel the polygon, deselect', command: { action: 'cancel' }, matches: (e) => e.key === 'Escape' },
  { keys: '?', what: 'This help', command: { action: 'help' }, matches: (e) => e.key === '?' },
];

/** Shortcuts of the frame view itself (App), listed in the help too. */
export const VIEW_SHORTCUTS: readonly { keys: string; what: string }[] = [
  { keys: '← / →', what: 'Previous / next frame (Shift: 10)' },
  { keys: 'Home / End', what: 'First / last frame' },
  { keys: 'Wheel', what: 'Zoom around the pointer' },
  { keys: 'Space+drag', what: 'Pan' },
  { keys: '0 / F, 1', what: 'Fit the frame, 100 %' },
];

export function commandFor(e: KeyboardEvent): EditorCommand | null {
  return SHORTCUTS.find((s) => s.matches(e))?.command ?? null;
}
