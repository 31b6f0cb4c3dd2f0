/**
 * Which frames become training data, and which of those are held out for validation.
 *
 * Validation by time block: each video is cut into blocks of `blockFrames`; every `period`-th block
 * (period = round(1 / fraction), starting with block period−1) is validation. Training frames within
 * `gapFrames` of a validation block are dropped, so no training frame has a near-copy (its
 * neighbour) in validation.
 */
import { SelectionSchema, type CheckedSelection, type FrameSelection } from '../../common/export-schemas';
import { AppError } from '../errors';
import { FRAME_STATES, type FrameState, type ProjectStore } from '../store';

export { SelectionSchema, type CheckedSelection, type FrameSelection } from '../../common/export-schemas';

export type Split = 'train' | 'val';

export interface SelectedFrame {
  videoId: number;
  frameIdx: number;
  split: Split;
  state: FrameState;
  score: number | null;
}

export interface SelectionSummary {
  frames: number;
  framesBySplit: Record<Split, number>;
  framesByState: Record<FrameState, number>;
  /** Annotations per class id on the selected frames. */
  objectsByClass: Record<number, number>;
  /** Frames dropped because they neighbour validation frames. */
  droppedAsNeighbours: number;
  /** Selected annotations without a mask (they have no pixels in Cityscapes). */
  boxOnlyObjects: number;
}

const PAGE = 2000;

export function checkSelection(input: unknown): CheckedSelection {
  const parsed = SelectionSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('INVALID_INPUT', `Frame selection: ${issue.path.join('.') || 'value'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The selected frames of every chosen video, in video then frame order. */
export function selectFrames(store: ProjectStore, input: FrameSelection): { frames: SelectedFrame[]; droppedAsNeighbours: number } {
  const sel = checkSelection(input);
  const all = store.listVideos();
  const known = new Set(all.map((v) => v.id));
  for (const id of [...(sel.videoIds ?? []), ...(sel.validation.by === 'video' ? sel.validation.videoIds : [])]) {
    if (!known.has(id)) throw new AppError('NOT_FOUND', `Frame selection names video ${id}, which is not in this project`, { videoId: id });
  }
  const videos = sel.videoIds ? all.filter((v) => sel.videoIds!.includes(v.id)) : all;
  const frames: SelectedFrame[] = [];
  let dropped = 0;
  for (const video of videos) {
    const from = Math.min(sel.range?.from ?? 0, video.frameCount);
    const to = Math.min(sel.range?.to ?? video.frameCount, video.frameCount);
    const splitOf = splitRule(sel, video.id);
    for (let page = from; page < to; page += PAGE) {
      for (const f of store.listFrames(video.id, page, Math.min(to, page + PAGE))) {
        if (f.idx % sel.everyNth !== 0 || !stateWanted(sel, f.state, f.score)) continue;
        const split = splitOf(f.idx);
        if (split === null) {
          dropped++;
          continue;
        }
        frames.push({ videoId: video.id, frameIdx: f.idx, split, state: f.state, score: f.score });
      }
    }
  }
  return { frames, droppedAsNeighbours: dropped };
}

function stateWanted(sel: CheckedSelection, state: FrameState, score: number | null): boolean {
  if (state === 'verified') return sel.verified;
  if (state === 'corrected') return sel.corrected;
  if (state === 'carried') return sel.carried;
  if (state === 'predicted' || state === 'propagated') return sel.machineMinScore !== null && score !== null && score >= sel.machineMinScore;
  return false;
}

/** The split of a frame index, or null for a training frame too close to validation. */
function splitRule(sel: CheckedSelection, videoId: number): (idx: number) => Split | null {
  const v = sel.validation;
  if (v.by === 'none') return () => 'train';
  if (v.by === 'video') {
    const val = v.videoIds.includes(videoId);
    return () => (val ? 'val' : 'train');
  }
  const period = Math.max(2, Math.round(1 / v.fraction));
  const isValBlock = (b: number) => b >= 0 && b % period === period - 1;
  return (idx) => {
    if (isValBlock(Math.floor(idx / v.blockFrames))) return 'val';
    const lo = Math.floor(Math.max(0, idx - v.gapFrames) / v.blockFrames);
    const hi = Math.floor((idx + v.gapFrames) / v.blockFrames);
    for (let b = lo; b <= hi; b++) if (isValBlock(b)) return null;
    return 'train';
  };
}

/** Frames per state and split, objects per class: what an export with this selection would hold. */
export function summarizeSelection(store: ProjectStore, input: FrameSelection): SelectionSummary {
  const { frames, droppedAsNeighbours } = selectFrames(store, input);
  const framesByState = Object.fromEntries(FRAME_STATES.map((s) => [s, 0])) as Record<FrameState, number>;
  const framesBySplit: Record<Split, number> = { train: 0, val: 0 };
  const objectsByClass: Record<number, number> = {};
  for (const c of store.listClasses()) objectsByClass[c.id] = 0;
  let boxOnlyObjects = 0;
  for (const f of frames) {
    framesByState[f.state]++;
    framesBySplit[f.split]++;
  }
  for (const { annotations } of annotationsOf(store, frames)) {
    for (const a of annotations) {
      objectsByClass[a.classId] = (objectsByClass[a.classId] ?? 0) + 1;
      if (!a.mask) boxOnlyObjects++;
    }
  }
  return { frames: frames.length, framesBySplit, framesByState, objectsByClass, droppedAsNeighbours, boxOnlyObjects };
}

/**
 * The annotations of each selected frame, read a page of frames at a time so memory stays bounded.
 * Frames must be in video then frame order (as selectFrames returns them).
 */
export function* annotationsOf(store: ProjectStore, frames: readonly SelectedFrame[]) {
  let i = 0;
  while (i < frames.length) {
    const videoId = frames[i].videoId;
    const from = frames[i].frameIdx;
    let j = i;
    while (j < frames.length && frames[j].videoId === videoId && frames[j].frameIdx < from + PAGE) j++;
    const to = frames[j - 1].frameIdx + 1;
    const rows = store.listAnnotationsInRange(videoId, from, to);
    let r = 0;
    for (let k = i; k < j; k++) {
      const idx = frames[k].frameIdx;
      while (r < rows.length && rows[r].frameIdx < idx) r++;
      const start = r;
      while (r < rows.length && rows[r].frameIdx === idx) r++;
      yield { frame: frames[k], annotations: rows.slice(start, r) };
    }
    i = j;
  }
}
