import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { unexplainedChange } from '../../electron/core/dff/plan-pass';

const W = 64;
const H = 32;
const STRIDE = 16;

/** A 3-channel texture, and the same texture seen 16 px (one feature cell) further right: current(x) = earlier(x + 16). */
function pair(): [ort.Tensor, ort.Tensor] {
  const value = (c: number, x: number, y: number) => Math.sin(x * 0.7 + c) * Math.cos(y * 0.45 - c) + ((x * 31 + y * 17 + c * 7) % 5) / 5;
  const a = new Float32Array(3 * W * H);
  const b = new Float32Array(3 * W * H);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        a[c * W * H + y * W + x] = value(c, x, y);
        b[c * W * H + y * W + x] = value(c, x + STRIDE, y);
      }
  return [new ort.Tensor('float32', a, [1, 3, H, W]), new ort.Tensor('float32', b, [1, 3, H, W])];
}

const flowOf = (u: number) => {
  const [h, w] = [H / STRIDE, W / STRIDE];
  const f = new Float32Array(2 * h * w);
  f.fill(u, 0, h * w);
  return new ort.Tensor('float32', f, [1, 2, h, w]);
};

describe('unexplainedChange', () => {
  it('is zero where the flow explains the change, large where it does not, and zero for a still frame', () => {
    const [earlier, current] = pair();
    expect(unexplainedChange(earlier, current, flowOf(1), STRIDE)).toBeLessThan(1e-6); // sources off the right edge are left out
    const unexplained = unexplainedChange(earlier, current, flowOf(0), STRIDE);
    expect(unexplained).toBeGreaterThan(0.3);
    expect(unexplainedChange(earlier, current, flowOf(-1), STRIDE)).toBeGreaterThan(0.3);
    expect(unexplainedChange(earlier, earlier, flowOf(0), STRIDE)).toBe(0);
  });
});
