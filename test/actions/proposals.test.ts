/** Window logits → per-frame probabilities → segments (pure; electron/core/actions/proposals.ts). */
import { describe, expect, it } from 'vitest';
import {
  clipFrames,
  clipSpan,
  FrameVotes,
  proposalsFromWindows,
  proposeSegments,
  softmax,
  windowStarts,
} from '../../electron/core/actions/proposals';

const K = 7; // 'none' + 6 actions, as the default pack
const W = { clipLength: 8, frameStep: 1, windowStride: 4 };

/** Per-frame probabilities from a label list: `p` on the label, the rest shared evenly. */
function meansOf(labels: number[], p: number | number[] = 0.9): Float64Array {
  const out = new Float64Array(labels.length * K);
  labels.forEach((label, f) => {
    const q = Array.isArray(p) ? p[f]! : p;
    for (let k = 0; k < K; k++) out[f * K + k] = k === label ? q : (1 - q) / (K - 1);
  });
  return out;
}
const repeat = (label: number, n: number) => Array<number>(n).fill(label);
const logitsFor = (k: number, value = 10) => Array.from({ length: K }, (_, i) => (i === k ? value : 0));

describe('windows', () => {
  it('start every windowStride frames and the last one ends on the last frame', () => {
    expect(clipSpan(W)).toBe(8);
    expect(windowStarts(20, W)).toEqual([0, 4, 8, 12]);
    expect(windowStarts(21, W)).toEqual([0, 4, 8, 12, 13]);
    expect(windowStarts(8, W)).toEqual([0]);
    const spaced = { clipLength: 4, frameStep: 2, windowStride: 3 }; // span 7
    expect(clipSpan(spaced)).toBe(7);
    expect(windowStarts(30, spaced)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 23]);
    expect(clipFrames(23, 30, spaced)).toEqual([23, 25, 27, 29]);
  });

  it('a video shorter than one clip gets one window that repeats its last frame', () => {
    expect(windowStarts(5, W)).toEqual([0]);
    expect(clipFrames(0, 5, W)).toEqual([0, 1, 2, 3, 4, 4, 4, 4]);
    expect(clipFrames(0, 1, W)).toEqual(Array(8).fill(0));
    expect(() => windowStarts(0, W)).toThrow(/at least one frame/);
  });
});

describe('softmax', () => {
  it('gives probabilities, unchanged by a shift of the logits and safe with large ones', () => {
    const p = softmax([1, 2, 3]);
    expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(p[2]).toBeCloseTo(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)), 12);
    expect([...softmax([1001, 1002, 1003])].map((v) => v.toFixed(12))).toEqual([...p].map((v) => v.toFixed(12)));
    expect([...softmax([1000, 0])]).toEqual([1, Math.exp(-1000)]);
  });
});

describe('frame votes', () => {
  it('average the windows over each frame', () => {
    const votes = new FrameVotes(12, 2, W); // windows 0 and 4
    votes.add(0, [1, 0]);
    votes.add(4, [0, 1]);
    const m = votes.means();
    expect(m[3 * 2 + 0]).toBe(1); // frame 3: window 0 only
    expect([m[5 * 2], m[5 * 2 + 1]]).toEqual([0.5, 0.5]); // frames 4..7: both
    expect(m[11 * 2 + 1]).toBe(1); // frame 11: window 4 only
  });

  it('give a frame no window spans (stride longer than the clip) the nearest spanned frame’s probabilities', () => {
    const w = { clipLength: 4, frameStep: 1, windowStride: 10 };
    expect(windowStarts(30, w)).toEqual([0, 10, 20, 26]);
    const votes = new FrameVotes(30, 2, w);
    votes.add(0, [1, 0]); // frames 0..3
    votes.add(10, [0, 1]); // 10..13
    votes.add(20, [0.25, 0.75]); // 20..23
    votes.add(26, [0.75, 0.25]); // 26..29
    const m = votes.means();
    const p1 = (f: number) => m[f * 2 + 1];
    expect([4, 5, 6].map(p1)).toEqual([0, 0, 0]); // nearer frame 3
    expect([7, 8, 9].map(p1)).toEqual([1, 1, 1]); // nearer frame 10
    expect([14, 16, 17, 18, 19].map(p1)).toEqual([1, 1, 0.75, 0.75, 0.75]); // 17: 4 from 13, 3 from 20
    expect([24, 25].map(p1)).toEqual([0.75, 0.25]);
  });

  it('refuse a window with the wrong number of classes', () => {
    expect(() => new FrameVotes(10, K, W).add(0, [0.5, 0.5])).toThrow(/2 class scores, the model has 7/);
  });
});

