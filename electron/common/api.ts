/**
 * The one contract between the renderer and the core: every call with its input and output schema,
 * every event with its payload schema, and the result envelope that carries them across.
 * Both transports (Electron IPC and the browser-mode WebSocket) carry exactly these shapes.
 */
import { z } from 'zod';
import { ANNOTATION_SOURCES, FRAME_STATES } from './domain';
import { ERROR_CODES, type ErrorInfo } from './errors';
import {
  CityscapesMappingSetInput,
  ExportRunInput,
  ExportSpecSchema,
  ExportSummaryInput,
  ImportCocoInput,
  PresetGetInput,
  PresetSaveInput,
} from './export-schemas';
import { actionCalls, ActionSuggestResultSchema } from './action-schemas';
import { editCalls } from './edit-schemas';
import { visualiseCalls } from './visualise-schemas';

// ---- shared shapes -------------------------------------------------------------------------

export { FRAME_STATES, type FrameState } from './domain';

const id = z.number().int().positive();
const frameIndex = z.number().int().nonnegative();
const filePath = z.string().trim().min(1, 'a path is required');

export const ErrorInfoSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const ToolInfoSchema = z.object({
  path: z.string(),
  version: z.string(),
  /** Where the path came from: the settings, an environment variable, the bundled npm package or PATH. */
  source: z.string(),
});
export type ToolInfo = z.infer<typeof ToolInfoSchema>;

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  /** 'electron' or 'browser': which host serves this window. */
  host: z.enum(['electron', 'browser']),
  /** Whether `dialog.open` shows a native file dialog (Electron only). */
  nativeDialogs: z.boolean(),
  ffmpeg: ToolInfoSchema.nullable(),
  ffprobe: ToolInfoSchema.nullable(),
  /** Set when a tool could not be found: the error the user has to fix. */
  toolError: ErrorInfoSchema.nullable(),
  /** Execution providers that start on this machine, best first (a run uses the first that loads its pack). */
  executionProviders: z.array(z.string()),
  /** CPU threads a DFF run gives onnxruntime (the dffThreads setting, else one per core). */
  cpuThreads: z.number().int().positive(),
  home: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const SettingsSchema = z.object({
  /** Explicit ffmpeg binary; null = find it (env DFF_FFMPEG, bundled package, PATH). */
  ffmpegPath: z.string().nullable(),
  ffprobePath: z.string().nullable(),
  /** onnxruntime CPU threads for DFF runs; null = one per core. */
  dffThreads: z.number().int().min(1).max(256).nullable(),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const ProjectInfoSchema = z.object({
  path: z.string(),
  name: z.string(),
  videoCount: z.number().int().nonnegative(),
  /** True for the bundled demo project. */
  isDemo: z.boolean(),
});
export type ProjectInfo = z.infer<typeof ProjectInfoSchema>;

export const RecentProjectSchema = z.object({
  path: z.string(),
  name: z.string(),
  openedAt: z.number(),
  exists: z.boolean(),
});
export type RecentProject = z.infer<typeof RecentProjectSchema>;

export const VideoInfoSchema = z.object({
  id,
  path: z.string(),
  name: z.string(),
  kind: z.enum(['file', 'images']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  frameCount: z.number().int().nonnegative(),
  /** Nominal frame rate as a fraction; time shown to users always comes from each frame's pts. */
  fpsNum: z.number().int(),
  fpsDen: z.number().int(),
  durationS: z.number().nonnegative(),
  codec: z.string(),
  isVfr: z.boolean(),
});
export type VideoInfo = z.infer<typeof VideoInfoSchema>;

export const FrameInfoSchema = z.object({
  videoId: id,
  index: frameIndex,
  /** Presentation timestamp in the video's time base. */
  pts: z.number().int(),
  /** Seconds from the first frame (pts − pts of frame 0, in seconds). */
  timeS: z.number(),
  state: z.enum(FRAME_STATES),
  score: z.number().nullable(),
  codecKeyframe: z.boolean(),
  dffKey: z.boolean(),
});
export type FrameInfo = z.infer<typeof FrameInfoSchema>;

export const ThumbnailSchema = z.object({
  index: frameIndex,
  /** A data: URL (image/jpeg), small enough to embed. */
  url: z.string(),
});
export type Thumbnail = z.infer<typeof ThumbnailSchema>;

export const ClassInfoSchema = z.object({
  id,
  name: z.string(),
  /** '#rrggbb' */
  color: z.string(),
  hasInstances: z.boolean(),
});
export type ClassInfo = z.infer<typeof ClassInfoSchema>;

// ---- export and import ----

export {
  ExportSpecSchema,
  SelectionSchema,
  type ExportSpec,
  type ExportSpecInput,
  type FrameSelection,
} from './export-schemas';

const count = z.number().int().nonnegative();
const SPLITS = ['train', 'val'] as const;

/** What an export with a given selection would hold, shown before exporting. */
export const ExportSummarySchema = z.object({
  frames: count,
  framesBySplit: z.record(z.enum(SPLITS), count),
  framesByState: z.record(z.enum(FRAME_STATES), count),
  /** Annotations per class id (as a string key) on the selected frames. */
  objectsByClass: z.record(z.string(), count),
  /** Frames dropped because they neighbour validation frames. */
  droppedAsNeighbours: count,
  /** Selected annotations without a mask (they have no pixels in Cityscapes). */
  boxOnlyObjects: count,
});
export type ExportSummary = z.infer<typeof ExportSummarySchema>;

export const ExportResultSchema = z.object({
  /** The finished export folder. */
  dest: z.string(),
  format: z.enum(['coco', 'cityscapes']),
  frames: count,
  framesBySplit: z.record(z.enum(SPLITS), count),
  annotations: count,
  /** Files written, relative to dest. */
  files: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type ExportResult = z.infer<typeof ExportResultSchema>;

export const CityscapesLabelSchema = z.object({
  name: z.string(),
  id: z.number().int(),
  trainId: z.number().int(),
  category: z.string(),
  categoryId: z.number().int(),
  hasInstances: z.boolean(),
  ignoreInEval: z.boolean(),
  color: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
});
export type CityscapesLabel = z.infer<typeof CityscapesLabelSchema>;

export const CityscapesMappingSchema = z.object({
  classId: id,
  className: z.string(),
  /** Cityscapes label id (0–33), or null when the class has none. */
  cityscapesId: z.number().int().nullable(),
  /** 'table': the user's table; 'name': the class is named like a Cityscapes label. */
  from: z.enum(['table', 'name']).nullable(),
});
export type CityscapesMapping = z.infer<typeof CityscapesMappingSchema>;

export const ImportResultSchema = z.object({
  runId: id,
  kind: z.enum(['dataset', 'results']),
  /** Frames whose machine rows were replaced by the imported ones. */
  framesWritten: count,
  /** Frames a person verified or edited: left as they were. */
  skipped: z.array(z.object({ frameIdx: frameIndex, reason: z.enum(['verified', 'human-edited']) })),
  annotations: count,
  createdClasses: z.array(z.string()),
});
export type ImportResult = z.infer<typeof ImportResultSchema>;
export type ImportCocoOptions = z.input<typeof ImportCocoInput>;

// ---- DFF runs and their results ----

export const DffModeSchema = z.enum(['fixed', 'adaptive', 'baseline']);
export type DffMode = z.infer<typeof DffModeSchema>;

export const DffStartInput = z.object({
  videoId: id,
  /**
   * 'fixed': a key frame in the middle of every k frames (k defaults to the pack's keyInterval); 'adaptive':
   * as many key frames, closer together where the video changes fast; 'baseline': every frame a key frame.
   */
  mode: DffModeSchema,
  k: z.number().int().min(1).max(1000).optional(),
  /** A model pack folder; default the bundled models/default. */
  packDir: z.string().trim().min(1).optional(),
  /** Frames [from, to) of the video; default the whole video. */
  from: frameIndex.optional(),
  to: frameIndex.optional(),
});
export type DffStartOptions = z.input<typeof DffStartInput>;

export const DffResultSchema = z.object({
  runId: id,
  status: z.enum(['done', 'cancelled']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  written: z.number().int().nonnegative(),
  /** Frames a person verified or edited, left untouched. */
  skipped: z.number().int().nonnegative(),
  badFrames: z.number().int().nonnegative(),
  fps: z.number().nonnegative(),
});
export type DffResult = z.infer<typeof DffResultSchema>;

/** A model pack folder that passed validation (manifest against the ONNX files' real tensors). */
export const PackInfoSchema = z.object({
  dir: z.string(),
  name: z.string(),
  version: z.string(),
  description: z.string().nullable(),
  keyInterval: z.number().int().positive(),
  inputWidth: z.number().int().positive(),
  inputHeight: z.number().int().positive(),
  classes: z.array(z.string()),
  /** The action classes of the pack's clip-level action model (without "none"), validated; null: the pack has none. */
  actions: z.array(z.string()).nullable(),
  /** The pack bundled with the app (models/default). */
  isDefault: z.boolean(),
});
export type PackInfo = z.infer<typeof PackInfoSchema>;

const colorHex = z.string().regex(/^#[0-9a-fA-F]{6}$/);

export const FrameBoxSchema = z.object({
  annotationId: id,
  x: z.number(),
  y: z.number(),
  w: z.number(),
  h: z.number(),
  classId: id,
  className: z.string(),
  color: colorHex,
  score: z.number().nullable(),
  source: z.enum(ANNOTATION_SOURCES),
  trackId: z.number().int().nullable(),
});
export type FrameBox = z.infer<typeof FrameBoxSchema>;

export const FrameMaskSchema = z.object({
  annotationId: id,
  /** COCO compressed RLE of the mask at the video's full size: size is [height, width]. */
  size: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  counts: z.string(),
  classId: id,
  className: z.string(),
  color: colorHex,
  score: z.number().nullable(),
  source: z.enum(ANNOTATION_SOURCES),
});
export type FrameMask = z.infer<typeof FrameMaskSchema>;

/** A frame's labels: annotations without a mask are boxes, those with one are masks (their box is the mask's). */
export const FrameAnnotationsSchema = z.object({ boxes: z.array(FrameBoxSchema), masks: z.array(FrameMaskSchema) });
export type FrameAnnotations = z.infer<typeof FrameAnnotationsSchema>;

/**
 * A byte per frame in each (base64). codes: bits 0..6 the index of its state in FRAME_STATES, bit 7 set on DFF
 * key frames. scores: the frame's score × 254 rounded (0..254), FRAME_NO_SCORE when it has none.
 */
export const FrameStatesSchema = z.object({ count: z.number().int().nonnegative(), codes: z.string(), scores: z.string() });
export type FrameStates = z.infer<typeof FrameStatesSchema>;
export const FRAME_KEY_BIT = 0x80;
export const FRAME_NO_SCORE = 255;

/** Kinds of background task (`task.progress` / `task.finished`). */
export const TASK_KINDS = ['export', 'dff', 'actions'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const DialogKindSchema = z.enum(['open-project', 'create-project', 'video-file', 'image-folder', 'pack-folder']);
export type DialogKind = z.infer<typeof DialogKindSchema>;

// ---- calls ---------------------------------------------------------------------------------

const none = z.object({}).strict();

/** Every call: name → input and output schema. The renderer's client and the core's handlers are typed from this. */
export const calls = {
  'app.info': { input: none, output: AppInfoSchema },
  'settings.get': { input: none, output: SettingsSchema },
  /** Omitted fields keep their value; null resets to automatic lookup. A path that does not run → TOOL_MISSING. */
  'settings.set': { input: SettingsSchema.partial().strict(), output: SettingsSchema },
  'project.create': { input: z.object({ path: filePath }).strict(), output: ProjectInfoSchema },
  'project.open': { input: z.object({ path: filePath }).strict(), output: ProjectInfoSchema },
  'project.close': { input: none, output: z.null() },
  'project.current': { input: none, output: ProjectInfoSchema.nullable() },
  'project.recent': { input: none, output: z.array(RecentProjectSchema) },
  /** Adds a video file (mp4, mkv, webm, avi, mov) or a folder of numbered images. */
  'video.add': { input: z.object({ path: filePath }).strict(), output: VideoInfoSchema },
  'video.list': { input: none, output: z.array(VideoInfoSchema) },
  'video.remove': { input: z.object({ videoId: id }).strict(), output: z.null() },
  'frame.info': { input: z.object({ videoId: id, index: frameIndex }).strict(), output: FrameInfoSchema },
  'video.thumbnails': {
    input: z
      .object({ videoId: id, count: z.number().int().min(1).max(500), width: z.number().int().min(16).max(640).optional() })
      .strict(),
    output: z.array(ThumbnailSchema),
  },
  /** Opens the demo project (created in the app home on first use). */
  'demo.open': { input: none, output: ProjectInfoSchema },
  /** The open project's label classes, in their display order. */
  'class.list': { input: none, output: z.array(ClassInfoSchema) },
  /** Frames per state and split and objects per class that an export with this selection would hold. */
  'export.summary': { input: ExportSummaryInput.strict(), output: ExportSummarySchema },
  /**
   * Starts an export in the background and returns its task id at once. Progress comes as `task.progress`,
   * the end (the result, or e.g. ALREADY_EXISTS, CANCELLED, WRITE_FAILED) as `task.finished`.
   */
  'export.start': { input: ExportRunInput.strict(), output: z.object({ taskId: z.string() }) },
  /** Stops a running export; nothing of it is kept. NOT_FOUND when no such task is running. */
  'export.cancel': { input: z.object({ taskId: z.string().min(1) }).strict(), output: z.null() },
  /** The settings of the last export made from this project (to make it again), or null. */
  'export.lastSpec': { input: none, output: ExportSpecSchema.nullable() },
  'export.presetSave': { input: PresetSaveInput.strict(), output: ExportSpecSchema },
  'export.presetList': { input: none, output: z.record(z.string(), ExportSpecSchema) },
  'export.presetGet': { input: PresetGetInput.strict(), output: ExportSpecSchema },
  /** The official Cityscapes label table. */
  'export.cityscapesLabels': { input: none, output: z.array(CityscapesLabelSchema) },
  /** Which Cityscapes label each project class becomes. */
  'export.cityscapesMapping': { input: none, output: z.array(CityscapesMappingSchema) },
  'export.cityscapesMappingSet': { input: CityscapesMappingSetInput.strict(), output: z.array(CityscapesMappingSchema) },
  /** COCO dataset or results as machine pre-labels on one video; a person's frames are skipped and listed. */
  'import.coco': { input: ImportCocoInput.strict(), output: ImportResultSchema },
  /**
   * Starts a DFF run in the background: {taskId, runId} once the pack has loaded. Progress (phase 'planning' during an
   * adaptive run's first pass, then 'frames' with fps and etaS) comes as `task.progress`, the end as `task.finished` (CANCELLED when stopped; dff.resume continues it).
   */
  'dff.start': { input: DffStartInput.strict(), output: z.object({ taskId: z.string(), runId: id }) },
  /** Validates a model pack folder (default: the bundled pack) and describes it; a bad pack names the file and tensor. */
  'pack.inspect': { input: z.object({ dir: filePath.optional() }).strict(), output: PackInfoSchema },
  /** Continues a run that stopped (cancelled, failed or killed), as a new task. */
  'dff.resume': { input: z.object({ runId: id }).strict(), output: z.object({ taskId: z.string(), runId: id }) },
  /** Stops a running DFF task after the frame in hand; what it wrote is kept. */
  'dff.cancel': { input: z.object({ taskId: z.string().min(1) }).strict(), output: z.null() },
  'frame.annotations': { input: z.object({ videoId: id, index: frameIndex }).strict(), output: FrameAnnotationsSchema },
  'video.frameStates': { input: z.object({ videoId: id }).strict(), output: FrameStatesSchema },
  /** A native file dialog; only the Electron host has one (see AppInfo.nativeDialogs). Null = cancelled. */
  'dialog.open': { input: z.object({ kind: DialogKindSchema }).strict(), output: z.object({ path: z.string().nullable() }) },
  /** The annotation editor's calls (edit-schemas.ts). */
  ...editCalls,
  /** The DFF visualisers' call (visualise-schemas.ts). */
  ...visualiseCalls,
  /** Clip-level action segments and their suggestions (action-schemas.ts). */
  ...actionCalls,
} as const;

export type CallName = keyof typeof calls;
export type CallInput<N extends CallName> = z.input<(typeof calls)[N]['input']>;
export type CallParsedInput<N extends CallName> = z.output<(typeof calls)[N]['input']>;
export type CallOutput<N extends CallName> = z.output<(typeof calls)[N]['output']>;
export const CALL_NAMES = Object.keys(calls) as CallName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}

// ---- events --------------------------------------------------------------------------------

export const MENU_COMMANDS = [
  'open-demo',
  'open-project',
  'create-project',
  'add-video-file',
  'add-image-folder',
  'close-project',
  'export',
  'import-coco',
  'settings',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

export const events = {
  /** The session's open project changed (opened, closed, videos added/removed). Null = none open. */
  'project.changed': z.object({ project: ProjectInfoSchema.nullable() }),
  'video.added': z.object({ video: VideoInfoSchema }),
  'video.removed': z.object({ videoId: id }),
  /** Progress of a background task; `task.finished` always follows, whatever happens. */
  'task.progress': z.object({
    taskId: z.string(),
    kind: z.enum(TASK_KINDS),
    /** What it is doing now, for people (e.g. 'Exporting COCO'). */
    label: z.string(),
    /** The step, for code (an export: 'images', 'labels', 'committing'). */
    phase: z.string(),
    done: z.number().nonnegative(),
    total: z.number().nonnegative(),
    /** Frames per second and seconds left (DFF runs). */
    fps: z.number().nonnegative().optional(),
    etaS: z.number().nonnegative().nullable().optional(),
  }),
  /** A background task ended: its result, or the error that stopped it (CANCELLED when the user stopped it). */
  'task.finished': z.union([
    z.object({ taskId: z.string(), kind: z.literal('export'), ok: z.literal(true), result: ExportResultSchema }),
    z.object({ taskId: z.string(), kind: z.literal('dff'), ok: z.literal(true), result: DffResultSchema }),
    z.object({ taskId: z.string(), kind: z.literal('actions'), ok: z.literal(true), result: ActionSuggestResultSchema }),
    z.object({ taskId: z.string(), kind: z.enum(TASK_KINDS), ok: z.literal(false), error: ErrorInfoSchema }),
  ]),
  /** An error no call returned (e.g. a background task failed). */
  error: ErrorInfoSchema,
  /** A native menu item was chosen (Electron): the renderer runs the matching action. */
  'menu.command': z.object({ command: z.enum(MENU_COMMANDS) }),
} as const;

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

// ---- the envelope and the wire -------------------------------------------------------------

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** WebSocket messages, client → server. */
export interface WireCall {
  type: 'call';
  id: number;
  name: string;
  input: unknown;
}
/** WebSocket messages, server → client. */
export type WireMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; event: EventName; payload: unknown };

// ---- frame URLs ----------------------------------------------------------------------------

/** The custom protocol that serves frames in Electron (registered privileged and secure). */
export const FRAME_PROTOCOL = 'dff-frame';

/** The path part of a frame URL, the same under HTTP and the custom protocol. */
export function framePath(videoId: number, index: number): string {
  return `/frames/${videoId}/${index}.jpg`;
}

/**
 * Reads `/frames/:videoId/:index.jpg`. Returns null when the path is not a frame route at all,
 * and an error string when it is one with a bad id or index.
 */
export function parseFramePath(pathname: string): { videoId: number; index: number } | { error: string } | null {
  const m = /^\/frames\/([^/]+)\/([^/]+)\.jpg$/.exec(pathname);
  if (!m) return null;
  const videoId = Number(m[1]);
  const index = Number(m[2]);
  if (!/^\d+$/.test(m[1]) || !Number.isSafeInteger(videoId) || videoId < 1) return { error: `bad video id '${m[1]}' in ${pathname}` };
  if (!/^\d+$/.test(m[2]) || !Number.isSafeInteger(index)) return { error: `bad frame index '${m[2]}' in ${pathname}` };
  return { videoId, index };
}

/** `mm:ss.mmm` (or `h:mm:ss.mmm` past an hour) for a time in seconds. */
export function formatTime(seconds: number): string {
  const totalMs = Math.max(0, Math.round(seconds * 1000));
  const ms = totalMs % 1000;
  const s = Math.floor(totalMs / 1000) % 60;
  const m = Math.floor(totalMs / 60_000) % 60;
  const h = Math.floor(totalMs / 3_600_000);
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(ms).padStart(3, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}
