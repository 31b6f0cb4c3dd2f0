/** The editor's calls (common/edit-schemas.ts) for the handler table. */
import type { CallOutput, CallParsedInput } from '../../common/api';
import type { editCalls, EditableAnnotation, FrameLabels } from '../../common/edit-schemas';
import type { Session } from '../api/session';
import type { Annotation, ProjectStore } from '../store';
import { carryForward } from './carry';
import * as edits from './edits';
import { classPresets } from './presets';

type EditCallName = keyof typeof editCalls;
type Handler<N extends EditCallName> = (input: CallParsedInput<N>, session: Session) => Promise<CallOutput<N>>;

function editable(a: Annotation): EditableAnnotation {
  return {
    id: a.id,
    classId: a.classId,
    trackId: a.trackId,
    bbox: a.box,
    rle: a.mask?.counts ?? null,
    score: a.score,
    source: a.source,
    verified: a.verified,
  };
}

export function frameLabels(store: ProjectStore, videoId: number, index: number): FrameLabels {
  const frame = store.getFrame(videoId, index);
  return {
    videoId,
    index,
    state: frame.state,
    annotations: store.listAnnotations(videoId, index).map(editable),
    history: store.editHistory(),
  };
}

export const editHandlers: { [N in EditCallName]: Handler<N> } = {
  'annotation.list': async ({ videoId, index }, s) => frameLabels(s.store, videoId, index),
  'annotation.create': async ({ videoId, index, ...rest }, s) => {
    const a = edits.createAnnotation(s.store, { videoId, frameIdx: index, ...rest });
    return { annotationId: a.id, labels: frameLabels(s.store, videoId, index) };
  },
  'annotation.update': async ({ annotationId, ...edit }, s) => {
    const a = edits.updateAnnotation(s.store, annotationId, edit);
    return frameLabels(s.store, a.videoId, a.frameIdx);
  },
  'annotation.delete': async ({ annotationId }, s) => {
    const a = edits.deleteAnnotation(s.store, annotationId);
    return frameLabels(s.store, a.videoId, a.frameIdx);
  },
  'annotation.carryForward': async (input, s) => {
    const outcome = await carryForward(s.store, input, { tools: s.context.toolPaths() });
    return { ...outcome, history: s.store.editHistory() };
  },
  'frame.verify': async ({ videoId, index, verified }, s) => {
    edits.setFrameVerified(s.store, videoId, index, verified);
    return frameLabels(s.store, videoId, index);
  },
  'frame.acceptAll': async ({ videoId, index }, s) => {
    edits.acceptAll(s.store, videoId, index);
    return frameLabels(s.store, videoId, index);
  },
  'edit.undo': async (_, s) => ({ step: edits.undo(s.store), history: s.store.editHistory() }),
  'edit.redo': async (_, s) => ({ step: edits.redo(s.store), history: s.store.editHistory() }),
  'edit.history': async (_, s) => s.store.editHistory(),
  'class.add': async (input, s) => {
    const { id, name, color, hasInstances } = s.store.addClass(input);
    return { id, name, color, hasInstances };
  },
  'class.remove': async ({ classId }, s) => {
    s.store.removeClass(classId);
    return null;
  },
  'class.presets': async () => classPresets(),
};
