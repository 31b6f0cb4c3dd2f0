/**
 * Masks from `frame.annotations` painted into one RGBA image for the stage: each mask's COCO compressed
 * RLE (column-major runs, pycocotools' string form; see electron/core/masks/rle.ts) decoded straight into
 * its class colour, so no per-mask bitmap is ever allocated.
 */
import type { FrameMask } from '../../../electron/common/api';
import { parseCountsString } from '../../../electron/common/rle-string';

/** The run lengths of a mask's compressed counts string; a malformed one paints nothing. */
export function runsFromString(s: string): number[] {
  const counts = parseCountsString(s);
  return Array.isArray(counts) ? counts : [];
}

function rgbOf(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** RGBA pixels (row-major, width × height) with every mask in its class colour at `alpha` (0..255). */
export function paintMasks(masks: readonly FrameMask[], width: number, height: number, alpha = 110): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (const m of masks) {
    const [h, w] = m.size;
    if (h !== height || w !== width) continue; // a mask of another size cannot be placed on this frame
    const [r, g, b] = rgbOf(m.color);
    const runs = runsFromString(m.counts);
    let pos = 0;
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i]!;
      if (i % 2 === 1) {
        for (let k = pos; k < pos + run; k++) {
          const x = Math.floor(k / h);
          const o = ((k - x * h) * w + x) * 4;
          rgba[o] = r;
          rgba[o + 1] = g;
          rgba[o + 2] = b;
          rgba[o + 3] = alpha;
        }
      }
      pos += run;
    }
  }
  return rgba;
}

/** The painted masks as a canvas Konva can draw, or null when there are none. */
export function maskCanvas(masks: readonly FrameMask[], width: number, height: number): HTMLCanvasElement | null {
  if (masks.length === 0) return null;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.putImageData(new ImageData(paintMasks(masks, width, height), width, height), 0, 0);
  return canvas;
}
