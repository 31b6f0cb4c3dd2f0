/** Rows and inputs of the project store, camelCase; the SQLite columns are their snake_case twins. */
import { ANNOTATION_SOURCES, FRAME_STATES, type AnnotationSource, type FrameState } from '../../common/domain';
import type { AnyRle, CocoRle } from '../masks/rle';

export { ANNOTATION_SOURCES, FRAME_STATES, type AnnotationSource, type FrameState };

export const VIDEO_KINDS = ['file', 'images'] as const;
export type VideoKind = (typeof VIDEO_KINDS)[number];

export const MACHINE_FRAME_STATES = ['predicted', 'propagated'] as const;
export type MachineFrameState = (typeof MACHINE_FRAME_STATES)[number];

export const RUN_STATUSES = ['running', 'paused', 'cancelled', 'failed', 'done'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** An axis-aligned box in video pixels: top-left corner, width and height. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Video {
  id: number;
  /** Absolute path when it was added. */
  path: string;
  /** Path relative to the project file's folder, so a project moved together with its videos still finds them. */
  relPath: string;
  kind: VideoKind;
  contentHash: string;
  sizeBytes: number;
  width: number;
  height: number;
  frameCount: number;
  fpsNum: number;
  fpsDen: number;
  timeBaseNum: number;
  timeBaseDen: number;
  codec: string;
  pixFmt: string;
  durationS: number;
  isVfr: boolean;
  addedAt: number;
}

/** What `addVideo` needs: the probe's facts plus every frame's pts; the frame count is `pts.length`. */
export interface NewVideo {
  path: string;
  kind: VideoKind;
  contentHash: string;
  sizeBytes: number;
  width: number;
  height: number;
  fpsNum: number;
  fpsDen: number;
  timeBaseNum: number;
  timeBaseDen: number;
  codec: string;
  pixFmt: string;
  durationS: number;
  isVfr: boolean;
  /** Presentation timestamp of each frame in index order, in the time base; strictly increasing integers. */
  pts: ArrayLike<number>;
  /** Indices of the frames the codec marks as keyframes (I-frames). */
  keyframes: ArrayLike<number>;
}

export interface Frame {
  videoId: number;
  idx: number;
  pts: number;
  codecKeyframe: boolean;
  dffKey: boolean;
  state: FrameState;
  /** How much to trust the frame's labels (0..1 from the engine), null when nothing says. */
  score: number | null;
  /** The inference run that last wrote this frame. */
  runId: number | null;
}

export interface LabelClass {
  id: number;
  name: string;
  /** '#rrggbb' */
  color: string;
  /** True for countable things (person, car) that get track ids; false for stuff (road, sky). */
  hasInstances: boolean;
  sortOrder: number;
}

export interface NewLabelClass {
  name: string;
  color: string;
  hasInstances?: boolean;
  /** Defaults to after the last class. */
  sortOrder?: number;
}

export type LabelClassPatch = Partial<NewLabelClass>;

export interface Annotation {
  id: number;
  videoId: number;
  frameIdx: number;
  classId: number;
  trackId: number | null;
  box: Box;
  /** Instance mask at the video's full size, compressed COCO RLE. */
  mask: CocoRle | null;
  score: number | null;
  source: AnnotationSource;
  verified: boolean;
  runId: number | null;
  createdAt: number;
  updatedAt: number;
}

/** The content of an annotation. The box may be left out when a mask is given: it is then the mask's box. */
export interface AnnotationContent {
  classId: number;
  trackId?: number | null;
  box?: Box;
  mask?: AnyRle | null;
  score?: number | null;
}

export interface HumanAnnotationInput extends AnnotationContent {
  videoId: number;
  frameIdx: number;
}

/** A human edit. A new mask without a box moves the box to the mask's box. */
export interface AnnotationPatch {
  classId?: number;
  trackId?: number | null;
  box?: Box;
  mask?: AnyRle | null;
  score?: number | null;
}

/** One frame of an inference run's output. */
export interface MachineFrameResult {
  frameIdx: number;
  state: MachineFrameState;
  score: number | null;
  /** Marks the frame as a DFF key frame (or not); left out keeps the current mark. */
  dffKey?: boolean;
  annotations: AnnotationContent[];
}

export interface SkippedFrame {
  frameIdx: number;
  /** 'verified': a person verified the frame; 'human-edited': it has manual/corrected rows or a deletion by a person. */
  reason: 'verified' | 'human-edited';
}

export interface MachineWriteResult {
  /** Frames whose machine rows were replaced. */
  written: number;
  skipped: SkippedFrame[];
}

export interface InferenceRun {
  id: number;
  packName: string;
  packPath: string;
  packHash: string;
  params: unknown;
  executionProvider: string;
  status: RunStatus;
  error: string | null;
  framesDone: number;
  startedAt: number;
  finishedAt: number | null;
  timings: unknown;
}

export interface NewInferenceRun {
  packName: string;
  packPath: string;
  packHash: string;
  params: unknown;
  executionProvider: string;
}

/** Leaving `status` for cancelled/failed/done sets `finishedAt`. */
export interface InferenceRunPatch {
  status?: RunStatus;
  error?: string | null;
  framesDone?: number;
  timings?: unknown;
  params?: unknown;
}

/** Action segments (clip-level action labels on a video's timeline); the shapes are the API's (common/action-schemas.ts). */
export type { ActionClass, ActionSegment, ActionSource, ActionStatus } from '../../common/action-schemas';

/** A person's new action segment: frames start..end, both included. */
export interface NewActionSegment {
  videoId: number;
  start: number;
  end: number;
  classId: number;
}

/** A person's change to a segment; what is left out stays. */
export interface ActionSegmentPatch {
  start?: number;
  end?: number;
  classId?: number;
}

/** One segment the action model proposes. */
export interface ActionProposal {
  start: number;
  end: number;
  classId: number;
  /** 0..1 */
  score: number;
}

export interface ActionSuggestionWrite {
  /** Suggestions now pending on the video's lane. */
  suggested: number;
  /** Proposals left out: they overlap (temporal IoU ≥ 0.5) an accepted or rejected segment of the same class. */
  skipped: number;
}
