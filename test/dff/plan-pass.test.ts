import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { openPack } from '../../electron/core/dff/pack-session';
import { measureChange, unexplainedChange } from '../../electron/core/dff/plan-pass';
import { planSegments } from '../../electron/core/dff/schedule';
import { DffRunner } from '../../electron/core/models/dff-runner';
import { createWorld } from '../../electron/core/world/world';
import { havePack, packDir } from './helpers';

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

describe.skipIf(!havePack)('measureChange on the default pack', () => {
  it('finds the exact frame of a cut inside a window, and the plan cuts its segments there', async () => {
    const { pack } = await openPack(packDir, ['cpu'], 1);
    try {
      const runner = new DffRunner(pack);
      // three shots of 13, 17 and 12 frames from different worlds: cuts at frames 13 and 30, inside windows of 5
      const shots = [13, 17, 12].map((n, s) => ({ n, world: createWorld({ seed: 8100 + s, width: 320, height: 192, frameCount: n }) }));
      const rgb = shots.flatMap(({ n, world }) => Array.from({ length: n }, (_, t) => world.render(t).rgb));
      async function* frames() {
        for (const [frameIdx, data] of rgb.entries()) yield { frameIdx, rgb: data };
      }
      const change = await measureChange(runner, frames(), 0, rgb.length, 5);
      const steady = [...change.slice(1, 13), ...change.slice(14, 30), ...change.slice(31)];
      const cutLevel = Math.min(change[13]!, change[30]!);
      expect(cutLevel).toBeGreaterThan(3 * Math.max(...steady));
      const starts = planSegments(change, 5);
      expect(starts).toHaveLength(Math.ceil(rgb.length / 5));
      expect(starts).toContain(13);
      expect(starts).toContain(30);
    } finally {
      await pack.release();
    }
  });
});
