/** A person's edits of the labels, each one undoable step (see edits.ts), and carrying a correction forward. */
export { acceptAll, clipBox, createAnnotation, deleteAnnotation, history, maskAt, recordedEdit, redo, setFrameVerified, undo, updateAnnotation } from './edits';
export type { AnnotationEdit, NewAnnotation } from './edits';
export { carryForward, writeCarried, type CarryOutcome } from './carry';
export { classPresets } from './presets';
