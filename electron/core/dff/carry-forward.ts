/**
 * Carrying a person's correction on frame t forward along the flow: for each frame j = t+1, t+2, … the pack's
 * flow network runs on (key = t, current = j) — always back to t, never chained — and the annotation follows:
 * a mask is warped backward, mask_j(p) = mask_t(p + flow(p)) (bilinear, then ≥ 0.5), its box is the warped
 * mask's box; a box without a mask moves by the mean flow inside it. It stops before a frame a person edited
 * or verified, before the next DFF key frame, after `limit` frames, at the end of the video, or before a frame
 * where the object has left the picture. Frames holding an earlier carried correction are carried over: the
 * new carry takes the place of the earlier one (edits/carry.ts). This plans; it writes nothing (the edit layer
 * writes the plan as one undoable edit).
 */
import { defaultPackDir } from '../api/dff';
import { AppError } from '../errors';
import type { KeyFrame } from '../models/dff-runner';
import { decodeMask, encodeMask, maskToBox, type CocoRle } from '../masks/rle';
import type { Annotation, AnnotationSource, Box, FrameState, ProjectStore } from '../store';
import type { ToolPaths } from '../video';
import { runForFrame } from './frame-key';
import { withPack } from './held-pack';
import { forEachFrame } from './video-span';

export const CARRY_LIMIT_MAX = 300;

/** A carry never reaches a frame in these states or with a label of these sources: they hold a person's word. */
const PERSON_STATES: readonly FrameState[] = ['corrected', 'verified'];
const PERSON_SOURCES: readonly AnnotationSource[] = ['manual', 'corrected'];

export type CarryStopReason = 'limit' | 'human-edited' | 'key-frame' | 'end' | 'lost';

export interface CarriedFrame {
  frameIdx: number;
  /** In video pixels, clipped to the frame. */
  bbox: Box;
  /** The warped mask at the video's size (only when the annotation has a mask). */
  rle?: CocoRle;
}

export interface CarryPlan {
  /** Frames t+1 … stoppedAt−1, in order. */
  frames: CarriedFrame[];
  /** The first frame not carried to: the human-edited or key frame, t+limit+1, the frame count, or where the object was lost. */
  stoppedAt: number;
  /** 'lost': the object left the picture (the warped mask or box is empty) at stoppedAt. */
  reason: CarryStopReason;
}

export interface CarryRequest {
  annotationId: number;
  /** How many frames at most (1–300). */
  limit: number;
  /** The pack whose flow network is used; default the run's pack that labelled frame t, else models/default. */
  packDir?: string;
}

export async function planCarryForward(store: ProjectStore, request: CarryRequest, options: { tools?: ToolPaths } = {}): Promise<CarryPlan> {
  const { limit } = request;
  if (!Number.isInteger(limit) || limit < 1 || limit > CARRY_LIMIT_MAX) {
    throw new AppError('INVALID_INPUT', `carry-forward limit must be a whole number of frames from 1 to ${CARRY_LIMIT_MAX}, got ${limit}`, { limit });
  }
  const a = store.getAnnotation(request.annotationId);
  const span = carrySpan(store, a, limit);
  if (span.last < a.frameIdx + 1) return { frames: [], stoppedAt: span.stoppedAt, reason: span.reason };

  const video = store.getVideo(a.videoId);
  const packDir = request.packDir ?? runForFrame(store, a.videoId, a.frameIdx)?.packPath ?? defaultPackDir();
  return withPack(packDir, async ({ runner, pack }) => {
    const { width: gw, height: gh } = pack.manifest.feature;
    const follow: Follower = a.mask ? maskWarper(a.mask) : (field) => followBox(a.box, field);
    const frames: CarriedFrame[] = [];
    let key: KeyFrame | null = null;
    let lostAt: number | null = null;
    await forEachFrame(store, a.videoId, { from: a.frameIdx, to: span.last + 1 }, pack.manifest.input, async (f) => {
      if (!key) {
        key = { image: f.image } as KeyFrame; // the flow network needs only the key image
        return;
      }
      const { flow } = await runner.flow(key, f.image);
      const carried = follow(new FlowField(flow.data as Float32Array, gw, gh, video.width, video.height));
      if (!carried) {
        lostAt = f.index;
        return 'stop';
      }
      frames.push({ frameIdx: f.index, ...carried });
    }, options.tools);
    return lostAt === null ? { frames, stoppedAt: span.stoppedAt, reason: span.reason } : { frames, stoppedAt: lostAt, reason: 'lost' as const };
  });
}

