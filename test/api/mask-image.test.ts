/** The renderer's mask painter decodes the core's COCO RLE exactly, in column-major order, in the class colour. */
import { describe, expect, it } from 'vitest';
import type { FrameMask } from '../../electron/common/api';
import { countsFromString, encodeMask } from '../../electron/core/masks/rle';
import { paintMasks, runsFromString } from '../../renderer/src/dff/mask-image';

function maskOf(on: Uint8Array, h: number, w: number, color: string, id: number): FrameMask {
  const rle = encodeMask(on, h, w);
  return { annotationId: id, size: rle.size, counts: rle.counts, classId: 1, className: 'c', color, score: null, source: 'predicted' };
}

describe('renderer mask painting', () => {
  it('reads run strings exactly as the core does, long runs and deltas included', () => {
    const h = 37, w = 53;
    const on = new Uint8Array(h * w).map((_, i) => (Math.sin(i / 7) + Math.cos(i / 131) > 0.4 ? 1 : 0));
    const { counts } = encodeMask(on, h, w);
    expect(runsFromString(counts)).toEqual(countsFromString(counts));
  });

  it('paints each mask pixel (row-major) in its class colour and leaves the rest transparent', () => {
    const h = 5, w = 7;
    const a = new Uint8Array(h * w);
    a[1 * w + 2] = 1; // (x 2, y 1)
    a[4 * w + 6] = 1; // bottom-right corner
    const b = new Uint8Array(h * w);
    b[0] = 1;
    const rgba = paintMasks([maskOf(a, h, w, '#ff8000', 1), maskOf(b, h, w, '#00ff00', 2)], w, h, 100);
    const px = (x: number, y: number) => [...rgba.subarray((y * w + x) * 4, (y * w + x) * 4 + 4)];
    expect(px(2, 1)).toEqual([255, 128, 0, 100]);
    expect(px(6, 4)).toEqual([255, 128, 0, 100]);
    expect(px(0, 0)).toEqual([0, 255, 0, 100]);
    let painted = 0;
    for (let i = 3; i < rgba.length; i += 4) if (rgba[i]) painted++;
    expect(painted).toBe(3);
  });

  it('skips a mask whose size is not the frame size', () => {
    const on = new Uint8Array(4 * 4).fill(1);
    expect(paintMasks([maskOf(on, 4, 4, '#ffffff', 1)], 5, 4).some((v) => v !== 0)).toBe(false);
  });
});
