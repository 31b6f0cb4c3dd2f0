import { describe, expect, it } from 'vitest';
import type { PackManifest } from '../../electron/core/models/manifest';
import { frameToTensor, InputBuffers } from '../../electron/core/models/preprocess';

const input: PackManifest['input'] = { width: 4, height: 2, channelOrder: 'BGR', layout: 'NCHW', valueScale: 255, mean: [10, 20, 30], std: [2, 4, 8] };

describe('frameToTensor', () => {
  it('normalises each channel into its plane, in the pack’s channel order, into a given buffer too', () => {
    const rgb = Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => (i * 37) % 256);
    const t = frameToTensor(rgb, 4, 2, input);
    expect(t.dims).toEqual([1, 3, 2, 4]);
    const data = t.data as Float32Array;
    for (let p = 0; p < 8; p++) {
      // BGR: plane 0 is blue (byte 2 of the pixel) with mean[0] / std[0]
      expect(data[p]).toBeCloseTo((rgb[3 * p + 2]! - 10) / 2, 5);
      expect(data[8 + p]).toBeCloseTo((rgb[3 * p + 1]! - 20) / 4, 5);
      expect(data[16 + p]).toBeCloseTo((rgb[3 * p]! - 30) / 8, 5);
    }
    const into = new Float32Array(24).fill(NaN);
    const again = frameToTensor(rgb, 4, 2, input, into);
    expect(again.data).toBe(into);
    expect(Array.from(into)).toEqual(Array.from(data));
    expect(() => frameToTensor(rgb, 4, 2, input, new Float32Array(23))).toThrow(/tensor buffer holds 23 values, a 4x2 input needs 24/);
  });
});

describe('InputBuffers', () => {
  it('hands a given-back buffer out again, and only buffers of its size, once each', () => {
    const buffers = new InputBuffers(24);
    const a = buffers.take();
    expect(a.length).toBe(24);
    const t = frameToTensor(new Uint8Array(24), 4, 2, input, a);
    buffers.give(t);
    buffers.give(t); // twice: still one entry, or two takes would share it
    buffers.give(frameToTensor(new Uint8Array(6 * 3), 3, 2, { ...input, width: 3 })); // another size: not kept
    expect(buffers.take()).toBe(a);
    expect(buffers.take()).not.toBe(a);
  });
});
