/** The contract of `dff.visualise`: what DFF did on one frame, on the pack's feature grid (see electron/core/dff/visualise.ts). */
import { z } from 'zod';

export const DffVisualiseInput = z.object({
  videoId: z.number().int().positive(),
  index: z.number().int().nonnegative(),
  /** Feature channel to show (default 0); out of the pack's range -> INVALID_INPUT naming the range. */
  channel: z.number().int().nonnegative().optional(),
  /** The pack to recompute with; default the pack of the run that labelled the frame, else the bundled one. */
  packDir: z.string().trim().min(1).optional(),
});
export type DffVisualiseOptions = z.input<typeof DffVisualiseInput>;

/** gridHeight rows of gridWidth floats, row-major, as base64 of little-endian Float32, with their range. */
export const FieldGridSchema = z.object({ min: z.number(), max: z.number(), data: z.string() });
export type FieldGrid = z.infer<typeof FieldGridSchema>;

export const FrameVisualSchema = z.object({
  videoId: z.number().int().positive(),
  index: z.number().int().nonnegative(),
  /** The frame's key: from the run that labelled the video, else a key every keyInterval frames of the pack. */
  keyIndex: z.number().int().nonnegative(),
  isKey: z.boolean(),
  gridWidth: z.number().int().positive(),
  gridHeight: z.number().int().positive(),
  channels: z.number().int().positive(),
  channel: z.number().int().nonnegative(),
  /** Flow from this frame back to its key in VIDEO pixels (base64 Float32 grids): cell p shows what sits at p + (dx, dy) in the key. */
  flowDx: z.string(),
  flowDy: z.string(),
  maxFlowPx: z.number().nonnegative(),
  keyFeature: FieldGridSchema,
  /** The key's features warped to this frame (times the scale field), as DFF uses them. */
  warpedFeature: FieldGridSchema,
  /** The feature network on this frame itself. */
  currentFeature: FieldGridSchema,
  scale: FieldGridSchema,
  /** |warped − current|. */
  warpError: FieldGridSchema,
});
export type FrameVisual = z.infer<typeof FrameVisualSchema>;

/** The calls of this file, spread into `calls` in api.ts. */
export const visualiseCalls = {
  /** Recomputes, for any frame, its flow back to the key, a feature channel of the key warped, the scale field and the warp error. */
  'dff.visualise': { input: DffVisualiseInput.strict(), output: FrameVisualSchema },
} as const;
