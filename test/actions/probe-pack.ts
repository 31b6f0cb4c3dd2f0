/**
 * A pack whose action model the tests control exactly: a "probe" ONNX graph written here (a minimal protobuf
 * encoder), whose logits follow the clip's mean colour — a red clip says class 1, a green one class 2, a dark
 * one the background — and a video of solid-colour stretches, so where suggestions must land is known.
 *
 * Probe: m = ReduceMean(clip, axes T,H,W) → (1, 3); logits = m · W + b with class 1 = s(R − G − 2.2) and
 * class 2 = s(G − R − 2.2) on the normalised channels (red frame: R − G ≈ 4.3, dark: ≈ −0.1), so a clip says
 * red (green) when most of its frames are red (green).
 */
import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from '../../electron/core/app-paths';
import { ffmpeg } from '../support/videos';

// ---- a minimal ONNX (protobuf) writer

const enc = new TextEncoder();
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}
const cat = (parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const int = (field: number, n: number) => cat([varint(field * 8), varint(n)]);
const bytes = (field: number, b: Uint8Array | string) => {
  const data = typeof b === 'string' ? enc.encode(b) : b;
  return cat([varint(field * 8 + 2), varint(data.length), data]);
};

const FLOAT = 1;

function tensor(name: string, dims: number[], values: number[]): Uint8Array {
  const raw = new Uint8Array(Float32Array.from(values).buffer);
  return cat([...dims.map((d) => int(1, d)), int(2, FLOAT), bytes(8, name), bytes(9, raw)]);
}

/** A float tensor's name and shape (a string: a dynamic dimension). */
function valueInfo(name: string, shape: (number | string)[]): Uint8Array {
  const dims = shape.map((d) => bytes(1, typeof d === 'number' ? int(1, d) : bytes(2, d)));
  return cat([bytes(1, name), bytes(2, bytes(1, cat([int(1, FLOAT), bytes(2, cat(dims))])))]);
}

function node(op: string, inputs: string[], outputs: string[], attrs: Uint8Array[] = []): Uint8Array {
  return cat([...inputs.map((i) => bytes(1, i)), ...outputs.map((o) => bytes(2, o)), bytes(4, op), ...attrs.map((a) => bytes(5, a))]);
}
const intsAttr = (name: string, values: number[]) => cat([bytes(1, name), ...values.map((v) => int(8, v)), int(20, 7)]);
const intAttr = (name: string, value: number) => cat([bytes(1, name), int(3, value), int(20, 2)]);

export interface ProbeOptions {
  input?: string;
  output?: string;
  /** The clip input's shape as the graph declares it (default (1, 3, 8, 24, 32)). */
  inputShape?: (number | string)[];
  /** How many classes the graph scores (default 3; the first three follow the colours, the rest stay at 0). */
  classes?: number;
  /** Logit scale s. */
  scale?: number;
  /** The axes ReduceMean averages over (default T, H, W: 2, 3, 4). */
  axes?: number[];
}

/** The probe action model's ONNX bytes (opset 17). */
export function probeModel(o: ProbeOptions = {}): Uint8Array {
  const input = o.input ?? 'clip';
  const output = o.output ?? 'logits';
  const K = o.classes ?? 3;
  const s = o.scale ?? 5;
  const w = [
    [0, s, -s],
    [0, -s, s],
    [0, 0, 0],
  ].flatMap((row) => Array.from({ length: K }, (_, k) => row[k] ?? 0));
  const b = Array.from({ length: K }, (_, k) => (k === 1 || k === 2 ? -2.2 * s : 0));
  const graph = cat([
    bytes(1, node('ReduceMean', [input], ['m'], [intsAttr('axes', o.axes ?? [2, 3, 4]), intAttr('keepdims', 0)])),
    bytes(1, node('MatMul', ['m', 'w'], ['z'])),
    bytes(1, node('Add', ['z', 'b'], [output])),
    bytes(2, 'probe'),
    bytes(5, tensor('w', [3, K], w)),
    bytes(5, tensor('b', [K], b)),
    bytes(11, valueInfo(input, o.inputShape ?? [1, 3, 8, 24, 32])),
    bytes(12, valueInfo(output, [1, K])),
  ]);
  const opset = cat([bytes(1, ''), int(2, 17)]);
  return cat([int(1, 8), bytes(2, 'dff-studio-tests'), bytes(7, graph), bytes(8, opset)]);
}

// ---- the pack and the video

export const PROBE_CLASSES = [
  { name: 'none', color: [128, 128, 128] },
  { name: 'flash_red', color: [230, 40, 40] },
  { name: 'flash_green', color: [40, 200, 60] },
];

/** The manifest's action section for the probe (clip 8 frames of 32×24, stride 4), with `patch` applied. */
export function probeAction(patch: Record<string, unknown> = {}) {
  return {
    file: 'action.onnx',
    inputs: { clip: 'clip' },
    outputs: { logits: 'logits' },
    clipLength: 8,
    frameStep: 1,
    windowStride: 4,
    width: 32,
    height: 24,
    channelOrder: 'RGB',
    valueScale: 255,
    mean: [123.675, 116.28, 103.53],
    std: [58.395, 57.12, 57.375],
    classes: PROBE_CLASSES,
    minSegmentFrames: 6,
    ...patch,
  };
}

/**
 * A pack folder in `dir`: the default pack's manifest (its DFF part is not loaded by suggestions) with `action`
 * set (null: none), and the probe model as action.onnx (unless `model` is null).
 */
export function writeProbePack(dir: string, action: Record<string, unknown> | null = probeAction(), model: Uint8Array | null = probeModel()): string {
  fs.mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(appRoot(), 'models', 'default', 'manifest.json'), 'utf8')) as Record<string, unknown>;
  manifest.name = 'probe';
  manifest.version = '0.1';
  delete manifest.action;
  if (action) manifest.action = action;
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  if (model) fs.writeFileSync(path.join(dir, 'action.onnx'), model);
  return dir;
}

/** Solid-colour stretches of a 64×48 video, in order: [colour, frames]. */
export type Stretch = ['dark' | 'red' | 'green', number];
const RGB = { dark: [0, 0, 0], red: [255, 0, 0], green: [0, 255, 0] } as const;

/** Frames 0–9 dark, 10–25 red, 26–37 dark, 38–53 green, 54–63 dark. */
export const TWO_FLASHES: Stretch[] = [
  ['dark', 10],
  ['red', 16],
  ['dark', 12],
  ['green', 16],
  ['dark', 10],
];

/** An H.264 mp4 of the stretches at 25 fps, written into `dir`. */
export async function flashVideo(dir: string, stretches: Stretch[] = TWO_FLASHES, name = 'flashes.mp4'): Promise<string> {
  const [w, h] = [64, 48];
  const frames = stretches.flatMap(([colour, n]) => Array<Stretch[0]>(n).fill(colour));
  const raw = Buffer.alloc(frames.length * w * h * 3);
  frames.forEach((colour, f) => {
    for (let p = 0; p < w * h; p++) raw.set(RGB[colour], (f * w * h + p) * 3);
  });
  const rawFile = path.join(dir, `${name}.rgb`);
  fs.writeFileSync(rawFile, raw);
  const file = path.join(dir, name);
  await ffmpeg(['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${w}x${h}`, '-r', '25', '-i', rawFile, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '12', file]);
  fs.rmSync(rawFile);
  return file;
}
