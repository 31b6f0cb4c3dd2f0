/**
 * The model-pack contract: manifest.json beside the ONNX files (documented in models/README.md).
 * A pack is four networks run as Deep Feature Flow: feature (key frames), flow + warp (other frames), task (all).
 */
import { z } from 'zod';

export const PACK_FORMAT = 'dff-pack/1';

const tensorName = z.string().min(1);
const rgb = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]);

/** One ONNX file with the tensor name of each role it plays (role -> name in the graph). */
function network<I extends z.ZodRawShape, O extends z.ZodRawShape>(inputs: I, outputs: O) {
  return z.strictObject({
    file: z.string().min(1).regex(/^[^/\\]+\.onnx$/, 'a file name beside manifest.json ending in .onnx'),
    inputs: z.strictObject(inputs),
    outputs: z.strictObject(outputs),
  });
}

export const manifestSchema = z.strictObject({
  format: z.literal(PACK_FORMAT),
  name: z.string().min(1),
  version: z.string().min(1),
  description: z.string().optional(),
  input: z.strictObject({
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    channelOrder: z.enum(['RGB', 'BGR']),
    layout: z.literal('NCHW'),
    /** Pixel values are divided by nothing and compared with mean/std on this scale (255: 0..255 bytes). */
    valueScale: z.union([z.literal(1), z.literal(255)]),
    mean: z.tuple([z.number(), z.number(), z.number()]),
    std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  }),
  feature: z.strictObject({
    stride: z.number().int().positive(),
    channels: z.number().int().positive(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
  }),
  flow: z.strictObject({
    /** Both images are halved inside flow.onnx (the official DFF recipe); the graph takes full-size inputs. */
    inputHalving: z.boolean(),
    stride: z.number().int().positive(),
    /** Flow vectors are in feature cells (pixels / stride). */
    units: z.literal('featureCells'),
    /** Pixel p of the current frame shows what sits at p + M(p) in the key frame. */
    direction: z.literal('currentToKey'),
    alignCorners: z.boolean(),
    scaleField: z.enum(['perChannel', 'none']),
  }),
  keyInterval: z.number().int().positive().default(10),
  networks: z.strictObject({
    feature: network({ image: tensorName }, { features: tensorName }),
    flow: network({ keyImage: tensorName, currentImage: tensorName }, { flow: tensorName, scale: tensorName }),
    warp: network({ features: tensorName, flow: tensorName, scale: tensorName }, { warped: tensorName }),
    task: network(
      { features: tensorName },
      { segmentation: tensorName.optional(), heatmap: tensorName.optional(), size: tensorName.optional(), offset: tensorName.optional() },
    ),
  }),
  heads: z
    .strictObject({
      segmentation: z
        .strictObject({
          decoder: z.literal('argmax'),
          /** Role in networks.task.outputs holding (1, C+1, h, w) logits; resized bilinearly to the input first. */
          output: z.literal('segmentation'),
          backgroundId: z.literal(0),
        })
        .optional(),
      detection: z
        .strictObject({
          decoder: z.literal('centernet'),
          stride: z.number().int().positive(),
          heatmap: z.literal('heatmap'),
          size: z.literal('size'),
          offset: z.literal('offset'),
          /** log: box size = exp(value) * stride pixels. */
          sizeEncoding: z.literal('log'),
          peakKernel: z.number().int().positive().refine((k) => k % 2 === 1, 'an odd kernel size'),
          topK: z.number().int().positive(),
          scoreThreshold: z.number().min(0).max(1),
          nmsIou: z.number().min(0).max(1),
        })
        .optional(),
    })
    .refine((h) => h.segmentation || h.detection, 'a pack needs at least one head'),
  classes: z
    .array(z.strictObject({ id: z.number().int().positive(), name: z.string().min(1), color: rgb }))
    .min(1)
    .refine((cs) => cs.every((c, i) => c.id === i + 1), 'class ids must be 1, 2, 3, ... in order (0 is background)'),
  /**
   * Optional clip-level action model (MARS: RGB only at inference). One clip of `clipLength` frames, `frameStep`
   * apart, resized to width×height and normalised like `input`, goes in as (1, 3, clipLength, height, width);
   * out come (1, classes.length) logits. A video is labelled by windows `windowStride` frames apart.
   */
  action: z
    .strictObject({
      file: z.string().min(1).regex(/^[^/\\]+\.onnx$/, 'a file name beside manifest.json ending in .onnx'),
      inputs: z.strictObject({ clip: tensorName }),
      outputs: z.strictObject({ logits: tensorName }),
      clipLength: z.number().int().min(2),
      frameStep: z.number().int().positive().default(1),
      windowStride: z.number().int().positive(),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      channelOrder: z.enum(['RGB', 'BGR']),
      valueScale: z.union([z.literal(1), z.literal(255)]),
      mean: z.tuple([z.number(), z.number(), z.number()]),
      std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
      /** Logit order. classes[0] is the background ('no action'): never proposed as a segment. */
      classes: z.array(z.strictObject({ name: z.string().min(1), color: rgb })).min(2),
      /** Proposals shorter than this many frames are dropped. */
      minSegmentFrames: z.number().int().positive().default(6),
    })
    .optional(),
});

export type PackManifest = z.infer<typeof manifestSchema>;
export type NetworkName = keyof PackManifest['networks'];
export const NETWORK_NAMES: readonly NetworkName[] = ['feature', 'flow', 'warp', 'task'];
