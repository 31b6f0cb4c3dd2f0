/** The per-frame and clip-level annotations (annotations.json), read off the rendered id maps and the plan. */
import type { Scene, ActionName } from './scene';

export interface FrameObject {
  trackId: number;
  classId: number;
  /** Visible part: [x, y, w, h] in pixels, covering whole pixels (w = right − left + 1), inside the frame. */
  box: [number, number, number, number];
  /** Visible pixels. */
  area: number;
  /** Visible pixels / pixels the object would cover with nothing in front and no frame border, rounded to 1e-4. */
  visibleFraction: number;
}

export interface FrameAnnotation {
  index: number;
  ref: number;
  objects: FrameObject[];
}

export interface TrackAnnotation {
  trackId: number;
  classId: number;
  /** First and last frame with at least one visible pixel. */
  firstFrame: number;
  lastFrame: number;
}

export interface ActionAnnotation {
  trackId: number;
  /** Frames, both included: the motion between consecutive frames from start to end is `action`. */
  start: number;
  end: number;
  action: ActionName;
}

export interface ClipAnnotations {
  frames: FrameAnnotation[];
  tracks: TrackAnnotation[];
  actions: ActionAnnotation[];
}

/** Shortest action window worth labelling, in frames. */
export const MIN_ACTION_FRAMES = 6;

export function annotateFrame(
  scene: Scene,
  index: number,
  instances: Uint16Array,
  fullArea: ReadonlyMap<number, number>,
): FrameAnnotation {
  const { width: W, height: H } = scene.params;
  const stats = new Map<number, { x0: number; y0: number; x1: number; y1: number; area: number }>();
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const id = instances[y * W + x]!;
      if (id === 0) continue;
      const s = stats.get(id);
      if (!s) stats.set(id, { x0: x, y0: y, x1: x, y1: y, area: 1 });
      else {
        if (x < s.x0) s.x0 = x;
        if (x > s.x1) s.x1 = x;
        s.y1 = y;
        s.area++;
      }
    }
  }
  const classOf = new Map(scene.objects.map((o) => [o.trackId, o.classId]));
  const objects = [...stats.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([trackId, s]): FrameObject => ({
      trackId,
      classId: classOf.get(trackId)!,
      box: [s.x0, s.y0, s.x1 - s.x0 + 1, s.y1 - s.y0 + 1],
      area: s.area,
      visibleFraction: Math.round((s.area / fullArea.get(trackId)!) * 1e4) / 1e4,
    }));
  return { index, ref: scene.refs[index]!, objects };
}

/** Tracks and actions, once every frame has been annotated (frames in order). */
export function finishAnnotations(scene: Scene, frames: FrameAnnotation[]): ClipAnnotations {
  const spans = new Map<number, { first: number; last: number }>();
  for (const frame of frames) {
    for (const o of frame.objects) {
      const span = spans.get(o.trackId);
      if (span) span.last = frame.index;
      else spans.set(o.trackId, { first: frame.index, last: frame.index });
    }
  }
  const tracks: TrackAnnotation[] = [];
  const actions: ActionAnnotation[] = [];
  for (const object of [...scene.objects].sort((a, b) => a.trackId - b.trackId)) {
    const span = spans.get(object.trackId);
    if (!span) continue;
    tracks.push({ trackId: object.trackId, classId: object.classId, firstFrame: span.first, lastFrame: span.last });
    for (const segment of object.segments) {
      if (!segment.action) continue;
      const start = Math.max(segment.start, span.first);
      const end = Math.min(segment.end, span.last);
      if (end - start + 1 >= MIN_ACTION_FRAMES) actions.push({ trackId: object.trackId, start, end, action: segment.action });
    }
  }
  actions.sort((a, b) => a.start - b.start || a.trackId - b.trackId);
  return { frames, tracks, actions };
}
