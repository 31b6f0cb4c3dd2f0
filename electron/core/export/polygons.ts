/**
 * Masks as polygons and back.
 *
 * Tracing follows the cracks between pixels, so every vertex sits on a pixel corner (integer
 * coordinates, pixel (x, y) spans [x, x+1)×[y, y+1)). Outer rings run clockwise on screen (positive
 * shoelace area with y down), holes counter-clockwise. Where two on-pixels touch only at a corner the
 * tracer turns right, treating them as separate (4-connected) shapes.
 *
 * Rasterising fills the pixels whose centres (x+0.5, y+0.5) lie inside by the even-odd rule. A centre
 * never lies on a crack, so a traced polygon set (outer rings and holes) rasterises back to exactly
 * its mask. pycocotools' frPoly samples differently (5× upsampling, then rounding), so a polygon from
 * another tool can differ from what pycocotools draws by about one pixel along its edge.
 */

import { decodeMask, maskToBox, type AnyRle } from '../masks/rle';

/** One closed ring as COCO writes it: [x0, y0, x1, y1, ...]. */
export type Ring = number[];

export interface TracedRings {
  outer: Ring[];
  holes: Ring[];
}

// Directions: 0 +x, 1 +y, 2 −x, 3 −y (image coordinates, y down).
const DX = [1, 0, -1, 0];
const DY = [0, 1, 0, -1];

/** Traces a row-major h×w mask (non-zero = on) into rings on the pixel-corner lattice. */
export function maskToRings(mask: ArrayLike<number>, h: number, w: number): TracedRings {
  const W = w + 1; // lattice width
  const out = new Uint8Array(W * (h + 1)); // per corner: bit d set = an unused boundary edge leaves in direction d
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && mask[y * w + x] !== 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x] === 0) continue;
      // clockwise around the pixel: the pixel stays on the right of each edge
      if (!on(x, y - 1)) out[y * W + x] |= 1; // top, going +x
      if (!on(x + 1, y)) out[y * W + x + 1] |= 2; // right, going +y
      if (!on(x, y + 1)) out[(y + 1) * W + x + 1] |= 4; // bottom, going −x
      if (!on(x - 1, y)) out[(y + 1) * W + x] |= 8; // left, going −y
    }
  }
  const outer: Ring[] = [];
  const holes: Ring[] = [];
  for (let start = 0; start < out.length; start++) {
    while (out[start] !== 0) {
      const ring = followRing(out, W, start);
      (ringArea(ring) > 0 ? outer : holes).push(ring);
    }
  }
  return { outer, holes };
}

/** The rings of an RLE mask, traced inside its bounding box only (much faster for small objects in big frames). */
export function rleToRings(rle: AnyRle): TracedRings {
  const w = rle.size[1];
  const [bx, by, bw, bh] = maskToBox(rle);
  if (bw === 0) return { outer: [], holes: [] };
  const full = decodeMask(rle);
  const crop = new Uint8Array(bw * bh);
  for (let y = 0; y < bh; y++) crop.set(full.subarray((by + y) * w + bx, (by + y) * w + bx + bw), y * bw);
  const { outer, holes } = maskToRings(crop, bh, bw);
  const shift = (r: Ring) => r.map((v, i) => v + (i % 2 === 0 ? bx : by));
  return { outer: outer.map(shift), holes: holes.map(shift) };
}

function followRing(out: Uint8Array, W: number, start: number): Ring {
  let d = lowestBit(out[start]);
  let v = start;
  const ring: Ring = [];
  let prev = -1;
  for (;;) {
    out[v] &= ~(1 << d);
    if (d !== prev) ring.push(v % W, Math.floor(v / W)); // a corner: keep only where the direction changes
    prev = d;
    v += DX[d] + DY[d] * W;
    const bits = out[v];
    if (bits === 0) break; // back at the start, every edge of the ring used
    // prefer a right turn, then straight, then left
    const right = (d + 1) & 3;
    const left = (d + 3) & 3;
    d = bits & (1 << right) ? right : bits & (1 << d) ? d : left;
  }
  // the start vertex is a corner only if the ring's last direction differs from its first
  if (ring.length >= 4 && v === start) {
    const firstD = directionOf(ring[0], ring[1], ring[2], ring[3]);
    if (firstD === prev) ring.splice(0, 2);
  }
  return ring;
}

function directionOf(x0: number, y0: number, x1: number, y1: number): number {
  return x1 > x0 ? 0 : y1 > y0 ? 1 : x1 < x0 ? 2 : 3;
}

function lowestBit(bits: number): number {
  for (let d = 0; d < 4; d++) if (bits & (1 << d)) return d;
  return -1;
}

/** Shoelace area, positive for clockwise rings on screen (y down). */
export function ringArea(ring: Ring): number {
  let a = 0;
  const n = ring.length / 2;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    a += ring[2 * i] * ring[2 * j + 1] - ring[2 * j] * ring[2 * i + 1];
  }
  return a / 2;
}

/** Fills an h×w mask from rings by the even-odd rule at pixel centres (see the file comment). */
export function ringsToMask(rings: readonly Ring[], h: number, w: number): Uint8Array {
  const crossings: number[][] = Array.from({ length: h }, () => []);
  for (const ring of rings) {
    const n = ring.length / 2;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const x0 = ring[2 * i];
      const y0 = ring[2 * i + 1];
      const x1 = ring[2 * j];
      const y1 = ring[2 * j + 1];
      if (y0 === y1) continue;
      const [ya, yb] = y0 < y1 ? [y0, y1] : [y1, y0];
      // rows whose centre c satisfies ya <= c < yb
      const first = Math.max(0, Math.ceil(ya - 0.5));
      const last = Math.min(h - 1, Math.ceil(yb - 0.5) - 1);
      for (let row = first; row <= last; row++) {
        const c = row + 0.5;
        crossings[row].push(x0 + ((c - y0) * (x1 - x0)) / (y1 - y0));
      }
    }
  }
  const mask = new Uint8Array(h * w);
  for (let row = 0; row < h; row++) {
    const xs = crossings[row].sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // pixels whose centre x+0.5 lies in [xs[k], xs[k+1])
      const from = Math.max(0, Math.ceil(xs[k] - 0.5));
      const to = Math.min(w, Math.ceil(xs[k + 1] - 0.5));
      mask.fill(1, row * w + from, row * w + Math.max(from, to));
    }
  }
  return mask;
}

/** Ring with [x, y] pairs, the way Cityscapes' polygons.json lists points. */
export function ringToPoints(ring: Ring): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  for (let i = 0; i < ring.length; i += 2) points.push([ring[i], ring[i + 1]]);
  return points;
}
