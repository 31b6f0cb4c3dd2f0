/**
 * A minimal Deep Feature Flow runner over a loaded pack (the seed of the DFF engine): key frames run
 * feature + task; any other frame runs flow(key, current) + warp(key features) + task. Flow is always
 * key -> current, never chained.
 */
import * as ort from 'onnxruntime-node';
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

  /** Task outputs for every frame of a sequence, a key frame every `keyInterval` frames (0, k, 2k, ...). */
  async runSequence(images: ort.Tensor[], keyInterval = this.pack.manifest.keyInterval): Promise<TaskOutputs[]> {
    const results: TaskOutputs[] = [];
    let key: KeyFrame | undefined;
    for (let i = 0; i < images.length; i++) {
      if (i % keyInterval === 0 || !key) {
        const k = await this.keyFrame(images[i]!);
        key = k;
        results.push(k.outputs);
      } else {
        results.push((await this.nonKeyFrame(key, images[i]!)).outputs);
      }
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
