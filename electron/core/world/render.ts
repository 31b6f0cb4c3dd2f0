/**
 * Draws a planned frame: the camera's view of the background, then the objects far to near with hard edges
 * (so the instance map is exactly the pixels where each object ends up on top), then lighting and sensor noise.
 * Pixel (x, y) shows the scene point at image coordinates (x, y): integer coordinates are pixel centres.
 */
import { invertAffine } from './affine';
import { classById } from './classes';
import { mixSeed, Rng } from './prng';
import { isAlive, objectTransform, type Scene } from './scene';

export interface RenderOptions {
  /** Add sensor noise (default true). Off gives the clean frame, e.g. to check the flow. */
  sensorNoise?: boolean;
  /** Apply the frame's lighting gain (default true). */
  lighting?: boolean;
}

export interface RenderedFrame {
  index: number;
  width: number;
  height: number;
  /** RGB, row-major, 3 bytes a pixel. */
  rgb: Uint8Array;
  /** Track id per pixel, 0 = background. */
  instances: Uint16Array;
  /** Class id per pixel, 0 = background. */
  semantic: Uint8Array;
  /** Per track id drawn in this frame: pixels its shape covers on an unbounded canvas with nothing in front. */
  fullArea: Map<number, number>;
}

// Standard-normal samples, indexed by a per-pixel hash: much cheaper than a Box–Muller per sample.
const NOISE_TABLE = (() => {
  const rng = new Rng(0x5e5);
  const table = new Float32Array(1 << 16);
  for (let i = 0; i < table.length; i++) table[i] = rng.normal();
  return table;
})();

function drawBackground(scene: Scene, t: number, colour: Float32Array): void {
  const { width: W, height: H } = scene.params;
  const { size, rgb: tex } = scene.texture;
  const mask = size - 1;
  const [a, b, c, d, e, f] = invertAffine(scene.camera[t]!);
  for (let y = 0; y < H; y++) {
    let wx = b * y + e;
    let wy = d * y + f;
    let o = y * W * 3;
    for (let x = 0; x < W; x++, wx += a, wy += c, o += 3) {
      const fx = Math.floor(wx);
      const fy = Math.floor(wy);
      const tx = wx - fx;
      const ty = wy - fy;
      const x0 = fx & mask;
      const x1 = (fx + 1) & mask;
      const r0 = (fy & mask) * size;
      const r1 = ((fy + 1) & mask) * size;
      const i00 = (r0 + x0) * 3;
      const i01 = (r0 + x1) * 3;
      const i10 = (r1 + x0) * 3;
      const i11 = (r1 + x1) * 3;
      const w00 = (1 - tx) * (1 - ty);
      const w01 = tx * (1 - ty);
      const w10 = (1 - tx) * ty;
      const w11 = tx * ty;
      colour[o] = tex[i00]! * w00 + tex[i01]! * w01 + tex[i10]! * w10 + tex[i11]! * w11;
      colour[o + 1] = tex[i00 + 1]! * w00 + tex[i01 + 1]! * w01 + tex[i10 + 1]! * w10 + tex[i11 + 1]! * w11;
      colour[o + 2] = tex[i00 + 2]! * w00 + tex[i01 + 2]! * w01 + tex[i10 + 2]! * w10 + tex[i11 + 2]! * w11;
    }
  }
}

/**
 * Draws the objects alive at frame t into the id maps (and into `colour` when given). Returns each drawn
 * object's full (unclipped, unoccluded) pixel area.
 */
