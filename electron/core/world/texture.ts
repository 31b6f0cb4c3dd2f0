/**
 * The background: a periodic procedural texture in world units (fractal value noise coloured by a small
 * palette, plus a grid of soft lines and a few colour blobs for structure). The camera samples it with an
 * affine map, so every background pixel's position in any other frame is known exactly.
 */
import { Rng } from './prng';

export interface Texture {
  /** Side in texels; a power of two, and the texture repeats with this period. */
  size: number;
  /** RGB, row-major, values in [0, 255]. */
  rgb: Float32Array;
}

const smooth = (t: number) => t * t * (3 - 2 * t);

/** Adds `amplitude` × periodic value noise with `cells` lattice cells per side (cells divides size) into `out`. */
function addValueNoise(out: Float32Array, size: number, cells: number, amplitude: number, rng: Rng): void {
  const lattice = new Float32Array(cells * cells);
  for (let i = 0; i < lattice.length; i++) lattice[i] = rng.float() * 2 - 1;
  const step = size / cells;
  const wy0 = new Int32Array(size);
  const wy1 = new Int32Array(size);
  const fy = new Float32Array(size);
  for (let p = 0; p < size; p++) {
    const cell = Math.floor(p / step);
    wy0[p] = cell;
    wy1[p] = (cell + 1) % cells;
    fy[p] = smooth(p / step - cell);
  }
  for (let y = 0; y < size; y++) {
    const r0 = wy0[y]! * cells;
    const r1 = wy1[y]! * cells;
    const ty = fy[y]!;
    const row = y * size;
    for (let x = 0; x < size; x++) {
      const c0 = wy0[x]!;
      const c1 = wy1[x]!;
      const tx = fy[x]!;
      const top = lattice[r0 + c0]! + (lattice[r0 + c1]! - lattice[r0 + c0]!) * tx;
      const bottom = lattice[r1 + c0]! + (lattice[r1 + c1]! - lattice[r1 + c0]!) * tx;
      out[row + x]! += amplitude * (top + (bottom - top) * ty);
    }
  }
}

/** Fractal noise in roughly [-1, 1]: octaves from `largestCells` lattice cells down to ~3 texels per cell. */
export function fractalNoise(size: number, largestCells: number, rng: Rng): Float32Array {
  const out = new Float32Array(size * size);
  let amplitude = 0.6;
  for (let cells = largestCells; size / cells >= 3; cells *= 2) {
    addValueNoise(out, size, cells, amplitude, rng);
    amplitude *= 0.5;
  }
  return out;
}

function randomColour(rng: Rng, lightness: [number, number]): [number, number, number] {
  const hue = rng.float() * Math.PI * 2;
  const sat = rng.range(0.15, 0.55);
  const light = rng.range(lightness[0], lightness[1]);
  return [0, 1, 2].map((k) => 255 * Math.max(0, Math.min(1, light * (1 + sat * Math.cos(hue - (k * 2 * Math.PI) / 3))))) as [
    number,
    number,
    number,
  ];
}

/**
 * A background texture of `size`×`size` texels whose features scale with `featureScale` (texels of the
 * largest blobs, ~ half the frame height).
 */
export function makeBackgroundTexture(size: number, featureScale: number, rng: Rng): Texture {
  const n = size * size;
  const largestCells = Math.max(1, 2 ** Math.round(Math.log2(size / featureScale)));
  const base = fractalNoise(size, largestCells, rng);
  const detail = fractalNoise(size, Math.min(size / 4, largestCells * 4), rng);
  const palette = [randomColour(rng, [0.25, 0.45]), randomColour(rng, [0.45, 0.65]), randomColour(rng, [0.6, 0.8])];

  // Two perpendicular families of soft lines with integer wave vectors, so the grid tiles with the period.
  const angle = rng.float() * Math.PI;
  const cycles = size / (featureScale * rng.range(0.4, 0.9));
  const kx = Math.round(cycles * Math.cos(angle));
  const ky = Math.round(cycles * Math.sin(angle)) || (kx === 0 ? 1 : 0);
  const lines = [
    { kx, ky },
    { kx: -ky, ky: kx },
  ];
  const lineStrength = rng.range(0.15, 0.35);

  const blobs = Array.from({ length: rng.int(3, 7) }, () => ({
    x: rng.float() * size,
    y: rng.float() * size,
    r: featureScale * rng.range(0.15, 0.45),
    colour: randomColour(rng, [0.2, 0.9]),
  }));

  const rgb = new Float32Array(n * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      // Palette blend driven by the coarse noise.
      const t = Math.max(0, Math.min(1, 0.5 + base[i]!));
      const [ca, cb, u] = t < 0.5 ? [palette[0]!, palette[1]!, t * 2] : [palette[1]!, palette[2]!, t * 2 - 1];
      let shade = 1 + 0.25 * detail[i]!;
      for (const line of lines) {
        const phase = (2 * Math.PI * (line.kx * x + line.ky * y)) / size;
        const c = Math.cos(phase);
        if (c > 0.85) shade -= lineStrength * smooth(Math.min(1, (c - 0.85) / 0.1));
      }
      let r = ca[0] + (cb[0] - ca[0]) * u;
      let g = ca[1] + (cb[1] - ca[1]) * u;
      let b = ca[2] + (cb[2] - ca[2]) * u;
      for (const blob of blobs) {
        let dx = Math.abs(x - blob.x);
        let dy = Math.abs(y - blob.y);
        dx = Math.min(dx, size - dx);
        dy = Math.min(dy, size - dy);
        const d2 = (dx * dx + dy * dy) / (blob.r * blob.r);
        if (d2 < 4) {
          const w = 0.7 * Math.exp(-d2);
          r += (blob.colour[0] - r) * w;
          g += (blob.colour[1] - g) * w;
          b += (blob.colour[2] - b) * w;
        }
      }
      rgb[i * 3] = Math.max(0, Math.min(255, r * shade));
      rgb[i * 3 + 1] = Math.max(0, Math.min(255, g * shade));
      rgb[i * 3 + 2] = Math.max(0, Math.min(255, b * shade));
    }
  }
  return { size, rgb };
}
