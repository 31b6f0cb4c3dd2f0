/** RGB24 frames -> the normalised NCHW float tensor a pack's networks take. */
import * as ort from 'onnxruntime-node';
import { AppError } from '../errors';
import type { PackManifest } from './manifest';

/**
 * `rgb` is width*height*3 bytes, row-major. Frames of another size are resampled bilinearly to the input
 * size (pixel centres aligned, no antialiasing: give packs frames near their input size for best results).
 */
export function frameToTensor(
  rgb: Uint8Array,
  width: number,
  height: number,
  input: PackManifest['input'],
  into?: Float32Array,
): ort.Tensor {
  if (rgb.length !== width * height * 3) {
    throw new AppError('INVALID_INPUT', `frame buffer holds ${rgb.length} bytes, a ${width}x${height} RGB24 frame needs ${width * height * 3}`);
  }
  const W = input.width;
  const H = input.height;
  const plane = W * H;
  if (into && into.length !== 3 * plane) {
    throw new AppError('INVALID_INPUT', `tensor buffer holds ${into.length} values, a ${W}x${H} input needs ${3 * plane}`);
  }
  const out = into ?? new Float32Array(3 * plane);
  const order = input.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const k = input.valueScale === 255 ? 1 : 1 / 255;
  const scale = order.map((src, c) => ({ src, c, mul: k / input.std[c]!, sub: input.mean[c]! / input.std[c]! }));
  if (width === W && height === H) {
    // one table of 256 normalised values per channel: the per-pixel work is a lookup, one plane at a time
    for (const s of scale) {
      const table = Float32Array.from({ length: 256 }, (_, v) => v * s.mul - s.sub);
      for (let p = 0, q = s.src, o = s.c * plane; p < plane; p++, q += 3) out[o + p] = table[rgb[q]!]!;
    }
  } else {
    const sx = width / W;
    const sy = height / H;
    for (let y = 0; y < H; y++) {
      const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), height - 1);
      const y0 = Math.floor(fy);
      const y1 = Math.min(y0 + 1, height - 1);
      const wy = fy - y0;
      for (let x = 0; x < W; x++) {
        const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), width - 1);
        const x0 = Math.floor(fx);
        const x1 = Math.min(x0 + 1, width - 1);
        const wx = fx - x0;
        const a = (y0 * width + x0) * 3;
        const b = (y0 * width + x1) * 3;
        const c = (y1 * width + x0) * 3;
        const d = (y1 * width + x1) * 3;
        for (const s of scale) {
          const v =
            (rgb[a + s.src]! * (1 - wx) + rgb[b + s.src]! * wx) * (1 - wy) + (rgb[c + s.src]! * (1 - wx) + rgb[d + s.src]! * wx) * wy;
          out[s.c * plane + y * W + x] = v * s.mul - s.sub;
        }
      }
    }
  }
  return new ort.Tensor('float32', out, [1, 3, H, W]);
}

/**
 * Input tensor buffers to fill again: a run makes a 0.7 MB tensor per frame (320×192), and allocating and
 * collecting them cost more than filling them. Give a buffer back only when no network will read it again.
 */
export class InputBuffers {
  private readonly free: Float32Array[] = [];
  constructor(
    readonly length: number,
    private readonly keep = 32,
  ) {}

  take(): Float32Array {
    return this.free.pop() ?? new Float32Array(this.length);
  }

  give(tensor: ort.Tensor): void {
    const data = tensor.data as Float32Array;
    if (data.length === this.length && this.free.length < this.keep && !this.free.includes(data)) this.free.push(data);
  }
}
