/**
 * Draws the timeline by pixel column, never by frame: each column gathers the frames under it (how many of
 * each state, any key frame, mean score, how many below the threshold) in one pass over the visible frames, then its pixels
 * are written into one ImageData. Cost: O(visible frames + pixels), ~the same at 300 or 100 000 frames.
 */
import { FRAME_KEY_BIT, FRAME_NO_SCORE, FRAME_STATES, type FrameState } from '../../../electron/common/api';
import type { FrameStateArrays } from './frame-states';
import { xOfFrame, type TimelineView } from './view';

export const STATE_COLORS: Record<FrameState, string> = {
  unlabelled: '#3a3f4b',
  predicted: '#3d7bfd',
  propagated: '#7aa7ff',
  carried: '#b58cff',
  corrected: '#f0a020',
  verified: '#3cc46b',
};
export const KEY_COLOR = '#ffd84d';
export const SCORE_COLOR = '#8fa3bd';
export const LOW_COLOR = '#ff5a4f';

/** Lane heights in CSS pixels, top to bottom. */
export const LANES = { ruler: 15, keys: 6, states: 22, score: 15 } as const;
export const TIMELINE_HEIGHT = LANES.ruler + LANES.keys + LANES.states + LANES.score;

/** '#rrggbb' → a pixel of a Uint32Array view over ImageData (little-endian: 0xAABBGGRR). */
function pixel(hex: string, alpha = 255): number {
  const n = parseInt(hex.slice(1), 16);
  return ((alpha << 24) | ((n & 0xff) << 16) | (n & 0xff00) | ((n >> 16) & 0xff)) >>> 0;
}
const STATE_PIXELS = FRAME_STATES.map((s) => pixel(STATE_COLORS[s]));
const BG = pixel('#1a1c20');
const GAP = pixel('#101114');
const KEY = pixel(KEY_COLOR);
const SCORE = pixel(SCORE_COLOR);
const LOW = pixel(LOW_COLOR);
const THRESHOLD = pixel('#d6b35a');

export interface DrawInput {
  count: number;
  states: FrameStateArrays | null;
  view: TimelineView;
  /** The playhead: the frame on screen, or the one under the pointer while scrubbing. */
  playhead: number;
  /** Low-confidence threshold, 0..1. */
  threshold: number;
}

/** One column's frames, gathered. Reused between columns (no allocation in the loop). */
const counts = new Uint32Array(128);

/** Draws into the canvas (its size already set to cssWidth × TIMELINE_HEIGHT device pixels × dpr). */
export function drawTimeline(canvas: HTMLCanvasElement, input: DrawInput, dpr: number): void {
  const g = canvas.getContext('2d')!;
  const W = canvas.width;
  const H = canvas.height;
  const cssWidth = W / dpr;
  const { count, states, view, threshold } = input;
  const img = g.createImageData(W, H);
  const px = new Uint32Array(img.data.buffer);
  px.fill(BG);
  const top = Math.round(LANES.ruler * dpr);
  const keyH = Math.round(LANES.keys * dpr);
  const statesTop = top + keyH;
  const statesH = Math.round(LANES.states * dpr);
  const scoreTop = statesTop + statesH + 1;
  const scoreH = H - scoreTop;
  const framePx = W / view.span;
  const gaps = framePx >= 5 * dpr; // single frames apart from each other when they are this wide
  const limit = threshold * 254;
  const thresholdRow = scoreTop + scoreH - 1 - Math.round(threshold * (scoreH - 1));
  const nStates = FRAME_STATES.length;

  for (let c = 0; c < W; c++) {
    const f0 = Math.floor(view.start + (c * view.span) / W);
    if (f0 >= count) break;
    const f1 = Math.min(count, Math.max(f0 + 1, Math.floor(view.start + ((c + 1) * view.span) / W)));
    const gap = gaps && Math.floor(view.start + ((c + 1) * view.span) / W) > f0; // last column of a frame
    let key = false;
    let scored = 0;
    let sum = 0;
    let low = 0;
    counts.fill(0, 0, nStates);
    if (states) {
      const { codes, scores } = states;
      for (let f = f0; f < f1; f++) {
        const code = codes[f]!;
        counts[code & 0x7f]!++;
        if (code & FRAME_KEY_BIT) key = true;
        const s = scores[f]!;
        if (s !== FRAME_NO_SCORE) {
          scored++;
          sum += s;
          if (s < limit) low++;
        }
      }
    } else counts[0] = f1 - f0;
    if (gap) {
      for (let y = top; y < H; y++) px[y * W + c] = GAP;
      continue;
    }
    if (key) for (let y = top + 1; y < statesTop - 1; y++) px[y * W + c] = KEY;
    // states stacked in FRAME_STATES order from the bottom, each as tall as its share of the column's frames
    const n = f1 - f0;
    let y = statesTop + statesH;
    let acc = 0;
    for (let s = 0; s < nStates; s++) {
      if (!counts[s]) continue;
      acc += counts[s]!;
      const yTop = statesTop + statesH - Math.round((acc / n) * statesH);
      const color = STATE_PIXELS[s]!;
      for (let yy = yTop; yy < y; yy++) px[yy * W + c] = color;
      y = yTop;
    }
    if (scored) {
      const mean = sum / scored / 254;
      const h = Math.max(1, Math.round(mean * (scoreH - 1)));
      for (let yy = scoreTop + scoreH - h; yy < scoreTop + scoreH; yy++) px[yy * W + c] = SCORE;
      // red from the bottom: the share of the column's scored frames that are below the threshold (≥ 2 px)
      if (low) {
        const lowH = Math.max(Math.round(2 * dpr), Math.round((low / scored) * h));
        for (let yy = scoreTop + scoreH - lowH; yy < scoreTop + scoreH; yy++) px[yy * W + c] = LOW;
      }
    }
    if ((c & 3) < 2) px[thresholdRow * W + c] = THRESHOLD; // dotted threshold line
  }
  g.putImageData(img, 0, 0);

  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  drawRuler(g, view, cssWidth, count);
  // playhead
  const x = xOfFrame(input.playhead + 0.5, view, cssWidth);
  if (x >= -2 && x <= cssWidth + 2) {
    g.fillStyle = '#ffffff';
    g.fillRect(Math.round(x) - 1, LANES.ruler - 3, 2, TIMELINE_HEIGHT - LANES.ruler + 3);
    g.beginPath();
    g.moveTo(x - 5, LANES.ruler - 6);
    g.lineTo(x + 5, LANES.ruler - 6);
    g.lineTo(x, LANES.ruler);
    g.fill();
  }
  g.setTransform(1, 0, 0, 1, 0, 0);
}

/** Frame numbers at a round step (1, 2, 5 × 10ⁿ) at least 60 px apart. */
function drawRuler(g: CanvasRenderingContext2D, view: TimelineView, width: number, count: number) {
  g.fillStyle = '#23262b';
  g.fillRect(0, 0, width, LANES.ruler);
  const framePx = width / view.span;
  let step = 1;
  pick: for (let p = 1; ; p *= 10) {
    for (const m of [1, 2, 5]) if ((step = m * p) * framePx >= 60) break pick;
  }
  g.font = '10px system-ui, sans-serif';
  g.textBaseline = 'top';
  g.fillStyle = '#8a9099';
  const first = Math.ceil(view.start / step) * step;
  for (let f = first; f <= Math.min(count, view.start + view.span); f += step) {
    const x = Math.round(xOfFrame(f, view, width)) + 0.5;
    g.fillRect(x - 0.5, LANES.ruler - 4, 1, 4);
    if (x < width - 30) g.fillText(String(f), x + 3, 2);
  }
}