describe('segments', () => {
  it('are runs of one non-background class at least minSegmentFrames long, scored by the mean probability of that class', () => {
    const labels = [...repeat(0, 4), ...repeat(2, 10), ...repeat(5, 8), ...repeat(0, 3), ...repeat(3, 5), ...repeat(0, 10)];
    const p = labels.map((_, f) => (f >= 4 && f < 9 ? 0.8 : 0.6));
    expect(proposeSegments(meansOf(labels, p), labels.length, K, 6)).toEqual([
      { start: 4, end: 13, classIndex: 2, score: expect.closeTo((5 * 0.8 + 5 * 0.6) / 10, 12) },
      { start: 14, end: 21, classIndex: 5, score: expect.closeTo(0.6, 12) },
    ]); // class 3 for 5 frames is too short; the background is never proposed
  });

  it('join two runs of a class across fewer than minSegmentFrames frames of anything else (gap or flicker)', () => {
    const gap = [...repeat(1, 10), ...repeat(0, 5), ...repeat(1, 10)];
    expect(proposeSegments(meansOf(gap), gap.length, K, 6).map((s) => [s.start, s.end, s.classIndex])).toEqual([[0, 24, 1]]);
    const flicker = [...repeat(4, 8), 2, 2, 6, 0, ...repeat(4, 8), 3, ...repeat(4, 7)];
    expect(proposeSegments(meansOf(flicker), flicker.length, K, 6).map((s) => [s.start, s.end, s.classIndex])).toEqual([[0, 27, 4]]);
    // the joined frames count in the score with their (low) probability of the class
    const [joined] = proposeSegments(meansOf(gap), gap.length, K, 6);
    expect(joined!.score).toBeCloseTo((20 * 0.9 + (5 * 0.1) / 6) / 25, 12);
  });

  it('keep runs apart across minSegmentFrames frames or more, and split where the class changes', () => {
    const apart = [...repeat(1, 10), ...repeat(0, 6), ...repeat(1, 10), ...repeat(2, 7)];
    expect(proposeSegments(meansOf(apart), apart.length, K, 6).map((s) => [s.start, s.end, s.classIndex])).toEqual([
      [0, 9, 1],
      [16, 25, 1],
      [26, 32, 2],
    ]);
  });
});

describe('from window logits', () => {
  const spec = { ...W, minSegmentFrames: 6 };

  it('average window softmaxes per frame and cut where the frames’ argmax changes', () => {
    // 24 frames: windows 0, 4, 8, 12, 16; the first two say class 1 (logit 10), the others background (logit 5)
    const windows = [0, 4, 8, 12, 16].map((start) => ({ start, logits: start < 8 ? logitsFor(1, 10) : logitsFor(0, 5) }));
    const sure = Math.exp(10) / (Math.exp(10) + K - 1); // p(class 1) in a class-1 window
    const stray = 1 / (Math.exp(5) + K - 1); // p(class 1) in a background window
    // frames 0..7: class-1 windows only; 8..11: one of each (class 1 still ahead); 12..: background only
    expect(proposalsFromWindows(24, spec, windows)).toEqual([
      { start: 0, end: 11, classIndex: 1, score: expect.closeTo((8 * sure + 4 * ((sure + stray) / 2)) / 12, 9) },
    ]);
  });

  it('label the video’s last frames with the window aligned to its end', () => {
    // 21 frames: windows 0, 4, 8, 12, 13; the last two say class 2, the others (a little surer) background:
    // frame 12 has one window of each, frames 13..15 two of class 2 against one
    const windows = [0, 4, 8, 12, 13].map((start) => ({ start, logits: start >= 12 ? logitsFor(2, 10) : logitsFor(0, 12) }));
    expect(proposalsFromWindows(21, spec, windows).map((s) => [s.start, s.end, s.classIndex])).toEqual([[13, 20, 2]]);
  });

  it('label a video shorter than one clip from its single window', () => {
    expect(proposalsFromWindows(5, { ...spec, minSegmentFrames: 4 }, [{ start: 0, logits: logitsFor(3) }]).map((s) => [s.start, s.end, s.classIndex])).toEqual([
      [0, 4, 3],
    ]);
    expect(proposalsFromWindows(5, spec, [{ start: 0, logits: logitsFor(3) }])).toEqual([]); // 5 frames < minSegmentFrames
  });
});
