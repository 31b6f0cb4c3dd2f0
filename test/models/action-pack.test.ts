/**
 * The committed default pack's action model (MARS, models/default/action.onnx), loaded and run for real with
 * onnxruntime-node: its manifest section against the ONNX graph, and its accuracy on freshly generated clips
 * (a seed never used in training or in the model card) against the figure the build measured.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadActionModel, type LoadedActionModel } from '../../electron/core/models/action-model';
import { readManifest } from '../../electron/core/models/load-pack';
import { defaultOpset } from '../../electron/core/models/onnx-opset';
import { frameToTensor } from '../../electron/core/models/preprocess';
import { ACTION_CLASS_NAMES, generateActionClips } from '../../electron/core/world/action-clips';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACK = path.join(ROOT, 'models/default');
const METRICS = JSON.parse(readFileSync(path.join(PACK, 'action-metrics.json'), 'utf8')) as {
  heldOut: { accuracy: Record<string, { accuracy: number }> };
  onnxBench: { accuracy: Record<string, number> } | null;
};
// ~400 clips: the accuracy's standard error is about 2.5 points; the build measured on other seeds.
const MARGIN = 0.08;

let model: LoadedActionModel;
beforeAll(async () => {
  model = await loadActionModel(PACK, { threads: 2 });
});
afterAll(async () => {
  await model?.release();
});

describe('default pack action model', () => {
  it("matches its manifest section: tensor names and shapes, classes in logit order with 'none' first", async () => {
    const spec = (await readManifest(PACK)).action!;
    expect(spec).toBeDefined();
    expect(model.session.inputNames).toEqual([spec.inputs.clip]);
    expect(model.session.outputNames).toEqual([spec.outputs.logits]);
    const input = model.session.inputMetadata[0]!;
    const output = model.session.outputMetadata[0]!;
    expect(input.isTensor && input.type).toBe('float32');
    expect(input.isTensor && input.shape).toEqual([1, 3, spec.clipLength, spec.height, spec.width]);
    expect(output.isTensor && output.shape).toEqual([1, spec.classes.length]);
    expect(spec.classes.map((c) => c.name)).toEqual([...ACTION_CLASS_NAMES]);
    expect(new Set(spec.classes.map((c) => c.color.join(','))).size).toBe(spec.classes.length);
    expect(spec.windowStride).toBeLessThanOrEqual(spec.clipLength);
    expect(spec.minSegmentFrames).toBe(6);
    const file = path.join(PACK, spec.file);
    expect(defaultOpset(readFileSync(file), spec.file)).toBeGreaterThanOrEqual(16);
    expect(statSync(file).size).toBeLessThan(3 * 2 ** 20);
  });

  it('labels fresh held-out clips about as well as the build measured, far above chance', async () => {
    const spec = model.spec;
    const T = spec.clipLength;
    const plane = spec.width * spec.height;
    const input = { ...spec, layout: 'NCHW' as const };
    const clips = generateActionClips({ seed: 90125, videos: 6, width: spec.width, height: spec.height, clipLength: T, windowStride: 2 });
    const data = new Float32Array(3 * T * plane);
    const x = new ort.Tensor('float32', data, [1, 3, T, spec.height, spec.width]);
    const hits = new Array<number>(spec.classes.length).fill(0);
    const totals = new Array<number>(spec.classes.length).fill(0);
    for (const clip of clips) {
      clip.frames.forEach((rgb, t) => {
        const f = frameToTensor(rgb, spec.width, spec.height, input).data as Float32Array;
        for (let c = 0; c < 3; c++) data.set(f.subarray(c * plane, (c + 1) * plane), (c * T + t) * plane);
      });
      const logits = (await model.session.run({ [spec.inputs.clip]: x }))[spec.outputs.logits]!.data as Float32Array;
      const predicted = logits.indexOf(Math.max(...logits));
      totals[clip.label]!++;
      if (predicted === clip.label) hits[clip.label]!++;
    }
    const accuracy = hits.reduce((a, b) => a + b, 0) / clips.length;
    const measured = Math.min(METRICS.heldOut.accuracy.MARS!.accuracy, METRICS.onnxBench?.accuracy.MARS ?? 1);
    console.log(
      `MARS on ${clips.length} fresh clips: ${(100 * accuracy).toFixed(1)} % (build measured ${(100 * measured).toFixed(1)} %); per class`,
      Object.fromEntries(ACTION_CLASS_NAMES.map((n, c) => [n, `${hits[c]}/${totals[c]}`])),
    );
    expect(clips.length).toBeGreaterThan(250);
    expect(totals.every((n) => n > 10)).toBe(true);
    expect(accuracy).toBeGreaterThan(measured - MARGIN);
    expect(accuracy).toBeGreaterThan(2.5 / spec.classes.length); // chance is 1 / 7
  });
});
