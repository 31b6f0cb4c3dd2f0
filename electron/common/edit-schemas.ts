/**
 * The annotation editor's calls: reading a frame's labels for editing, the edits themselves (each one
 * undoable step), undo/redo, verify and accept, carrying a correction forward, and the class palette.
 * Spread into `calls` in api.ts. Masks travel as the counts string of COCO compressed RLE at the
 * video's full size (its size is implied: [video height, video width]).
 */
import { z } from 'zod';
import { ANNOTATION_SOURCES, FRAME_STATES } from './domain';

const id = z.number().int().positive();
const frameIndex = z.number().int().nonnegative();
const trackId = z.number().int().nonnegative();

export const BoxSchema = z.object({ x: z.number().finite(), y: z.number().finite(), w: z.number().finite(), h: z.number().finite() });
export type BoxInput = z.infer<typeof BoxSchema>;

export const EditableAnnotationSchema = z.object({
  id,
  classId: id,
  trackId: trackId.nullable(),
  /** In video pixels; for a mask, the mask's box. */
  bbox: BoxSchema,
  /** COCO compressed RLE counts at the video's size, or null for a box. */
  rle: z.string().nullable(),
  score: z.number().nullable(),
  source: z.enum(ANNOTATION_SOURCES),
  verified: z.boolean(),
});
export type EditableAnnotation = z.infer<typeof EditableAnnotationSchema>;

export const EditHistorySchema = z.object({ undo: z.string().nullable(), redo: z.string().nullable() });
export type EditHistoryInfo = z.infer<typeof EditHistorySchema>;

/** One frame's labels as the editor needs them, with the project's undo/redo state. */
export const FrameLabelsSchema = z.object({
  videoId: id,
  index: frameIndex,
  state: z.enum(FRAME_STATES),
  annotations: z.array(EditableAnnotationSchema),
  history: EditHistorySchema,
});
export type FrameLabels = z.infer<typeof FrameLabelsSchema>;

export const EditStepSchema = z.object({
  label: z.string(),
  videoId: id.nullable(),
  /** Frames the step changed, ascending: the UI returns to the first. */
  frames: z.array(frameIndex),
});
export const UndoResultSchema = z.object({ step: EditStepSchema.nullable(), history: EditHistorySchema });
export type UndoResult = z.infer<typeof UndoResultSchema>;

/** 'lost': the object left the picture. */
export const CARRY_STOP_REASONS = ['limit', 'human-edited', 'key-frame', 'end', 'lost'] as const;
export const CarryResultSchema = z.object({
  /** The frames that received the carried label, ascending. */
  frames: z.array(frameIndex),
  /** The first frame not written (or the video's frame count at its end). */
  stoppedAt: frameIndex,
  reason: z.enum(CARRY_STOP_REASONS),
  history: EditHistorySchema,
});
export type CarryResult = z.infer<typeof CarryResultSchema>;

export const ClassPresetSchema = z.object({
  name: z.string(),
  classes: z.array(z.object({ name: z.string(), color: z.string(), hasInstances: z.boolean() })),
});
export type ClassPreset = z.infer<typeof ClassPresetSchema>;

const classInfo = z.object({ id, name: z.string(), color: z.string(), hasInstances: z.boolean() });
const frameRef = { videoId: id, index: frameIndex };

export const editCalls = {
  /** A frame's labels for the editor, with the undo/redo labels. */
  'annotation.list': { input: z.object(frameRef).strict(), output: FrameLabelsSchema },
  /**
   * A person's new box (bbox) or mask (rle; its box is the mask's). A box is clipped to the frame; one of zero size
   * or wholly outside is refused, naming it. trackId left out: the next free track id when the class has instances.
   */
  'annotation.create': {
    input: z.object({ ...frameRef, classId: id, trackId: trackId.nullable().optional(), bbox: BoxSchema.optional(), rle: z.string().min(1).optional() }).strict(),
    output: z.object({ annotationId: id, labels: FrameLabelsSchema }),
  },
  /** Moves/resizes (bbox), repaints (rle; null drops the mask), changes class or track id. A machine row becomes 'corrected'. */
  'annotation.update': {
    input: z
      .object({ annotationId: id, classId: id.optional(), trackId: trackId.nullable().optional(), bbox: BoxSchema.optional(), rle: z.string().min(1).nullable().optional() })
      .strict(),
    output: FrameLabelsSchema,
  },
  'annotation.delete': { input: z.object({ annotationId: id }).strict(), output: FrameLabelsSchema },
  /**
   * Carries an annotation along the flow to the next frames (up to `limit`), stopping at a frame a person
   * edited, the next key frame or the video's end: one undoable step; those frames become 'carried'.
   */
  'annotation.carryForward': { input: z.object({ annotationId: id, limit: z.number().int().min(1).max(300) }).strict(), output: CarryResultSchema },
  /** Marks a frame verified (true) or withdraws that (false). */
  'frame.verify': { input: z.object({ ...frameRef, verified: z.boolean() }).strict(), output: FrameLabelsSchema },
  /** The frame's machine labels become the person's and the frame is verified. */
  'frame.acceptAll': { input: z.object(frameRef).strict(), output: FrameLabelsSchema },
  'edit.undo': { input: z.object({}).strict(), output: UndoResultSchema },
  'edit.redo': { input: z.object({}).strict(), output: UndoResultSchema },
  'edit.history': { input: z.object({}).strict(), output: EditHistorySchema },
  /** Adds a class to the project (a name already there, any case, is refused naming it). */
  'class.add': {
    input: z.object({ name: z.string().trim().min(1), color: z.string().regex(/^#[0-9a-fA-F]{6}$/), hasInstances: z.boolean().optional() }).strict(),
    output: classInfo,
  },
  /** Removes a class no annotation uses; otherwise refused, naming how many do. */
  'class.remove': { input: z.object({ classId: id }).strict(), output: z.null() },
  /** Class lists to add from: the default pack's own, COCO's 80, Cityscapes' 19. */
  'class.presets': { input: z.object({}).strict(), output: z.array(ClassPresetSchema) },
} as const;
