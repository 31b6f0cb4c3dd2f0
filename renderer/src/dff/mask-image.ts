/**
 * Masks (COCO compressed RLE: column-major runs, pycocotools' string form; see electron/core/masks/rle.ts)
 * decoded straight into packed RGBA in their class colour, so no per-mask bitmap is ever allocated.
 */
import { parseCountsString } from '../../../electron/common/rle-string';

/** The run lengths of a mask's compressed counts string; a malformed one paints nothing. */
export function runsFromString(s: string): number[] {
  const counts = parseCountsString(s);
  return Array.isArray(counts) ? counts : [];
}

/** What painting a mask needs: its size ([height, width]), its counts string, its colour. */
export interface MaskPaint {
  size: readonly [number, number] | readonly number[];
  counts: string;
  color: string;
}

export interface MaskBounds {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** 0xAABBGGRR: one RGBA pixel as a little-endian Uint32 (every platform the app runs on). */
export function packedColour(hex: string, alpha: number): number {
  const n = parseInt(hex.slice(1), 16);
  return ((alpha << 24) | ((n & 255) << 16) | (n & 0xff00) | ((n >> 16) & 255)) >>> 0;
}

/**
 * Paints each mask (later ones over earlier ones) into `pixels`, packed RGBA row-major at width × height, in
 * its colour at `alpha` (0..255); a mask of another size is skipped. Each run is walked down its column with
 * integer steps. Returns the box the painted pixels cover, or null when nothing was painted.
 */
export function paintMaskPixels(pixels: Uint32Array, masks: readonly MaskPaint[], width: number, height: number, alpha = 110): MaskBounds | null {
  let x0 = Infinity;
  let x1 = -1;
  let y0 = Infinity;
  let y1 = -1;
  for (const m of masks) {
    if (m.size[0] !== height || m.size[1] !== width) continue; // a mask of another size cannot be placed on this frame
    const colour = packedColour(m.color, alpha);
    const runs = runsFromString(m.counts);
    let pos = 0;
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i]!;
      if (i % 2 === 1 && run > 0 && pos + run <= width * height) {
        let x = Math.floor(pos / height);
        let y = pos - x * height;
        const lastX = Math.floor((pos + run - 1) / height);
        if (x < x0) x0 = x;
        if (lastX > x1) x1 = lastX;
        if (y < y0) y0 = y;
        if (lastX > x) {
          y0 = 0; // it goes down to the bottom of its first column and on at the top of the next
          y1 = height - 1;
        } else if (y + run - 1 > y1) y1 = y + run - 1;
        let o = y * width + x;
        for (let left = run; left > 0; left--) {
          pixels[o] = colour;
          if (++y === height) {
            y = 0;
            o = ++x;
          } else o += width;
        }
      }
      pos += run;
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** A canvas with an ImageData of its size and a 32-bit view of its pixels (one RGBA word each). */
export function pixelCanvas(width: number, height: number): { canvas: HTMLCanvasElement; image: ImageData; pixels: Uint32Array } {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const image = new ImageData(width, height);
  return { canvas, image, pixels: new Uint32Array(image.data.buffer) };
}

/**
 * All of a frame's masks on one canvas at video size, for the stage. The canvas and its ImageData are reused
 * from frame to frame: painting a frame clears what the last one painted and uploads only the box the two
 * cover, so stepping costs the masks' own pixels, not an allocation and a full-frame decode per mask.
 */
export class FrameMasks {
  readonly canvas: HTMLCanvasElement;
  private readonly image: ImageData;
  private readonly pixels: Uint32Array;
  private painted: MaskBounds | null = null;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    ({ canvas: this.canvas, image: this.image, pixels: this.pixels } = pixelCanvas(width, height));
  }

  /** Shows these masks instead of the last ones; false when none of them has a pixel to show. */
  paint(masks: readonly MaskPaint[], alpha = 110): boolean {
    const old = this.painted;
    if (old) for (let y = old.y; y < old.y + old.h; y++) this.pixels.fill(0, y * this.width + old.x, y * this.width + old.x + old.w);
    const now = paintMaskPixels(this.pixels, masks, this.width, this.height, alpha);
    this.painted = now;
    const dirty = old && now ? union(old, now) : (old ?? now);
    if (dirty) this.canvas.getContext('2d')!.putImageData(this.image, 0, 0, dirty.x, dirty.y, dirty.w, dirty.h);
    return now !== null;
  }
}

function union(a: MaskBounds, b: MaskBounds): MaskBounds {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}