function drawObjects(
  scene: Scene,
  t: number,
  instances: Uint16Array,
  semantic: Uint8Array,
  colour: Float32Array | null,
): Map<number, number> {
  const { width: W, height: H } = scene.params;
  const fullArea = new Map<number, number>();
  for (const object of scene.objects) {
    if (!isAlive(object, t)) continue;
    const cls = classById(object.classId);
    const toImage = objectTransform(object, t);
    const [a, b, c, d, e, f] = invertAffine(toImage);
    const cx = toImage[4];
    const cy = toImage[5];
    const r = object.poses[t * 4 + 3]! + 1;
    const x0 = Math.floor(cx - r);
    const x1 = Math.ceil(cx + r);
    const y0 = Math.floor(cy - r);
    const y1 = Math.ceil(cy + r);
    if (x1 < 0 || y1 < 0 || x0 >= W || y0 >= H) continue; // wholly outside: no pixels
    const [ar, ag, ab] = object.colorA;
    const [br, bg, bb] = object.colorB;
    const freq = object.patternFreq;
    let area = 0;
    for (let y = y0; y <= y1; y++) {
      const rowInFrame = y >= 0 && y < H;
      for (let x = x0; x <= x1; x++) {
        const ux = a * x + b * y + e;
        const uy = c * x + d * y + f;
        if (!cls.inside(ux, uy)) continue;
        area++;
        if (!rowInFrame || x < 0 || x >= W) continue;
        const p = y * W + x;
        instances[p] = object.trackId;
        semantic[p] = object.classId;
        if (colour) {
          const m = cls.pattern(ux, uy, freq);
          colour[p * 3] = ar + (br - ar) * m;
          colour[p * 3 + 1] = ag + (bg - ag) * m;
          colour[p * 3 + 2] = ab + (bb - ab) * m;
        }
      }
    }
    fullArea.set(object.trackId, area);
  }
  return fullArea;
}

function checkFrame(scene: Scene, t: number): void {
  if (!Number.isInteger(t) || t < 0 || t >= scene.params.frameCount) {
    throw new RangeError(`frame ${t} is outside the clip (0..${scene.params.frameCount - 1})`);
  }
}

/** Only the instance and semantic maps of frame t (what the flow needs), without colour. */
export function renderIds(scene: Scene, t: number): { instances: Uint16Array; semantic: Uint8Array; fullArea: Map<number, number> } {
  checkFrame(scene, t);
  const n = scene.params.width * scene.params.height;
  const instances = new Uint16Array(n);
  const semantic = new Uint8Array(n);
  const fullArea = drawObjects(scene, t, instances, semantic, null);
  return { instances, semantic, fullArea };
}

export function renderFrame(scene: Scene, t: number, options: RenderOptions = {}): RenderedFrame {
  checkFrame(scene, t);
  const { width: W, height: H, seed } = scene.params;
  const n = W * H;
  const colour = new Float32Array(n * 3);
  const instances = new Uint16Array(n);
  const semantic = new Uint8Array(n);
  drawBackground(scene, t, colour);
  const fullArea = drawObjects(scene, t, instances, semantic, colour);

  const lit = options.lighting ?? true;
  const gr = lit ? scene.lighting[t * 3]! : 1;
  const gg = lit ? scene.lighting[t * 3 + 1]! : 1;
  const gb = lit ? scene.lighting[t * 3 + 2]! : 1;
  const sigma = (options.sensorNoise ?? true) ? scene.preset.noiseSigma : 0;
  const rgb = new Uint8Array(n * 3);
  let state = mixSeed(seed, t, 0x401) | 1; // xorshift32 over the frame, so any frame renders on its own
  for (let i = 0; i < n * 3; i += 3) {
    let nr = 0;
    let ng = 0;
    let nb = 0;
    if (sigma > 0) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      nr = NOISE_TABLE[state & 0xffff]! * sigma;
      ng = NOISE_TABLE[(state >>> 16) & 0xffff]! * sigma;
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      nb = NOISE_TABLE[state & 0xffff]! * sigma;
    }
    // A Uint8Array wraps on overflow: clamp by hand (the + 0.5 above rounds).
    const r = colour[i]! * gr + nr + 0.5;
    const g = colour[i + 1]! * gg + ng + 0.5;
    const b = colour[i + 2]! * gb + nb + 0.5;
    rgb[i] = r < 0 ? 0 : r > 255 ? 255 : r;
    rgb[i + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
    rgb[i + 2] = b < 0 ? 0 : b > 255 ? 255 : b;
  }
  return { index: t, width: W, height: H, rgb, instances, semantic, fullArea };
}
