/**
 * A minimal Deep Feature Flow runner over a loaded pack (the seed of the DFF engine): key frames run
 * feature + task; any other frame runs flow(key, current) + warp(key features) + task. Flow is always
 * key -> current, never chained.
 */
import * as ort from 'onnxruntime-node';
import { middleKey } from './segments';
import { AppError } from '../errors';
import { decodeCenterNet, decodeSegmentation, type Detection } from './decode';
import type { LoadedPack } from './load-pack';

export interface TaskOutputs {
  segmentation?: ort.Tensor;
  heatmap?: ort.Tensor;
  size?: ort.Tensor;
  offset?: ort.Tensor;
}

export interface KeyFrame {
  image: ort.Tensor;
  features: ort.Tensor;
}

export interface Propagation {
  flow: ort.Tensor;
  scale: ort.Tensor;
  warped: ort.Tensor;
}

export class DffRunner {
  constructor(readonly pack: LoadedPack) {}

  private get nets() {
    return this.pack.manifest.networks;
  }

  async features(image: ort.Tensor): Promise<ort.Tensor> {
    const { inputs, outputs } = this.nets.feature;
    const out = await this.pack.sessions.feature.run({ [inputs.image]: image });
    return out[outputs.features] as ort.Tensor;
  }

  async task(features: ort.Tensor): Promise<TaskOutputs> {
    const { inputs, outputs } = this.nets.task;
    const out = await this.pack.sessions.task.run({ [inputs.features]: features });
    const pick = (name?: string) => (name ? (out[name] as ort.Tensor) : undefined);
    return { segmentation: pick(outputs.segmentation), heatmap: pick(outputs.heatmap), size: pick(outputs.size), offset: pick(outputs.offset) };
  }

  async keyFrame(image: ort.Tensor): Promise<KeyFrame & { outputs: TaskOutputs }> {
    const features = await this.features(image);
    return { image, features, outputs: await this.task(features) };
  }

  /** Flow from the current frame to the key (in feature cells) and the scale field. */
  async flow(key: Pick<KeyFrame, 'image'>, image: ort.Tensor): Promise<{ flow: ort.Tensor; scale: ort.Tensor }> {
    const f = this.nets.flow;
    const out = await this.pack.sessions.flow.run({ [f.inputs.keyImage]: key.image, [f.inputs.currentImage]: image });
    return { flow: out[f.outputs.flow] as ort.Tensor, scale: out[f.outputs.scale] as ort.Tensor };
  }

  /** The key features warped by the flow, times the scale field (the warp graph). */
  async warp(key: KeyFrame, flow: ort.Tensor, scale: ort.Tensor): Promise<ort.Tensor> {
    const w = this.nets.warp;
    const out = await this.pack.sessions.warp.run({ [w.inputs.features]: key.features, [w.inputs.flow]: flow, [w.inputs.scale]: scale });
    return out[w.outputs.warped] as ort.Tensor;
  }

  /** Flow from the current frame to the key (in feature cells), the scale field, and the warped key features. */
  async propagate(key: KeyFrame, image: ort.Tensor): Promise<Propagation> {
    const { flow, scale } = await this.flow(key, image);
    return { flow, scale, warped: await this.warp(key, flow, scale) };
  }

  async nonKeyFrame(key: KeyFrame, image: ort.Tensor): Promise<Propagation & { outputs: TaskOutputs }> {
    const p = await this.propagate(key, image);
    return { ...p, outputs: await this.task(p.warped) };
  }

  /**
   * Task outputs for every frame of a sequence cut into segments of `keyInterval` frames, each with one key:
   * its first frame (0, k, 2k, ..., the paper's placement) or, with 'middle', its middle frame as the app's
   * engine places it (electron/core/dff/schedule.ts); frames before a key use the flow to it all the same.
   */
  async runSequence(
    images: ort.Tensor[],
    keyInterval = this.pack.manifest.keyInterval,
    placement: 'start' | 'middle' = 'start',
  ): Promise<TaskOutputs[]> {
    if (!Number.isInteger(keyInterval) || keyInterval < 1) {
      throw new AppError('INVALID_INPUT', `key interval must be a whole number of frames >= 1, got ${keyInterval}`);
    }
    const results: TaskOutputs[] = [];
    for (let start = 0; start < images.length; start += keyInterval) {
      const end = Math.min(start + keyInterval, images.length);
      const k = placement === 'middle' ? middleKey(start, end).key : start;
      const key = await this.keyFrame(images[k]!);
      for (let i = start; i < end; i++) results.push(i === k ? key.outputs : (await this.nonKeyFrame(key, images[i]!)).outputs);
    }
    return results;
  }

  /** Labels from task outputs: class-id map at the input size and decoded boxes (per the manifest's heads). */
  decode(outputs: TaskOutputs, minScore?: number): { segmentation?: Uint8Array; detections?: Detection[] } {
    const { input, heads } = this.pack.manifest;
    const result: { segmentation?: Uint8Array; detections?: Detection[] } = {};
    if (heads.segmentation && outputs.segmentation) {
      result.segmentation = decodeSegmentation(asMap(outputs.segmentation), input.width, input.height);
    }
    if (heads.detection && outputs.heatmap && outputs.size && outputs.offset) {
      result.detections = decodeCenterNet(asMap(outputs.heatmap), asMap(outputs.size), asMap(outputs.offset), heads.detection, minScore);
    }
    return result;
  }
}

function asMap(t: ort.Tensor) {
  return { data: t.data as Float32Array, dims: t.dims };
}
