/**
 * A mask being edited: one byte per video pixel (row-major, 1 = on). Brush strokes and polygons are
 * clipped to the frame as they are painted, so nothing past the border ever reaches the core; on
 * stroke end the bitmap goes back as COCO compressed RLE.
 */
import { decodeMask, encodeMask } from '../../../electron/core/masks/rle';

export interface MaskBitmap {
  width: number;
  height: number;
  data: Uint8Array;
}

export function emptyBitmap(width: number, height: number): MaskBitmap {
  return { width, height, data: new Uint8Array(width * height) };
}

/** The bitmap of a mask's counts string at this size; an unreadable one gives an empty bitmap. */
export function bitmapFromCounts(counts: string, width: number, height: number): MaskBitmap {
  try {
    return { width, height, data: decodeMask({ size: [height, width], counts }) };
  } catch {
    return emptyBitmap(width, height);
  }
}

export function countsOf(b: MaskBitmap): string {
  return encodeMask(b.data, b.height, b.width).counts;
}

export function isEmpty(b: MaskBitmap): boolean {
  return !b.data.some((v) => v !== 0);
}

/** Paints (value 1) or erases (value 0) a disc of `radius` pixels at (cx, cy), clipped to the frame. */
export function paintDisc(b: MaskBitmap, cx: number, cy: number, radius: number, value: 0 | 1): void {
  const r = Math.max(0.5, radius);
  const x0 = Math.max(0, Math.floor(cx - r));
  const x1 = Math.min(b.width - 1, Math.ceil(cx + r));
  const y0 = Math.max(0, Math.floor(cy - r));
  const y1 = Math.min(b.height - 1, Math.ceil(cy + r));
  const r2 = r * r;
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - cx;
      if (dx * dx + dy * dy <= r2) b.data[y * b.width + x] = value;
    }
  }
}

/** A brush stroke segment: discs along the line from a to b, spaced a quarter radius apart. */
export function paintSegment(b: MaskBitmap, ax: number, ay: number, bx: number, by: number, radius: number, value: 0 | 1): void {
  const steps = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / Math.max(0.5, radius / 4)));
  for (let i = 0; i <= steps; i++) paintDisc(b, ax + ((bx - ax) * i) / steps, ay + ((by - ay) * i) / steps, radius, value);
}

/** Fills a closed polygon (even-odd, pixel centres) into the bitmap, clipped to the frame. */
export function fillPolygon(b: MaskBitmap, points: readonly { x: number; y: number }[], value: 0 | 1 = 1): void {
  if (points.length < 3) return;
  for (let y = 0; y < b.height; y++) {
    const yc = y + 0.5;
    const xs: number[] = [];
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      const q = points[(i + 1) % points.length]!;
      if ((p.y <= yc && q.y > yc) || (q.y <= yc && p.y > yc)) xs.push(p.x + ((yc - p.y) / (q.y - p.y)) * (q.x - p.x));
    }
    xs.sort((a, c) => a - c);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(0, Math.ceil(xs[k]! - 0.5));
      const to = Math.min(b.width - 1, Math.floor(xs[k + 1]! - 0.5));
      if (to >= from) b.data.fill(value, y * b.width + from, y * b.width + to + 1);
    }
  }
}

/** The bitmap moved by whole pixels; what moves past the border is cut off. */
export function translated(b: MaskBitmap, dx: number, dy: number): MaskBitmap {
  const out = emptyBitmap(b.width, b.height);
  const ix = Math.round(dx);
  const iy = Math.round(dy);
  for (let y = 0; y < b.height; y++) {
    const ty = y + iy;
    if (ty < 0 || ty >= b.height) continue;
    for (let x = 0; x < b.width; x++) {
      const tx = x + ix;
      if (tx >= 0 && tx < b.width && b.data[y * b.width + x]) out.data[ty * b.width + tx] = 1;
    }
  }
  return out;
}

/**
 * Writes the bitmap's pixels in [x0, x1] × [y0, y1] (clipped to the frame) into `pixels` (one packed RGBA
 * value a pixel, row-major at the bitmap's size): `colour` where the mask is on, transparent elsewhere.
 */
export function writeRgba(b: MaskBitmap, pixels: Uint32Array, colour: number, x0 = 0, y0 = 0, x1 = b.width - 1, y1 = b.height - 1): void {
  const xa = Math.max(0, Math.floor(x0));
  const xb = Math.min(b.width - 1, Math.ceil(x1));
  const ya = Math.max(0, Math.floor(y0));
  const yb = Math.min(b.height - 1, Math.ceil(y1));
  for (let y = ya; y <= yb; y++) {
    const row = y * b.width;
    for (let i = row + xa, end = row + xb; i <= end; i++) pixels[i] = b.data[i] ? colour : 0;
  }
}
