/** Decoders and preprocessing on hand-made tensors whose right answer is known. */
import { describe, expect, it } from 'vitest';
import { decodeCenterNet, decodeSegmentation, nms, type DetectionParams } from '../../electron/core/models/decode';
import { DetectionAP, SegmentationIoU } from '../../electron/core/models/metrics';
import { frameToTensor } from '../../electron/core/models/preprocess';

const DET: DetectionParams = {
  decoder: 'centernet',
  stride: 8,
  heatmap: 'heatmap',
  size: 'size',
  offset: 'offset',
  sizeEncoding: 'log',
  peakKernel: 3,
  topK: 100,
  scoreThreshold: 0.3,
  nmsIou: 0.5,
};
const logit = (p: number) => Math.log(p / (1 - p));

describe('decodeSegmentation', () => {
  it('upsamples logits bilinearly and takes the argmax per pixel', () => {
    // 2 classes on a 1x2 grid: class 1 wins on the right cell only; upsampled to 1x8 the boundary sits mid-way
    const data = new Float32Array([1, 0, 0, 1]); // class 0: [1, 0], class 1: [0, 1]
    const out = decodeSegmentation({ data, dims: [1, 2, 1, 2] }, 8, 1);
    expect([...out]).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });
});

describe('decodeCenterNet', () => {
  it('finds peaks, places boxes from offset and log size, and drops weak and non-peak cells', () => {
    const C = 2;
    const h = 4;
    const w = 6;
    const heat = new Float32Array(C * h * w).fill(logit(0.01));
    heat[1 * w + 1] = logit(0.9); // class 1 peak at (1, 1)
    heat[1 * w + 2] = logit(0.6); // its neighbour: not a local maximum
    heat[h * w + 2 * w + 4] = logit(0.8); // class 2 peak at (4, 2)
    heat[3 * w + 5] = logit(0.2); // below the threshold
    const size = new Float32Array(2 * h * w);
    const offset = new Float32Array(2 * h * w);
    size[1 * w + 1] = Math.log(2); // 16 px wide
    size[h * w + 1 * w + 1] = Math.log(3); // 24 px high
    offset[1 * w + 1] = 0.5;
    offset[h * w + 1 * w + 1] = 0.25;
    const dets = decodeCenterNet({ data: heat, dims: [1, C, h, w] }, { data: size, dims: [1, 2, h, w] }, { data: offset, dims: [1, 2, h, w] }, DET);
    expect(dets).toHaveLength(2);
    expect(dets[0]!.classId).toBe(1);
    expect(dets[0]!.score).toBeCloseTo(0.9, 5);
    const [x, y, bw, bh] = dets[0]!.box;
    expect([x + bw / 2, y + bh / 2, bw, bh].map((v) => Math.round(v * 100) / 100)).toEqual([12, 10, 16, 24]);
    expect(dets[1]!.classId).toBe(2);
  });

  it('NMS keeps the best of overlapping same-class boxes and keeps other classes', () => {
    const kept = nms(
      [
        { box: [0, 0, 10, 10], score: 0.5, classId: 1 },
        { box: [1, 1, 10, 10], score: 0.9, classId: 1 },
        { box: [1, 1, 10, 10], score: 0.4, classId: 2 },
      ],
      0.5,
    );
    expect(kept.map((d) => [d.classId, d.score])).toEqual([
      [1, 0.9],
      [2, 0.4],
    ]);
  });
});

describe('metrics', () => {
  it('mIoU from a confusion matrix', () => {
    const m = new SegmentationIoU(1);
    m.add(new Uint8Array([0, 0, 1, 1]), new Uint8Array([0, 1, 1, 1]));
    // class 0: inter 1, union 2; class 1: inter 2, union 3
    expect(m.result().mIoU).toBeCloseTo((0.5 + 2 / 3) / 2, 10);
  });

  it('mIoU of merged measures equals the mIoU of all their pixels measured together', () => {
    const a = new SegmentationIoU(2);
    const b = new SegmentationIoU(2);
    const all = new SegmentationIoU(2);
    const frames = [
      [new Uint8Array([0, 1, 2, 2]), new Uint8Array([0, 1, 1, 2])],
      [new Uint8Array([2, 2, 0, 1]), new Uint8Array([0, 2, 0, 1])],
    ] as const;
    a.add(...frames[0]);
    b.add(...frames[1]);
    for (const f of frames) all.add(...f);
    a.merge(b);
    expect(a.result()).toEqual(all.result());
    expect(a.result().mIoU).not.toEqual(new SegmentationIoU(2).result().mIoU);
  });

  it('AP: a duplicate is a false positive, an ignored object is neither', () => {
    const ap = new DetectionAP(1);
    const truth = [
      { box: [0, 0, 20, 20] as [number, number, number, number], classId: 1, area: 400, visibleFraction: 1 },
      { box: [50, 50, 5, 5] as [number, number, number, number], classId: 1, area: 25, visibleFraction: 1 }, // ignored: tiny
    ];
    ap.add(
      [
        { box: [0, 0, 20, 20], score: 0.9, classId: 1 },
        { box: [50, 50, 5, 5], score: 0.8, classId: 1 },
        { box: [1, 0, 20, 20], score: 0.7, classId: 1 },
      ],
      truth,
    );
    // ranked: TP (recall 1, precision 1), ignored, FP -> AP 1
    expect(ap.result().mAP).toBeCloseTo(1, 10);
    const ap2 = new DetectionAP(1);
    ap2.add([{ box: [1, 0, 20, 20], score: 0.95, classId: 1 }, { box: [100, 100, 20, 20], score: 0.99, classId: 1 }], truth);
    expect(ap2.result().mAP).toBeCloseTo(0.5, 10); // FP ranked first: precision 1/2 at recall 1
  });
});

describe('frameToTensor', () => {
  const input = { width: 2, height: 1, channelOrder: 'RGB', layout: 'NCHW', valueScale: 255, mean: [10, 20, 30], std: [2, 4, 5] } as const;
  it('normalises per channel into planar NCHW', () => {
    const t = frameToTensor(new Uint8Array([12, 24, 40, 10, 20, 30]), 2, 1, { ...input, mean: [...input.mean], std: [...input.std] });
    expect(t.dims).toEqual([1, 3, 1, 2]);
    expect([...(t.data as Float32Array)]).toEqual([1, 0, 1, 0, 2, 0]);
  });
  it('resamples other frame sizes and rejects a wrong buffer length', () => {
    const big = new Uint8Array(4 * 2 * 3).fill(10);
    const t = frameToTensor(big, 4, 2, { ...input, mean: [...input.mean], std: [...input.std] });
    expect(t.dims).toEqual([1, 3, 1, 2]);
    expect((t.data as Float32Array)[0]).toBe(0);
    expect(() => frameToTensor(new Uint8Array(5), 2, 1, { ...input, mean: [...input.mean], std: [...input.std] })).toThrow(/5 bytes/);
  });
});
