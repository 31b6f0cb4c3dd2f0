/**
 * The export and import settings as zod schemas: pure (no Node imports), so the renderer's contract and
 * the core's export module share one definition. The core's export module re-exports these.
 */
import { z } from 'zod';

export const SelectionSchema = z.object({
  /** Videos to take frames from; all when left out. */
  videoIds: z.array(z.int().positive()).optional(),
  /** Frames a person verified. */
  verified: z.boolean().default(true),
  /** Frames a person corrected (not yet verified). */
  corrected: z.boolean().default(false),
  /** Frames whose labels were carried along the flow from a person's correction (not yet reviewed). */
  carried: z.boolean().default(false),
  /** Machine frames (predicted or propagated) whose score is at least this; null leaves them out. */
  machineMinScore: z.number().min(0).max(1).nullable().default(null),
  /** Keep only every n-th frame index (idx % n === 0). */
  everyNth: z.int().min(1).default(1),
  /** Frames [from, to) of each video. */
  range: z
    .object({ from: z.int().min(0), to: z.int().min(0) })
    .refine((r) => r.from <= r.to, { message: 'range.from must not be after range.to' })
    .optional(),
  validation: z
    .discriminatedUnion('by', [
      z.object({ by: z.literal('none') }),
      z.object({ by: z.literal('video'), videoIds: z.array(z.int().positive()).min(1) }),
      z.object({
        by: z.literal('time-block'),
        blockFrames: z.int().min(1),
        fraction: z.number().gt(0).lt(1),
        gapFrames: z.int().min(1).default(10),
      }),
    ])
    .default({ by: 'none' }),
});
export type FrameSelection = z.input<typeof SelectionSchema>;
export type CheckedSelection = z.output<typeof SelectionSchema>;

const common = {
  /** Folder the export goes into (created when missing). */
  outDir: z.string().min(1),
  /** Name of the export's own folder inside outDir. */
  name: z
    .string()
    .min(1)
    .regex(/^[^/\\:*?"<>|]+$/, 'must be a plain folder name (no / \\ : * ? " < > |)')
    .refine((s) => s !== '.' && s !== '..' && !s.startsWith('.'), 'must not start with a dot'),
  /** Replace an existing export of the same name (never done without this). */
  overwrite: z.boolean().default(false),
  selection: SelectionSchema.default(SelectionSchema.parse({})),
};

export const CocoSpecSchema = z.object({
  format: z.literal('coco'),
  ...common,
  /** Masks as compressed RLE, or as polygons (a mask with holes stays RLE: COCO polygons cannot hold holes). */
  segmentation: z.enum(['rle', 'polygon']).default('rle'),
  /** Frame images beside the JSON. */
  images: z.enum(['none', 'jpeg', 'png']).default('jpeg'),
  jpegQuality: z.int().min(1).max(100).default(95),
  /** Also write the machine's annotations (with scores) as COCO results files. */
  predictions: z.boolean().default(false),
});

export const CityscapesSpecSchema = z.object({
  format: z.literal('cityscapes'),
  ...common,
  /** The {city} part of every file name; defaults to the project's name. Cityscapes splits names on '_'. */
  city: z
    .string()
    .regex(/^[a-z0-9-]+$/i, "must be letters, digits and '-' only (Cityscapes splits file names on '_')")
    .optional(),
  /** Write each frame as _leftImg8bit.png. */
  images: z.boolean().default(true),
});

export const ExportSpecSchema = z.discriminatedUnion('format', [CocoSpecSchema, CityscapesSpecSchema]);
export type ExportSpecInput = z.input<typeof ExportSpecSchema>;
export type ExportSpec = z.output<typeof ExportSpecSchema>;
export type CocoSpec = z.output<typeof CocoSpecSchema>;
export type CityscapesSpec = z.output<typeof CityscapesSpecSchema>;

// ---- the inputs of the export calls ----

export const ExportSummaryInput = z.object({ selection: SelectionSchema.default(SelectionSchema.parse({})) });
export const ExportRunInput = z.object({ spec: ExportSpecSchema });
export const PresetSaveInput = z.object({ name: z.string().min(1), spec: ExportSpecSchema });
export const PresetGetInput = z.object({ name: z.string().min(1) });
export const CityscapesMappingSetInput = z.object({
  /** class id → Cityscapes id (0–33) or label name; null removes the entry (back to matching by name). */
  entries: z.record(z.string().regex(/^\d+$/), z.union([z.int(), z.string(), z.null()])),
});

/** The input of 'import.coco' (core/import/coco-import.ts validates with it too). */
export const ImportCocoInput = z.object({
  /** A COCO dataset (object) or results (array) file. */
  file: z.string().min(1),
  /** The project video the labels go on. */
  videoId: z.int().positive(),
  /**
   * For a results file: the dataset file whose images and categories its image_id/category_id refer
   * to. Without it, image_id is the frame index and category_id the project's class id.
   */
  imagesFrom: z.string().min(1).optional(),
  /** How images find their frame: frame_id/frame_index, the number in file_name, or the first of those present. */
  match: z.enum(['auto', 'frame-index', 'file-name']).default('auto'),
  /** Which video of a multi-video file (its videos[].id); by default the one named like the project's video, or the only one. */
  cocoVideoId: z.int().optional(),
  /** Annotations with a score below this are left out (those without a score are kept). */
  minScore: z.number().min(0).max(1).default(0),
  /** Add categories the project lacks as new classes (otherwise they are an error). */
  createClasses: z.boolean().default(false),
});
