/** The action lane's calls (common/action-schemas.ts) for the handler table. */
import type { CallOutput, CallParsedInput } from '../../common/api';
import type { ActionLane, actionCalls } from '../../common/action-schemas';
import type { Session } from '../api/session';
import type { ProjectStore } from '../store';
import { startSuggestTask } from './suggest';

type ActionCallName = keyof typeof actionCalls;
type Handler<N extends ActionCallName> = (input: CallParsedInput<N>, session: Session) => Promise<CallOutput<N>>;

/** A video's lane as the UI draws it, with the project's undo/redo labels. */
export function actionLane(store: ProjectStore, videoId: number, includeRejected = false): ActionLane {
  return { videoId, segments: store.listActionSegments(videoId, includeRejected), history: store.editHistory() };
}

export const actionHandlers: { [N in ActionCallName]: Handler<N> } = {
  'action.classes': async (_, s) => s.store.listActionClasses(),
  'action.classAdd': async ({ name, color }, s) => s.store.addActionClass(name, color),
  'action.list': async ({ videoId, includeRejected }, s) => actionLane(s.store, videoId, includeRejected),
  'action.create': async (input, s) => {
    const segment = s.store.createActionSegment(input);
    return { segmentId: segment.id, lane: actionLane(s.store, segment.videoId) };
  },
  'action.update': async ({ segmentId, ...patch }, s) => actionLane(s.store, s.store.updateActionSegment(segmentId, patch).videoId),
  'action.delete': async ({ segmentId }, s) => actionLane(s.store, s.store.deleteActionSegment(segmentId).videoId),
  'action.accept': async ({ segmentId }, s) => actionLane(s.store, s.store.acceptActionSegment(segmentId).videoId),
  'action.reject': async ({ segmentId }, s) => actionLane(s.store, s.store.rejectActionSegment(segmentId).videoId),

  // --- suggestion runs (helper B2: suggest*.ts): 'action.suggest' and 'action.cancel' go here
  'action.suggest': async (input, s) => startSuggestTask(s.store, s.tasks, input, s.context.dffThreads()),
  'action.cancel': async ({ taskId }, s) => {
    s.tasks.cancel(taskId);
    return null;
  },
};
