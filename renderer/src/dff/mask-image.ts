/**
 * Masks (COCO compressed RLE: column-major runs, pycocotools' string form; see electron/core/masks/rle.ts)
 * decoded straight into RGBA in their class colour, so no per-mask bitmap is ever allocated. The stage draws
 * each mask as a sprite the size of its own box, cached by (size, colour, counts): stepping back onto a frame,
 * or re-rendering one, decodes nothing again. Loops walk each run down its column with integer steps.
 */
import type { FrameMask } from '../../../electron/common/api';
import { parseCountsString } from '../../../electron/common/rle-string';

/** The run lengths of a mask's compressed counts string; a malformed one paints nothing. */
export function runsFromString(s: string): number[] {
  const counts = parseCountsString(s);
  return Array.isArray(counts) ? counts : [];
}

/** 0xAABBGGRR: one RGBA pixel as a little-endian Uint32 (every platform the app runs on). */
export function packedColour(hex: string, alpha: number): number {
  const n = parseInt(hex.slice(1), 16);
  return ((alpha << 24) | ((n & 255) << 16) | (n & 0xff00) | ((n >> 16) & 255)) >>> 0;
}

/**
 * Writes `colour` into `out` (row-major, `stride` pixels a row, origin at frame pixel (ox, oy)) for every
 * foreground pixel of the runs of a mask `h` pixels high.
 */
function fillRuns(runs: readonly number[], h: number, out: Uint32Array, stride: number, ox: number, oy: number, colour: number): void {
  let pos = 0;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]!;
    if (i % 2 === 1 && run > 0) {
      let x = Math.floor(pos / h);
      let y = pos - x * h;
      let o = (y - oy) * stride + (x - ox);
      for (let left = run; left > 0; left--) {
        out[o] = colour;
        if (++y === h) {
          y = 0;
          x++;
          o = -oy * stride + (x - ox);
        } else o += stride;
      }
    }
    pos += run;
  }
}

/** RGBA pixels (row-major, width × height) with every mask in its class colour at `alpha` (0..255). */
export function paintMasks(masks: readonly FrameMask[], width: number, height: number, alpha = 110): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(width * height * 4);
  const pixels = new Uint32Array(rgba.buffer);
  for (const m of masks) {
    const [h, w] = m.size;
    if (h !== height || w !== width) continue; // a mask of another size cannot be placed on this frame
    fillRuns(runsFromString(m.counts), h, pixels, width, 0, 0, packedColour(m.color, alpha));
  }
  return rgba;
}

export interface MaskBounds {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The smallest box holding every foreground pixel of the runs (a mask `h` high), or null for an empty mask. */
export function runBounds(runs: readonly number[], h: number): MaskBounds | null {
  let x0 = Infinity;
  let x1 = -1;
  let y0 = Infinity;
  let y1 = -1;
  let pos = 0;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]!;
    if (i % 2 === 1 && run > 0) {
      const first = pos;
      const last = pos + run - 1;
      const cx0 = Math.floor(first / h);
      const cx1 = Math.floor(last / h);
      if (cx0 < x0) x0 = cx0;
      if (cx1 > x1) x1 = cx1;
      if (cx0 === cx1) {
        if (first - cx0 * h < y0) y0 = first - cx0 * h;
        if (last - cx1 * h > y1) y1 = last - cx1 * h;
      } else {
        // the run goes down to the bottom of its first column and starts its last one at the top
        y0 = 0;
        y1 = h - 1;
      }
    }
    pos += run;
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** A mask painted into a canvas the size of its box, to be drawn at (x, y) in frame pixels. */
export interface MaskSprite {
  canvas: HTMLCanvasElement;
  x: number;
  y: number;
}

/** Sprite pixels kept at most (RGBA: 4 bytes each), oldest dropped first. */
const SPRITE_PIXELS = 16_000_000;
const sprites = new Map<string, MaskSprite | null>();
let spritePixels = 0;
const areaOf = (s: MaskSprite | null) => (s ? s.canvas.width * s.canvas.height : 0);

/**
 * The mask's sprite (null when it is empty, malformed or of another size than width × height), from the
 * cache when this mask in this colour was painted before.
 */
export function maskSprite(counts: string, width: number, height: number, color: string, alpha = 110): MaskSprite | null {
  const key = `${width}x${height}:${color}:${alpha}:${counts}`;
  const hit = sprites.get(key);
  if (hit !== undefined) {
    sprites.delete(key); // refresh its LRU position
    sprites.set(key, hit);
    return hit;
  }
  const sprite = paintSprite(runsFromString(counts), width, height, packedColour(color, alpha));
  sprites.set(key, sprite);
  spritePixels += areaOf(sprite);
  for (const [old, s] of sprites) {
    if (spritePixels <= SPRITE_PIXELS || old === key) break;
    sprites.delete(old);
    spritePixels -= areaOf(s);
  }
  return sprite;
}

function paintSprite(runs: number[], width: number, height: number, colour: number): MaskSprite | null {
  let total = 0;
  for (const r of runs) total += r;
  if (total > width * height) return null; // another size, or malformed
  const box = runBounds(runs, height);
  if (!box) return null;
  const image = new ImageData(box.w, box.h);
  fillRuns(runs, height, new Uint32Array(image.data.buffer), box.w, box.x, box.y, colour);
  const canvas = document.createElement('canvas');
  canvas.width = box.w;
  canvas.height = box.h;
  canvas.getContext('2d')!.putImageData(image, 0, 0);
  return { canvas, x: box.x, y: box.y };
}
