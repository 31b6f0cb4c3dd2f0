/**
 * What DFF does on one frame, recomputed for the visualisers: the flow from the frame back to its key
 * (in video pixels), a channel of the key's features, the same channel warped to the frame, the frame's own
 * features (N_feat on it), the scale field and the warp error |warped − own|. All on the feature grid.
 *
 * On a key frame DFF uses the key features as they are: the flow is zero and the scale one there, and the
 * warped feature is the key's put through the pack's warp graph with them (so ~0 error checks that graph).
 */
import * as ort from 'onnxruntime-node';
import type { DffVisualiseOptions, FieldGrid, FrameVisual } from '../../common/visualise-schemas';
import { AppError } from '../errors';
import type { PackManifest } from '../models/manifest';
import type { ProjectStore } from '../store';
import type { ToolPaths } from '../video';
import { defaultPackDir } from '../api/dff';
import { featureCacheAt, featureCacheKeys, type FeatureCache } from './feature-cache';
import { keyForFrame, runForFrame } from './frame-key';
import { withPack, type HeldPack } from './held-pack';
import { forEachFrame, type SpanFrame } from './video-span';

/** videoId, index, channel? (default 0), packDir? (default: the pack of the run that labelled the frame, else models/default). */
export type VisualiseRequest = DffVisualiseOptions;

export interface VisualiseOptions {
  tools?: ToolPaths;
  /** Where key features are looked up and kept (default: the app home's cache); null: none. */
  cache?: FeatureCache | null;
}

export async function visualiseFrame(store: ProjectStore, request: VisualiseRequest, options: VisualiseOptions = {}): Promise<FrameVisual> {
  const { videoId, index } = request;
  const video = store.getVideo(videoId);
  store.getFrame(videoId, index); // NOT_FOUND / OUT_OF_RANGE naming the frame
  const channel = request.channel ?? 0;
  const packDir = request.packDir ?? runForFrame(store, videoId, index)?.packPath ?? defaultPackDir();
  const cache = options.cache === undefined ? featureCacheAt() : options.cache;
  return withPack(packDir, async (held) => {
    const { manifest } = held.pack;
    const C = manifest.feature.channels;
    if (!Number.isInteger(channel) || channel < 0 || channel >= C) {
      throw new AppError('INVALID_INPUT', `channel ${channel} is outside the pack's features: ${manifest.name} has channels 0–${C - 1}`, {
        channel,
        channels: C,
      });
    }
    const { keyIndex } = keyForFrame(store, videoId, index, manifest.keyInterval);
    const [key, current] = await keyAndCurrent(store, videoId, keyIndex, index, held, options.tools);
    const keys = cache ? featureCacheKeys(store.locateVideo(videoId), held.hash) : null;
    const dims = [C, manifest.feature.height, manifest.feature.width] as const;
    let keyFeatures = keys ? cache!.get(keys, keyIndex, dims) : null;
    if (!keyFeatures) {
      keyFeatures = (await held.runner.features(key.image)).data as Float32Array;
      if (keys) cache!.put(keys, keyIndex, dims, keyFeatures);
    }
    const keyTensor = { image: key.image, features: featureTensor(keyFeatures, dims) };
    const isKey = keyIndex === index;
    const { flow, scale } = isKey ? identityFlow(manifest) : await held.runner.flow(keyTensor, current.image);
    const warped = await held.runner.warp(keyTensor, flow, scale);
    const own = (await held.runner.features(current.image)).data as Float32Array;

    const gw = manifest.feature.width;
    const gh = manifest.feature.height;
    const cells = gw * gh;
    const flowData = flow.data as Float32Array;
    const toVideoX = video.width / gw; // a cell is (video width / grid width) video pixels wide
    const toVideoY = video.height / gh;
    const dx = new Float32Array(cells);
    const dy = new Float32Array(cells);
    let maxFlowPx = 0;
    for (let p = 0; p < cells; p++) {
      dx[p] = flowData[p]! * toVideoX;
      dy[p] = flowData[cells + p]! * toVideoY;
      maxFlowPx = Math.max(maxFlowPx, Math.hypot(dx[p]!, dy[p]!));
    }
    const scaleData = scale.data as Float32Array;
    const scaleChannel = scaleData.length === cells ? 0 : channel;
    const keyC = plane(keyFeatures, channel, cells);
    const warpedC = plane(warped.data as Float32Array, channel, cells);
    const ownC = plane(own, channel, cells);
    const error = new Float32Array(cells);
    for (let p = 0; p < cells; p++) error[p] = Math.abs(warpedC[p]! - ownC[p]!);
    return {
      videoId,
      index,
      keyIndex,
      isKey,
      gridWidth: gw,
      gridHeight: gh,
      channels: C,
      channel,
      flowDx: base64(dx),
      flowDy: base64(dy),
      maxFlowPx,
      keyFeature: grid(keyC),
      warpedFeature: grid(warpedC),
      currentFeature: grid(ownC),
      scale: grid(plane(scaleData, scaleChannel, cells)),
      warpError: grid(error),
    };
  });
}

/** The key frame's and the frame's input tensors, from one decoder pass over the frames between them (the key may come after). */
async function keyAndCurrent(
  store: ProjectStore,
  videoId: number,
  keyIndex: number,
  index: number,
  held: HeldPack,
  tools?: ToolPaths,
): Promise<[SpanFrame, SpanFrame]> {
  let first: SpanFrame | null = null;
  let last: SpanFrame | null = null;
  const span = { from: Math.min(keyIndex, index), to: Math.max(keyIndex, index) + 1 };
  await forEachFrame(store, videoId, span, held.pack.manifest.input, async (f) => {
    first ??= f;
    last = f;
  }, tools);
  return keyIndex <= index ? [first!, last!] : [last!, first!];
}

/** Zero flow and a scale of one: what a key frame's own features go through. */
function identityFlow(m: PackManifest): { flow: ort.Tensor; scale: ort.Tensor } {
  const { channels, width, height } = m.feature;
  const c = m.flow.scaleField === 'perChannel' ? channels : 1;
  return {
    flow: new ort.Tensor('float32', new Float32Array(2 * width * height), [1, 2, height, width]),
    scale: new ort.Tensor('float32', new Float32Array(c * width * height).fill(1), [1, c, height, width]),
  };
}

function featureTensor(data: Float32Array, [c, h, w]: readonly [number, number, number]): ort.Tensor {
  return new ort.Tensor('float32', data, [1, c, h, w]);
}

function plane(data: Float32Array, channel: number, cells: number): Float32Array {
  return data.subarray(channel * cells, (channel + 1) * cells);
}

export function base64(data: Float32Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

export function fromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function grid(data: Float32Array): FieldGrid {
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max, data: base64(data) };
}
