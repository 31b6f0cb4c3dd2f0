/**
 * The committed default pack, loaded and run for real with onnxruntime-node: its manifest against the ONNX
 * graphs, its accuracy on freshly generated frames (a seed never used in training) per frame and with DFF
 * at k=10 (keys at the start of their segments, and in the middle as the app's engine places them), and the
 * errors that broken packs give.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../electron/core/errors';
import { DffRunner } from '../../electron/core/models/dff-runner';
import { loadPack, type LoadedPack } from '../../electron/core/models/load-pack';
import { NETWORK_NAMES } from '../../electron/core/models/manifest';
import { DetectionAP, SegmentationIoU } from '../../electron/core/models/metrics';
import { frameToTensor } from '../../electron/core/models/preprocess';
import type { Difficulty } from '../../electron/core/world/params';
import { createWorld } from '../../electron/core/world/world';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACK = path.join(ROOT, 'models/default');
interface Scores {
  mIoU: number;
  mAP50: number;
}
const CARD = JSON.parse(readFileSync(path.join(PACK, 'metrics.json'), 'utf8')) as {
  perFrame: Scores;
  dff: Scores;
  testSubset: {
    clips: { name: string; seed: number; width: number; height: number; frameCount: number; difficulty: Difficulty; fps: number }[];
    perFrame: Scores;
    dff: Scores;
    dffMiddle: Scores;
  };
};
// The card's subset figures come from the same clips decoded from H.264 by Python/PyTorch; here they are
// rendered losslessly and run through onnxruntime-node and the TypeScript decoders, so allow a small margin.
const TOL = { mIoU: 0.03, mAP50: 0.04 };

let pack: LoadedPack;
beforeAll(async () => {
  pack = await loadPack(PACK, { sessionOptions: { intraOpNumThreads: 1 } });
});
afterAll(async () => {
  await pack?.release();
});

describe('default pack', () => {
  it('matches its manifest: tensor names, opset, class table', () => {
    const m = pack.manifest;
    for (const net of NETWORK_NAMES) {
      const spec = m.networks[net];
      expect(new Set(pack.sessions[net].inputNames)).toEqual(new Set(Object.values(spec.inputs)));
      expect(new Set(pack.sessions[net].outputNames)).toEqual(new Set(Object.values(spec.outputs).filter(Boolean)));
      expect(pack.opsets[net]).toBeGreaterThanOrEqual(16);
    }
    const seg = pack.sessions.task.outputMetadata.find((o) => o.name === m.networks.task.outputs.segmentation)!;
    expect(seg.isTensor && seg.shape[1]).toBe(m.classes.length + 1);
    expect(m.feature.stride).toBe(16);
    expect(m.classes.map((c) => c.name)).toEqual(createWorld({ seed: 1, width: 32, height: 32, frameCount: 1 }).classes.map((c) => c.name));
  });

  it('warps like GridSample (bilinear, border padding, align_corners=False) times the scale field, flows past the border included', async () => {
    // warp.onnx is a MatMul with an interpolation matrix, not the GridSample op (faster on CPU): check its values
    // against GridSample's definition, sampled here point by point
    const { height: fh, width: fw } = pack.manifest.feature;
    const C = pack.manifest.feature.channels;
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const features = Float32Array.from({ length: C * fh * fw }, () => 4 * rand());
    const scale = Float32Array.from({ length: C * fh * fw }, () => 1 + 0.5 * rand());
    const spec = pack.manifest.networks.warp;
    for (const reach of [0.7, 3, 30]) {
      const flow = Float32Array.from({ length: 2 * fh * fw }, () => reach * rand());
      flow[0] = 0.5; // exactly between two cells: both taps weigh one half
      flow[fh * fw] = 0;
      const out = await pack.sessions.warp.run({
        [spec.inputs.features]: new ort.Tensor('float32', features, [1, C, fh, fw]),
        [spec.inputs.flow]: new ort.Tensor('float32', flow, [1, 2, fh, fw]),
        [spec.inputs.scale]: new ort.Tensor('float32', scale, [1, C, fh, fw]),
      });
      const warped = out[spec.outputs.warped]!.data as Float32Array;
      let worst = 0;
      for (let y = 0; y < fh; y++) {
        for (let x = 0; x < fw; x++) {
          const p = y * fw + x;
          const sx = Math.min(Math.max(x + flow[p]!, 0), fw - 1);
          const sy = Math.min(Math.max(y + flow[fh * fw + p]!, 0), fh - 1);
          const x0 = Math.floor(sx);
          const y0 = Math.floor(sy);
          const x1 = Math.min(x0 + 1, fw - 1);
          const y1 = Math.min(y0 + 1, fh - 1);
          const ax = sx - x0;
          const ay = sy - y0;
          for (let c = 0; c < C; c++) {
            const at = (yy: number, xx: number) => features[c * fh * fw + yy * fw + xx]!;
            const v = (1 - ay) * ((1 - ax) * at(y0, x0) + ax * at(y0, x1)) + ay * ((1 - ax) * at(y1, x0) + ax * at(y1, x1));
            worst = Math.max(worst, Math.abs(v * scale[c * fh * fw + p]! - warped[c * fh * fw + p]!));
          }
        }
      }
      expect(worst, `flows up to ${reach} cells`).toBeLessThan(1e-4);
    }
  });

  it('reaches the model card accuracy on the card\'s test clips (seed 7777, never trained on), per frame and DFF k=10 (keys at the start and in the middle)', async () => {
    const { width, height } = pack.manifest.input;
    const runner = new DffRunner(pack);
    const C = pack.manifest.classes.length;
    const per = { seg: new SegmentationIoU(C), det: new DetectionAP(C) };
    const dff = { seg: new SegmentationIoU(C), det: new DetectionAP(C) };
    const dffMiddle = { seg: new SegmentationIoU(C), det: new DetectionAP(C) };
    for (const clip of CARD.testSubset.clips) {
      expect([clip.width, clip.height]).toEqual([width, height]);
      const world = createWorld({ seed: clip.seed, width, height, frameCount: clip.frameCount, difficulty: clip.difficulty, fps: clip.fps });
      const truth = world.annotations().frames;
      const frames = Array.from({ length: clip.frameCount }, (_, i) => world.render(i));
      const images = frames.map((f) => frameToTensor(f.rgb, width, height, pack.manifest.input));
      const dffOut = await runner.runSequence(images, 10);
      const middleOut = await runner.runSequence(images, 10, 'middle');
      for (let i = 0; i < frames.length; i++) {
        const boxes = truth[i]!.objects.map((o) => ({ box: o.box, classId: o.classId, area: o.area, visibleFraction: o.visibleFraction }));
        const p = runner.decode((await runner.keyFrame(images[i]!)).outputs, 0.01);
        per.seg.add(p.segmentation!, frames[i]!.semantic);
        per.det.add(p.detections!, boxes);
        const d = runner.decode(dffOut[i]!, 0.01);
        dff.seg.add(d.segmentation!, frames[i]!.semantic);
        dff.det.add(d.detections!, boxes);
        const m = runner.decode(middleOut[i]!, 0.01);
        dffMiddle.seg.add(m.segmentation!, frames[i]!.semantic);
        dffMiddle.det.add(m.detections!, boxes);
      }
    }
    const got = {
      perFrame: { mIoU: per.seg.result().mIoU, mAP50: per.det.result().mAP },
      dff: { mIoU: dff.seg.result().mIoU, mAP50: dff.det.result().mAP },
      dffMiddle: { mIoU: dffMiddle.seg.result().mIoU, mAP50: dffMiddle.det.result().mAP },
    };
    const { perFrame, dff: dffCard, dffMiddle: middleCard } = CARD.testSubset;
    console.log('node accuracy', JSON.stringify(got), 'card (same clips)', JSON.stringify({ perFrame, dff: dffCard, dffMiddle: middleCard }));
    expect(middleCard, 'metrics.json testSubset.dffMiddle (rebuild the card with write_card.py)').toBeDefined();
    for (const mode of ['perFrame', 'dff', 'dffMiddle'] as const) {
      expect(got[mode].mIoU).toBeGreaterThan(CARD.testSubset[mode].mIoU - TOL.mIoU);
      expect(got[mode].mAP50).toBeGreaterThan(CARD.testSubset[mode].mAP50 - TOL.mAP50);
    }
  });
});

describe('broken packs', () => {
  let dir: string;
  const manifest = () => JSON.parse(readFileSync(path.join(PACK, 'manifest.json'), 'utf8'));
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dff-pack-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A pack folder whose ONNX files link to the real ones, with the given manifest and file overrides. */
  function brokenPack(name: string, m: unknown, files: Record<string, Uint8Array> = {}): string {
    const d = path.join(dir, name);
    cpSync(PACK, d, { recursive: true, filter: (src) => !src.endsWith('.onnx') });
    for (const net of ['feature', 'flow', 'warp', 'task']) {
      const f = `${net}.onnx`;
      if (files[f]) writeFileSync(path.join(d, f), files[f]!);
      else symlinkSync(path.join(PACK, f), path.join(d, f));
    }
    writeFileSync(path.join(d, 'manifest.json'), JSON.stringify(m));
    return d;
  }

  async function loadError(d: string): Promise<AppError> {
    const err = await loadPack(d).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }

  it('names the missing file', async () => {
    const m = manifest();
    m.networks.flow.file = 'flow-v2.onnx';
    const err = await loadError(brokenPack('missing', m));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('flow-v2.onnx');
  });

  it('names the file and the tensor when a tensor name is wrong', async () => {
    const m = manifest();
    m.networks.task.outputs.heatmap = 'heat';
    const err = await loadError(brokenPack('tensor', m));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('task.onnx');
    expect(err.message).toContain("'heat'");
  });

  it('rejects a class table that does not match the heads', async () => {
    const m = manifest();
    m.classes.pop();
    const err = await loadError(brokenPack('classes', m));
    expect(err.message).toMatch(/task\.onnx: tensor 'segmentation'.*different number of classes/);
  });

  it('rejects a wrong input size, naming the manifest', async () => {
    const m = manifest();
    m.input.width = 640;
    const err = await loadError(brokenPack('size', m));
    expect(err.message).toContain('manifest.json');
    expect(err.message).toContain('640');
  });

  it('rejects an unsupported opset, naming the file', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(PACK, 'warp.onnx')));
    // torch writes opset_import {version: 16} last: field 8, length 2, field 2 = 16
    expect([...bytes.subarray(-4)]).toEqual([0x42, 0x02, 0x10, 0x10]);
    bytes[bytes.length - 1] = 11;
    const err = await loadError(brokenPack('opset', manifest(), { 'warp.onnx': bytes }));
    expect(err.message).toContain('warp.onnx');
    expect(err.message).toContain('opset 11');
  });

  it('rejects a manifest that breaks the schema, naming the field', async () => {
    const m = manifest();
    delete m.flow.stride;
    const err = await loadError(brokenPack('schema', m));
    expect(err.message).toContain('flow.stride');
  });
});
