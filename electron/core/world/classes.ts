/**
 * The foreground object classes: each has its own outline and its own surface pattern, both defined in the
 * object's local frame (unit disc, |u| ≤ 1), so the pattern moves, turns and scales exactly with the object.
 */
import { fractalNoise } from './texture';
import { Rng } from './prng';

export interface WorldClass {
  id: number;
  name: string;
  /** Nominal colour (what overlays and the meta.json class table show). */
  color: [number, number, number];
  /** Whether local point (ux, uy) is part of the shape. */
  inside(ux: number, uy: number): boolean;
  /** Mix between the object's two colours at local point (ux, uy), in [0, 1]; `freq` scales the pattern. */
  pattern(ux: number, uy: number, freq: number): number;
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

// Star outline: 5 points at radius 1, inner vertices at STAR_INNER; pointing up (-y).
const STAR_POINTS = 5;
const STAR_INNER = 0.45;
const STAR_SECTOR = (2 * Math.PI) / STAR_POINTS;
const STAR_EDGE = (() => {
  // Line through the tip (1, 0) and the inner vertex, in sector-local polar coordinates folded to y ≥ 0.
  const vx = STAR_INNER * Math.cos(STAR_SECTOR / 2);
  const vy = STAR_INNER * Math.sin(STAR_SECTOR / 2);
  const nx = vy; // normal to (vx - 1, vy), pointing to the origin's side
  const ny = 1 - vx;
  return { nx, ny, offset: nx * 1 }; // inside when nx·x + ny·y ≤ offset
})();

function insideStar(ux: number, uy: number): boolean {
  const r2 = ux * ux + uy * uy;
  if (r2 > 1) return false;
  if (r2 < STAR_INNER * STAR_INNER * 0.8) return true;
  let a = Math.atan2(uy, ux) + Math.PI / 2; // 0 at the top point
  a = a - STAR_SECTOR * Math.round(a / STAR_SECTOR); // fold into [-sector/2, sector/2]
  const r = Math.sqrt(r2);
  const x = r * Math.cos(a);
  const y = r * Math.abs(Math.sin(a));
  return STAR_EDGE.nx * x + STAR_EDGE.ny * y <= STAR_EDGE.offset;
}

// Equilateral triangle inscribed in the unit circle, pointing up: three half-planes.
const TRIANGLE_EDGES = [0, 1, 2].map((k) => {
  const a = -Math.PI / 2 + Math.PI / 3 + (k * 2 * Math.PI) / 3; // outward normal of edge k
  return { nx: Math.cos(a), ny: Math.sin(a) };
});

function insideTriangle(ux: number, uy: number): boolean {
  for (const e of TRIANGLE_EDGES) if (e.nx * ux + e.ny * uy > 0.5) return false;
  return true;
}

// A small periodic noise tile for the cross's blotchy surface (fixed seed: part of the class, not the clip).
const BLOTCH_SIZE = 64;
const BLOTCH = fractalNoise(BLOTCH_SIZE, 4, new Rng(0xb10c));

function blotches(ux: number, uy: number, freq: number): number {
  const x = (ux * 12 * freq + 1000) % BLOTCH_SIZE;
  const y = (uy * 12 * freq + 1000) % BLOTCH_SIZE;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const x1 = (x0 + 1) % BLOTCH_SIZE;
  const y1 = (y0 + 1) % BLOTCH_SIZE;
  const top = BLOTCH[y0 * BLOTCH_SIZE + x0]! * (1 - fx) + BLOTCH[y0 * BLOTCH_SIZE + x1]! * fx;
  const bottom = BLOTCH[y1 * BLOTCH_SIZE + x0]! * (1 - fx) + BLOTCH[y1 * BLOTCH_SIZE + x1]! * fx;
  return clamp01(0.5 + 1.6 * (top * (1 - fy) + bottom * fy));
}

export const WORLD_CLASSES: readonly WorldClass[] = [
  {
    id: 1,
    name: 'disc',
    color: [220, 60, 60],
    inside: (ux, uy) => ux * ux + uy * uy <= 0.9,
    pattern: (ux, uy, freq) => {
      // Polka dots on a grid.
      const s = 2.6 * freq;
      const fx = ux * s - Math.round(ux * s);
      const fy = uy * s - Math.round(uy * s);
      return clamp01((0.3 - Math.sqrt(fx * fx + fy * fy)) * 8);
    },
  },
  {
    id: 2,
    name: 'square',
    color: [60, 110, 220],
    inside: (ux, uy) => Math.abs(ux) <= 0.68 && Math.abs(uy) <= 0.68,
    pattern: (ux, uy, freq) => 0.5 + 0.5 * Math.sin((ux + uy) * 7 * freq),
  },
  {
    id: 3,
    name: 'triangle',
    color: [60, 180, 80],
    inside: insideTriangle,
    pattern: (ux, uy, freq) => clamp01(0.5 + 2.5 * Math.sin(ux * 8 * freq) * Math.sin(uy * 8 * freq)),
  },
  {
    id: 4,
    name: 'star',
    color: [230, 200, 50],
    inside: insideStar,
    pattern: (ux, uy, freq) => 0.5 + 0.5 * Math.cos(Math.sqrt(ux * ux + uy * uy) * 16 * freq),
  },
  {
    id: 5,
    name: 'ring',
    color: [190, 70, 200],
    inside: (ux, uy) => {
      const r2 = ux * ux + uy * uy;
      return r2 <= 1 && r2 >= 0.3;
    },
    pattern: (ux, uy) => clamp01(0.5 + 1.5 * Math.sin(Math.atan2(uy, ux) * 4)),
  },
  {
    id: 6,
    name: 'cross',
    color: [240, 140, 40],
    inside: (ux, uy) => {
      const ax = Math.abs(ux);
      const ay = Math.abs(uy);
      return (ax <= 0.27 && ay <= 0.92) || (ay <= 0.27 && ax <= 0.92);
    },
    pattern: blotches,
  },
];

export function classById(id: number): WorldClass {
  const found = WORLD_CLASSES[id - 1];
  if (!found || found.id !== id) throw new Error(`no world class with id ${id}`);
  return found;
}