/** The frames to carry to (t+1 … last) and why the carry ends after them, from the store alone. */
function carrySpan(store: ProjectStore, a: Annotation, limit: number): { last: number; stoppedAt: number; reason: CarryStopReason } {
  const count = store.getVideo(a.videoId).frameCount;
  const t = a.frameIdx;
  const end = Math.min(t + limit + 1, count); // frames (t, end) are candidates
  const frames = store.listFrames(a.videoId, t + 1, end);
  const personal = new Set<number>();
  for (const b of store.listAnnotationsInRange(a.videoId, t + 1, end)) {
    if (PERSON_SOURCES.includes(b.source)) personal.add(b.frameIdx);
  }
  for (const f of frames) {
    if (PERSON_STATES.includes(f.state) || personal.has(f.idx)) return { last: f.idx - 1, stoppedAt: f.idx, reason: 'human-edited' };
    if (f.dffKey) return { last: f.idx - 1, stoppedAt: f.idx, reason: 'key-frame' };
  }
  return { last: end - 1, stoppedAt: end, reason: end === count ? 'end' : 'limit' };
}

/**
 * The flow from frame j back to t at any video pixel: the network's field (feature cells, at cell centres)
 * interpolated bilinearly (half-pixel centres, edge cells extended) and scaled to video pixels.
 */
export class FlowField {
  private readonly cellW: number;
  private readonly cellH: number;
  constructor(
    private readonly cells: Float32Array,
    private readonly gw: number,
    private readonly gh: number,
    readonly width: number,
    readonly height: number,
  ) {
    this.cellW = width / gw;
    this.cellH = height / gh;
  }

  /** [dx, dy] in video pixels at video pixel (x, y). */
  at(x: number, y: number): [number, number] {
    const { gw, gh, cells } = this;
    const fx = Math.min(Math.max((x + 0.5) / this.cellW - 0.5, 0), gw - 1);
    const fy = Math.min(Math.max((y + 0.5) / this.cellH - 0.5, 0), gh - 1);
    const x0 = Math.floor(fx);
    const y0 = Math.floor(fy);
    const x1 = Math.min(x0 + 1, gw - 1);
    const y1 = Math.min(y0 + 1, gh - 1);
    const wx = fx - x0;
    const wy = fy - y0;
    const plane = gw * gh;
    const sample = (c: number) => {
      const o = c * plane;
      const top = cells[o + y0 * gw + x0]! * (1 - wx) + cells[o + y0 * gw + x1]! * wx;
      const bottom = cells[o + y1 * gw + x0]! * (1 - wx) + cells[o + y1 * gw + x1]! * wx;
      return top * (1 - wy) + bottom * wy;
    };
    return [sample(0) * this.cellW, sample(1) * this.cellH];
  }

  /** The flow of pixels x0 … x1−1 of row y into dx[0 …], dy[0 …] (what `at` gives, without allocating). */
  fillRow(y: number, x0: number, x1: number, dx: Float32Array, dy: Float32Array): void {
    const { gw, gh, cells, cellW, cellH } = this;
    const plane = gw * gh;
    const fy = Math.min(Math.max((y + 0.5) / cellH - 0.5, 0), gh - 1);
    const r0 = Math.floor(fy) * gw;
    const r1 = Math.min(Math.floor(fy) + 1, gh - 1) * gw;
    const wy = fy - Math.floor(fy);
    for (let x = x0; x < x1; x++) {
      const fx = Math.min(Math.max((x + 0.5) / cellW - 0.5, 0), gw - 1);
      const c0 = Math.floor(fx);
      const c1 = Math.min(c0 + 1, gw - 1);
      const wx = fx - c0;
      const a = (1 - wx) * (1 - wy);
      const b = wx * (1 - wy);
      const c = (1 - wx) * wy;
      const d = wx * wy;
      dx[x - x0] = (cells[r0 + c0]! * a + cells[r0 + c1]! * b + cells[r1 + c0]! * c + cells[r1 + c1]! * d) * cellW;
      dy[x - x0] = (cells[plane + r0 + c0]! * a + cells[plane + r0 + c1]! * b + cells[plane + r1 + c0]! * c + cells[plane + r1 + c1]! * d) * cellH;
    }
  }

  /** The longest vector of the field, in video pixels (bilinear values never exceed it). */
  maxLength(): number {
    const plane = this.gw * this.gh;
    let max = 0;
    for (let p = 0; p < plane; p++) max = Math.max(max, Math.hypot(this.cells[p]! * this.cellW, this.cells[plane + p]! * this.cellH));
    return max;
  }
}

