/**
 * Clip-level action labels: segments of a video (start and end frame, both included) with an action
 * class, drawn as a lane on the timeline. A person creates, edits and deletes them (each one undoable
 * step in the project's journal, so `edit.undo` / `edit.redo` revert them too); the pack's action
 * model (MARS, RGB only) suggests them, and the person accepts, edits or rejects each suggestion.
 * Spread into `calls` in api.ts.
 */
import { z } from 'zod';

const id = z.number().int().positive();
const frameIndex = z.number().int().nonnegative();

/** Who made a segment: a person, or the action model (a suggestion, possibly accepted since). */
export const ACTION_SOURCES = ['human', 'machine'] as const;
export type ActionSource = (typeof ACTION_SOURCES)[number];

/**
 * 'suggested': proposed by the model, waiting for the person; 'accepted': a person's word (made by hand,
 * accepted or edited); 'rejected': a suggestion the person turned down, kept so the next run does not
 * propose it again (not drawn, not exported).
 */
export const ACTION_STATUSES = ['suggested', 'accepted', 'rejected'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const ActionClassSchema = z.object({ id, name: z.string(), color: z.string().regex(/^#[0-9a-fA-F]{6}$/) });
export type ActionClass = z.infer<typeof ActionClassSchema>;

export const ActionSegmentSchema = z.object({
  id,
  videoId: id,
  /** First and last frame, both included. */
  start: frameIndex,
  end: frameIndex,
  classId: id,
  source: z.enum(ACTION_SOURCES),
  status: z.enum(ACTION_STATUSES),
  /** The model's score (mean class probability over the segment); null for a person's segment. */
  score: z.number().min(0).max(1).nullable(),
  /** The pack that suggested it ('name version'), or null. */
  model: z.string().nullable(),
});
export type ActionSegment = z.infer<typeof ActionSegmentSchema>;

const historySchema = z.object({ undo: z.string().nullable(), redo: z.string().nullable() });

/** A video's action lane: its segments in start order (rejected ones only when asked), with the undo/redo labels. */
export const ActionLaneSchema = z.object({
  videoId: id,
  segments: z.array(ActionSegmentSchema),
  history: historySchema,
});
export type ActionLane = z.infer<typeof ActionLaneSchema>;

/** What a suggestion run did. */
export const ActionSuggestResultSchema = z.object({
  videoId: id,
  /** Pending suggestions now on the lane (the previous run's pending ones are replaced). */
  suggested: z.number().int().nonnegative(),
  /** Proposals left out because a person already accepted, edited or rejected that stretch with that class. */
  skipped: z.number().int().nonnegative(),
  /** Clip windows the model ran on. */
  windows: z.number().int().nonnegative(),
  model: z.string(),
});
export type ActionSuggestResult = z.infer<typeof ActionSuggestResultSchema>;

export const actionCalls = {
  /** The project's action classes (the pack's are added on the first suggestion run). */
  'action.classes': { input: z.object({}).strict(), output: z.array(ActionClassSchema) },
  /** Adds an action class; a name already there (any case) is refused, naming it. */
  'action.classAdd': {
    input: z.object({ name: z.string().trim().min(1), color: z.string().regex(/^#[0-9a-fA-F]{6}$/).optional() }).strict(),
    output: ActionClassSchema,
  },
  'action.list': { input: z.object({ videoId: id, includeRejected: z.boolean().optional() }).strict(), output: ActionLaneSchema },
  /** A person's segment (accepted). start > end, or past the video's last frame, is refused naming the frame. */
  'action.create': {
    input: z.object({ videoId: id, start: frameIndex, end: frameIndex, classId: id }).strict(),
    output: z.object({ segmentId: id, lane: ActionLaneSchema }),
  },
  /** Moves either end or changes the class; a suggestion edited this way becomes the person's (human, accepted). */
  'action.update': {
    input: z.object({ segmentId: id, start: frameIndex.optional(), end: frameIndex.optional(), classId: id.optional() }).strict(),
    output: ActionLaneSchema,
  },
  /** Deletes a person's segment; a machine segment becomes 'rejected' instead, so it is not suggested again. */
  'action.delete': { input: z.object({ segmentId: id }).strict(), output: ActionLaneSchema },
  /** A suggestion becomes accepted (it keeps source 'machine' and its score). */
  'action.accept': { input: z.object({ segmentId: id }).strict(), output: ActionLaneSchema },
  /** A suggestion becomes rejected: hidden, and not proposed again by later runs. */
  'action.reject': { input: z.object({ segmentId: id }).strict(), output: ActionLaneSchema },
  /**
   * Runs the pack's action model over a video in the background (sliding clip windows, logits averaged per
   * frame) and puts its proposals on the lane as suggestions: {taskId} at once; progress as `task.progress`
   * (kind 'actions'), the end as `task.finished`. Accepted, edited and rejected segments are never touched.
   */
  'action.suggest': {
    input: z.object({ videoId: id, packDir: z.string().trim().min(1).optional() }).strict(),
    output: z.object({ taskId: z.string() }),
  },
  'action.cancel': { input: z.object({ taskId: z.string().min(1) }).strict(), output: z.null() },
} as const;
