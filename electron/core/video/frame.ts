/**
 * One decoded frame and its pixel layouts.
 *
 * Video frames of 8-bit 4:2:0 sources travel as planar I420 (`yuv420p`: a full-size Y plane, then
 * U and V planes of ceil(w/2)×ceil(h/2)), exactly as the codec produced them; `toRgb` converts on
 * demand (~6 ms for a 720p frame here). Every other source (4:4:4, 10-bit, RGB codecs, image
 * folders) arrives as rgb24 from its decoder.
 *
 * Why, measured on this 2-core machine (600 frames of 720p H.264, medians of 5 interleaved runs):
 * the same decode written as yuv420p into a pipe and read into frames runs at ~0.7–0.75× of decoding
 * to null (the pipe's copies are the floor, see raw-frame-reader.ts); asking ffmpeg for rgb24
 * instead doubles the bytes and adds swscale, ~0.35–0.5×. A frame that is only cached, stepped over
 * or shown never needs RGB for every pixel of every frame; inference streams that do can ask ffmpeg
 * for rgb24 (frames({ format })).
 */
export type PixelFormat = 'rgb24' | 'yuv420p';

/** How the Y'CbCr of a yuv420p frame maps to RGB (the stream's matrix and range). */
export interface YuvColour {
  matrix: 'bt601' | 'bt709';
  fullRange: boolean;
}

export interface Frame {
  index: number;
  width: number;
  height: number;
  /** Presentation timestamp in the source's time base (exact, as stored in the file). */
  pts: number;
  /** Seconds since the first frame. */
  time: number;
  format: PixelFormat;
  /** Only for yuv420p frames. */
  colour?: YuvColour;
  /**
   * The pixels, the frame's own, except from a `frames(from, to, { reuse: true })` stream: there
   * they are valid only until the iterator's next step, which may overwrite them.
   */
  data: Buffer;
}

/** Bytes of one frame of the given layout (I420 rounds the chroma planes up for odd sizes). */
export function frameByteLength(format: PixelFormat, width: number, height: number): number {
  if (format === 'rgb24') return width * height * 3;
  return width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
}

/** The frame as interleaved RGB24; returns the same frame when it already is. */
export function toRgb(frame: Frame): Frame {
  if (frame.format === 'rgb24') return frame;
  const colour = frame.colour ?? { matrix: 'bt601', fullRange: false };
  const data = Buffer.allocUnsafe(frame.width * frame.height * 3);
  i420ToRgb(frame.data, frame.width, frame.height, conversionTables(colour), data);
  return { ...frame, format: 'rgb24', colour: undefined, data };
}

interface Tables {
  y: Int32Array;
  rv: Int32Array;
  gu: Int32Array;
  gv: Int32Array;
  bu: Int32Array;
}

const FIXED_ONE = 1 << 16;
const tableCache = new Map<string, Tables>();

/** Per-byte contributions in 16.16 fixed point, so the per-pixel work is three adds and a shift. */
function conversionTables({ matrix, fullRange }: YuvColour): Tables {
  const key = `${matrix}/${fullRange}`;
  const cached = tableCache.get(key);
  if (cached) return cached;
  const [kr, kb] = matrix === 'bt709' ? [0.2126, 0.0722] : [0.299, 0.114];
  const kg = 1 - kr - kb;
  const yScale = fullRange ? 1 : 255 / 219;
  const cScale = fullRange ? 1 : 255 / 224;
  const yOffset = fullRange ? 0 : 16;
  const t: Tables = {
    y: new Int32Array(256),
    rv: new Int32Array(256),
    gu: new Int32Array(256),
    gv: new Int32Array(256),
    bu: new Int32Array(256),
  };
  for (let i = 0; i < 256; i++) {
    // The +0.5 rounding term rides on Y so it is added once per pixel.
    t.y[i] = Math.round((i - yOffset) * yScale * FIXED_ONE) + FIXED_ONE / 2;
    const c = (i - 128) * cScale;
    t.rv[i] = Math.round(2 * (1 - kr) * c * FIXED_ONE);
    t.bu[i] = Math.round(2 * (1 - kb) * c * FIXED_ONE);
    t.gu[i] = Math.round(((2 * (1 - kb) * kb) / kg) * c * FIXED_ONE);
    t.gv[i] = Math.round(((2 * (1 - kr) * kr) / kg) * c * FIXED_ONE);
  }
  tableCache.set(key, t);
  return t;
}

function i420ToRgb(src: Buffer, width: number, height: number, t: Tables, out: Buffer): void {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const uBase = width * height;
  const vBase = uBase + cw * ch;
  // Writes through a clamped view saturate to 0..255 for free.
  const o = new Uint8ClampedArray(out.buffer, out.byteOffset, width * height * 3);
  const { y: Y, rv: RV, gu: GU, gv: GV, bu: BU } = t;
  for (let row = 0; row < height; row++) {
    const yRow = row * width;
    const cRow = (row >> 1) * cw;
    let p = yRow * 3;
    for (let cx = 0; cx < cw; cx++) {
      const u = src[uBase + cRow + cx]!;
      const v = src[vBase + cRow + cx]!;
      const r = RV[v]!;
      const g = GU[u]! + GV[v]!;
      const b = BU[u]!;
      const x = cx << 1;
      let yy = Y[src[yRow + x]!]!;
      o[p] = (yy + r) >> 16;
      o[p + 1] = (yy - g) >> 16;
      o[p + 2] = (yy + b) >> 16;
      if (x + 1 < width) {
        yy = Y[src[yRow + x + 1]!]!;
        o[p + 3] = (yy + r) >> 16;
        o[p + 4] = (yy - g) >> 16;
        o[p + 5] = (yy + b) >> 16;
      }
      p += 6;
    }
  }
}
