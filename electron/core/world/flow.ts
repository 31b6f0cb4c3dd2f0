/**
 * Exact optical flow between any two frames, from the planned transforms: a pixel showing object o at
 * frame i moves with o's own map T_k ∘ T_i⁻¹; a background pixel with the camera's C_k ∘ C_i⁻¹.
 */
import { type Affine, composeAffine, invertAffine } from './affine';
import { objectTransform, type Scene } from './scene';

/**
 * The flow M from frame i to frame k, at full resolution, u and v interleaved per pixel, row-major:
 * pixel p of frame i shows the scene point that sits at p + M(p) in frame k (whether or not it is
 * visible there). `instances` is frame i's instance map.
 */
export function flowBetween(scene: Scene, instances: Uint16Array, i: number, k: number): Float32Array {
  const { width: W, height: H } = scene.params;
  const flow = new Float32Array(W * H * 2);
  if (i === k) return flow; // exactly zero (T ∘ T⁻¹ is only the identity up to rounding)
  // One map per track id (index 0: background), from frame i's image to frame k's.
  let maxId = 0;
  for (const o of scene.objects) maxId = Math.max(maxId, o.trackId);
  const maps = new Float64Array((maxId + 1) * 6);
  const put = (id: number, m: Affine) => maps.set(m, id * 6);
  put(0, composeAffine(scene.camera[k]!, invertAffine(scene.camera[i]!)));
  for (const o of scene.objects) put(o.trackId, composeAffine(objectTransform(o, k), invertAffine(objectTransform(o, i))));

  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const m = instances[p]! * 6;
      flow[p * 2] = maps[m]! * x + maps[m + 1]! * y + maps[m + 4]! - x;
      flow[p * 2 + 1] = maps[m + 2]! * x + maps[m + 3]! * y + maps[m + 5]! - y;
    }
  }
  return flow;
}

/**
 * The flow at 1/scale resolution: each output pixel is the mean of its scale×scale block, divided by scale
 * (so it is in pixels of the smaller image). Width and height must be multiples of scale.
 */
export function downscaleFlow(flow: Float32Array, width: number, height: number, scale: number): Float32Array {
  if (scale === 1) return flow;
  if (width % scale !== 0 || height % scale !== 0) {
    throw new RangeError(`flow of ${width}x${height} cannot be downscaled by ${scale}: not a multiple`);
  }
  const w = width / scale;
  const h = height / scale;
  const out = new Float32Array(w * h * 2);
  const norm = 1 / (scale * scale * scale);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / scale) * w;
    for (let x = 0; x < width; x++) {
      const o = (row + Math.floor(x / scale)) * 2;
      const p = (y * width + x) * 2;
      out[o] += flow[p]!;
      out[o + 1] += flow[p + 1]!;
    }
  }
  for (let i = 0; i < out.length; i++) out[i]! *= norm;
  return out;
}
