/** Middlebury .flo files: float32 tag 202021.25 ('PIEH'), int32 width, int32 height, then u, v per pixel, little-endian. */
import { AppError } from '../errors';

export const FLO_TAG = 202021.25;

export function encodeFlo(flow: Float32Array, width: number, height: number): Buffer {
  if (flow.length !== width * height * 2) {
    throw new RangeError(`flow has ${flow.length} values, a ${width}x${height} .flo needs ${width * height * 2}`);
  }
  const buf = Buffer.alloc(12 + flow.length * 4);
  buf.writeFloatLE(FLO_TAG, 0);
  buf.writeInt32LE(width, 4);
  buf.writeInt32LE(height, 8);
  const body = new Float32Array(buf.buffer, buf.byteOffset + 12, flow.length);
  body.set(flow); // typed arrays are little-endian on every platform Node runs on
  return buf;
}

export interface FloImage {
  width: number;
  height: number;
  /** u, v interleaved per pixel, row-major. */
  flow: Float32Array;
}

/** Parses a .flo file's bytes; `name` goes into the error when they are not a valid .flo. */
export function decodeFlo(bytes: Uint8Array, name = '.flo data'): FloImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || view.getFloat32(0, true) !== FLO_TAG) {
    throw new AppError('INVALID_INPUT', `${name} is not a Middlebury .flo file (no PIEH tag)`);
  }
  const width = view.getInt32(4, true);
  const height = view.getInt32(8, true);
  const expected = 12 + width * height * 8;
  if (width <= 0 || height <= 0 || bytes.byteLength !== expected) {
    throw new AppError('INVALID_INPUT', `${name} says ${width}x${height} but holds ${bytes.byteLength} bytes (expected ${expected})`);
  }
  const flow = new Float32Array(width * height * 2);
  for (let i = 0; i < flow.length; i++) flow[i] = view.getFloat32(12 + i * 4, true);
  return { width, height, flow };
}