type Follower = (field: FlowField) => { bbox: Box; rle?: CocoRle } | null;

/**
 * Warps a mask backward from t to j by the flow j -> t: mask_j(p) = mask_t(p + flow(p)), bilinear then >= 0.5.
 * Returns a function of the flow field (the mask is decoded once), giving null when nothing of the mask is left.
 * Only pixels within the mask's box grown by the field's longest vector can land on it, so only those are visited.
 */
export function maskWarper(rle: CocoRle): (field: FlowField) => { bbox: Box; rle: CocoRle } | null {
  const [H, W] = rle.size;
  const src = decodeMask(rle);
  const [bx, by, bw, bh] = maskToBox(rle);
  return (field) => {
    const reach = Math.ceil(field.maxLength()) + 1;
    const x0 = Math.max(0, bx - reach);
    const y0 = Math.max(0, by - reach);
    const x1 = Math.min(W, bx + bw + reach);
    const y1 = Math.min(H, by + bh + reach);
    const out = new Uint8Array(H * W);
    const dx = new Float32Array(Math.max(0, x1 - x0));
    const dy = new Float32Array(dx.length);
    let any = false;
    for (let y = y0; y < y1; y++) {
      field.fillRow(y, x0, x1, dx, dy);
      for (let x = x0; x < x1; x++) {
        if (sampleMask(src, W, H, x + dx[x - x0]!, y + dy[x - x0]!) >= 0.5) {
          out[y * W + x] = 1;
          any = true;
        }
      }
    }
    if (!any) return null;
    const warped = encodeMask(out, H, W);
    const [x, y, w, h] = maskToBox(warped);
    return { bbox: { x, y, w, h }, rle: warped };
  };
}

/** Bilinear sample of a 0/1 mask at (x, y) (pixel centres at integers); 0 outside the frame. */
function sampleMask(mask: Uint8Array, W: number, H: number, x: number, y: number): number {
  if (x <= -1 || y <= -1 || x >= W || y >= H) return 0;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const wx = x - x0;
  const wy = y - y0;
  const inX0 = x0 >= 0;
  const inX1 = x0 + 1 < W;
  const top = y0 >= 0 ? y0 * W : -1;
  const bottom = y0 + 1 < H ? (y0 + 1) * W : -1;
  const m00 = top >= 0 && inX0 ? mask[top + x0]! : 0;
  const m01 = top >= 0 && inX1 ? mask[top + x0 + 1]! : 0;
  const m10 = bottom >= 0 && inX0 ? mask[bottom + x0]! : 0;
  const m11 = bottom >= 0 && inX1 ? mask[bottom + x0 + 1]! : 0;
  return (m00 * (1 - wx) + m01 * wx) * (1 - wy) + (m10 * (1 - wx) + m11 * wx) * wy;
}

/**
 * A box moved from t to j by the mean flow inside it, clipped to the frame; null when nothing is left. The flow
 * is defined on frame j, where the box is not yet known: start from the box at t and settle it in a few steps
 * (box_j = box_t − mean flow inside box_j).
 */
export function followBox(box: Box, field: FlowField): { bbox: Box } | null {
  let shift: [number, number] = [0, 0];
  for (let step = 0; step < 3; step++) {
    const [mx, my] = meanFlow(field, { ...box, x: box.x + shift[0], y: box.y + shift[1] });
    shift = [-mx, -my];
  }
  const x0 = Math.max(0, box.x + shift[0]);
  const y0 = Math.max(0, box.y + shift[1]);
  const x1 = Math.min(field.width, box.x + shift[0] + box.w);
  const y1 = Math.min(field.height, box.y + shift[1] + box.h);
  if (x1 - x0 < 1 || y1 - y0 < 1) return null;
  return { bbox: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } };
}

/** Mean flow over the pixels of a box (on a grid of at most 32×32 samples, clipped to the frame). */
function meanFlow(field: FlowField, box: Box): [number, number] {
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(field.width, box.x + box.w);
  const y1 = Math.min(field.height, box.y + box.h);
  if (x1 <= x0 || y1 <= y0) return [0, 0];
  const n = 32;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const [dx, dy] = field.at(x0 + ((j + 0.5) * (x1 - x0)) / n - 0.5, y0 + ((i + 0.5) * (y1 - y0)) / n - 0.5);
      sx += dx;
      sy += dy;
    }
  }
  return [sx / (n * n), sy / (n * n)];
}
