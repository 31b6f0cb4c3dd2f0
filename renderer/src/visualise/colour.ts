/**
 * Colour codings for the visualisers: the Middlebury flow colour wheel (Baker et al., "A Database and
 * Evaluation Methodology for Optical Flow", 2011: hue = direction, saturation = length) and colour maps
 * for scalar fields on the feature grid.
 */

type Rgb = [number, number, number];

/** The Middlebury wheel: 55 hues in six runs (red→yellow→green→cyan→blue→magenta→red) of these lengths. */
const WHEEL: Rgb[] = (() => {
  const RY = 15, YG = 6, GC = 4, CB = 11, BM = 13, MR = 6; // prettier-ignore
  const w: Rgb[] = [];
  for (let i = 0; i < RY; i++) w.push([255, Math.floor((255 * i) / RY), 0]);
  for (let i = 0; i < YG; i++) w.push([255 - Math.floor((255 * i) / YG), 255, 0]);
  for (let i = 0; i < GC; i++) w.push([0, 255, Math.floor((255 * i) / GC)]);
  for (let i = 0; i < CB; i++) w.push([0, 255 - Math.floor((255 * i) / CB), 255]);
  for (let i = 0; i < BM; i++) w.push([Math.floor((255 * i) / BM), 0, 255]);
  for (let i = 0; i < MR; i++) w.push([255, 0, 255 - Math.floor((255 * i) / MR)]);
  return w;
})();

/** The colour of flow (u, v) when a length of `maxLength` is full saturation (longer ones are darkened). */
export function flowColour(u: number, v: number, maxLength: number, out: Rgb = [0, 0, 0]): Rgb {
  const n = WHEEL.length;
  const rad = Math.hypot(u, v) / (maxLength || 1);
  const a = Math.atan2(-v, -u) / Math.PI; // -1..1
  const fk = ((a + 1) / 2) * (n - 1);
  const k0 = Math.floor(fk);
  const k1 = (k0 + 1) % n;
  const f = fk - k0;
  for (let c = 0; c < 3; c++) {
    let col = ((1 - f) * WHEEL[k0]![c]! + f * WHEEL[k1]![c]!) / 255;
    col = rad <= 1 ? 1 - rad * (1 - col) : col * 0.75;
    out[c] = Math.round(255 * col);
  }
  return out;
}

/** RGBA pixels of a flow field (w × h, row-major). */
export function flowPixels(dx: Float32Array, dy: Float32Array, w: number, h: number, maxLength: number): Uint8ClampedArray<ArrayBuffer> {
  const px = new Uint8ClampedArray(w * h * 4);
  const rgb: Rgb = [0, 0, 0];
  for (let i = 0; i < w * h; i++) {
    flowColour(dx[i]!, dy[i]!, maxLength, rgb);
    px.set(rgb, i * 4);
    px[i * 4 + 3] = 255;
  }
  return px;
}

/** A disc of the wheel itself, radius = maxLength: the legend of the flow image. */
export function wheelPixels(size: number): Uint8ClampedArray<ArrayBuffer> {
  const px = new Uint8ClampedArray(size * size * 4);
  const r = size / 2;
  const rgb: Rgb = [0, 0, 0];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5 - r) / r;
      const v = (y + 0.5 - r) / r;
      if (u * u + v * v > 1) continue;
      flowColour(u, v, 1, rgb);
      px.set(rgb, (y * size + x) * 4);
      px[(y * size + x) * 4 + 3] = 255;
    }
  }
  return px;
}

/** Colour maps as stops at even spacing from low to high. */
export const COLOUR_MAPS = {
  /** viridis (perceptually even, colour-blind safe) for features and the scale field */
  viridis: ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'],
  /** inferno for the warp error: black = none */
  inferno: ['#000004', '#1b0c41', '#4a0c6b', '#781c6d', '#a52c60', '#cf4446', '#ed6925', '#fb9b06', '#f7d13d', '#fcffa4'],
} as const;
export type ColourMapName = keyof typeof COLOUR_MAPS;

const lutCache = new Map<ColourMapName, Uint8Array>();

/** 256 RGB entries interpolated between the map's stops. */
export function colourLut(name: ColourMapName): Uint8Array {
  let lut = lutCache.get(name);
  if (lut) return lut;
  const stops = COLOUR_MAPS[name].map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
  lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(stops[k]![c]! * (1 - f) + stops[k + 1]![c]! * f);
  }
  lutCache.set(name, lut);
  return lut;
}

/** RGBA pixels of a scalar field mapped from [min, max] (a flat field shows the map's middle). */
export function fieldPixels(values: Float32Array, min: number, max: number, map: ColourMapName): Uint8ClampedArray<ArrayBuffer> {
  const lut = colourLut(map);
  const px = new Uint8ClampedArray(values.length * 4);
  const range = max - min;
  for (let i = 0; i < values.length; i++) {
    const t = range > 0 ? (values[i]! - min) / range : 0.5;
    const j = Math.max(0, Math.min(255, Math.round(t * 255))) * 3;
    px[i * 4] = lut[j]!;
    px[i * 4 + 1] = lut[j + 1]!;
    px[i * 4 + 2] = lut[j + 2]!;
    px[i * 4 + 3] = 255;
  }
  return px;
}

/** base64 little-endian Float32 → array, checked against the grid size it should have. */
export function float32FromBase64(b64: string, expected: number, what: string): Float32Array {
  const text = atob(b64);
  if (text.length !== expected * 4) throw new Error(`${what}: ${text.length} bytes for a grid of ${expected} values`);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}
