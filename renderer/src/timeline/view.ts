/**
 * The timeline's window onto the video: `start` (the frame at the left edge, fractional) and `span` (how many
 * frames the width shows). Zoom goes from the whole video down to MAX_PX_PER_FRAME pixels a frame.
 */
export interface TimelineView {
  start: number;
  span: number;
}

/** Fully zoomed in, a frame is this many pixels wide. */
export const MAX_PX_PER_FRAME = 24;

export const fitView = (count: number): TimelineView => ({ start: 0, span: Math.max(1, count) });

/** Keeps the span between the whole video and MAX_PX_PER_FRAME, and the window inside the video. */
export function clampView(v: TimelineView, count: number, width: number): TimelineView {
  const span = Math.min(Math.max(1, count), Math.max(width / MAX_PX_PER_FRAME, v.span, 1));
  const start = Math.min(Math.max(0, v.start), Math.max(0, count - span));
  return { start, span };
}

/** Zooms by `factor` (> 1 zooms in) keeping frame `anchor` under the same pixel. */
export function zoomView(v: TimelineView, factor: number, anchor: number, count: number, width: number): TimelineView {
  const span = v.span / factor;
  const t = (anchor - v.start) / v.span;
  return clampView({ start: anchor - t * span, span }, count, width);
}

export const panView = (v: TimelineView, frames: number, count: number, width: number) => clampView({ start: v.start + frames, span: v.span }, count, width);

/** Moves the window as little as needed for frame `index` to be inside it, with a margin of a tenth. */
export function ensureVisible(v: TimelineView, index: number, count: number, width: number): TimelineView {
  const margin = Math.min(v.span * 0.1, 20 / Math.max(1e-9, width / v.span)); // at most 20 px
  if (index >= v.start + margin && index + 1 <= v.start + v.span - margin) return v;
  const start = index < v.start + margin ? index - margin : index + 1 - v.span + margin;
  return clampView({ start, span: v.span }, count, width);
}

/** The frame under pixel x (0..width). */
export const frameAtX = (x: number, v: TimelineView, width: number, count: number) =>
  Math.max(0, Math.min(count - 1, Math.floor(v.start + (x / width) * v.span)));

export const xOfFrame = (frame: number, v: TimelineView, width: number) => ((frame - v.start) / v.span) * width;

/** "1 px = 80 frames" when zoomed out, "12 px a frame" when in. */
export function zoomReadout(v: TimelineView, count: number, width: number): string {
  const pxPerFrame = width / v.span;
  const zoom = count / v.span;
  const scale = pxPerFrame >= 1 ? `${pxPerFrame >= 10 ? Math.round(pxPerFrame) : pxPerFrame.toFixed(1)} px/frame` : `${(1 / pxPerFrame).toFixed(1)} frames/px`;
  return `${zoom >= 10 ? Math.round(zoom) : zoom.toFixed(1)}× · ${scale}`;
}
