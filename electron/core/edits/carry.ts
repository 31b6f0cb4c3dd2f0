/**
 * Carrying a correction forward: the plan (dff/carry-forward.ts, which runs the flow network) is written
 * as one undoable step. On each frame the carried label takes the place of the machine (or earlier
 * carried) label of the same object: the same track id, or without one the same class overlapping most.
 */
import { planCarryForward, type CarryPlan, type CarryStopReason } from '../dff/carry-forward';
import { boxIoU } from '../models/decode';
import type { Annotation, Box, ProjectStore } from '../store';
import type { ToolPaths } from '../video';
import { recordedEdit } from './edits';

/** A label without a track id replaces the same-class label it overlaps at least this much. */
const MATCH_IOU = 0.3;

export interface CarryOutcome {
  frames: number[];
  stoppedAt: number;
  reason: CarryStopReason;
}

/** Plans with the flow network, then writes; one undoable step. */
export async function carryForward(
  store: ProjectStore,
  request: { annotationId: number; limit: number; packDir?: string },
  options: { tools?: ToolPaths } = {},
): Promise<CarryOutcome> {
  const plan = await planCarryForward(store, request, options);
  return writeCarried(store, request.annotationId, plan);
}

/**
 * Writes a plan for the annotation. A frame a person edited meanwhile (while the flow ran) ends the
 * carry there, with reason 'human-edited'; nothing of a person's is replaced.
 */
export function writeCarried(store: ProjectStore, annotationId: number, plan: CarryPlan): CarryOutcome {
  const source = store.getAnnotation(annotationId);
  if (plan.frames.length === 0) return { frames: [], stoppedAt: plan.stoppedAt, reason: plan.reason };
  const first = plan.frames[0]!.frameIdx;
  const last = plan.frames[plan.frames.length - 1]!.frameIdx;
  const label = `Carry forward to frame${first === last ? ` ${first}` : `s ${first}–${last}`}`;
  return recordedEdit(
    store,
    label,
    () => {
      const written: number[] = [];
      for (const f of plan.frames) {
        const frame = store.getFrame(source.videoId, f.frameIdx);
        const existing = store.listAnnotations(source.videoId, f.frameIdx);
        const personal = existing.some((a) => a.source === 'manual' || a.source === 'corrected');
        if (frame.state === 'corrected' || frame.state === 'verified' || personal) {
          return { frames: written, stoppedAt: f.frameIdx, reason: 'human-edited' as const };
        }
        store.addCarriedAnnotation({
          videoId: source.videoId,
          frameIdx: f.frameIdx,
          classId: source.classId,
          trackId: source.trackId,
          box: f.rle ? undefined : f.bbox,
          mask: f.rle ?? null,
          replaces: sameObject(source, f.bbox, existing),
        });
        written.push(f.frameIdx);
      }
      return { frames: written, stoppedAt: plan.stoppedAt, reason: plan.reason };
    },
    source.videoId,
  );
}

/** The ids of the frame's machine/carried labels that show the carried object. */
function sameObject(source: Annotation, box: Box, onFrame: Annotation[]): number[] {
  const replaceable = onFrame.filter((a) => a.source !== 'manual' && a.source !== 'corrected');
  if (source.trackId !== null) return replaceable.filter((a) => a.trackId === source.trackId).map((a) => a.id);
  let best: Annotation | null = null;
  let bestIoU = MATCH_IOU;
  for (const a of replaceable) {
    if (a.classId !== source.classId) continue;
    const iou = boxIoU([a.box.x, a.box.y, a.box.w, a.box.h], [box.x, box.y, box.w, box.h]);
    if (iou >= bestIoU) {
      best = a;
      bestIoU = iou;
    }
  }
  return best ? [best.id] : [];
}
