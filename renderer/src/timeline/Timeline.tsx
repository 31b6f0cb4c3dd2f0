import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { FRAME_STATES } from '../../../electron/common/api';
import { drawTimeline, KEY_COLOR, LANES, LOW_COLOR, SCORE_COLOR, STATE_COLORS, TIMELINE_HEIGHT } from './draw';
import { isKey, type FrameStateArrays } from './frame-states';
import { jumpTarget, type Direction, type JumpKind } from './navigation';
import { clampView, ensureVisible, fitView, frameAtX, panView, zoomReadout, zoomView, type TimelineView } from './view';

interface Props {
  count: number;
  states: FrameStateArrays | null;
  /** The frame asked for. */
  index: number;
  /** The frame on screen (null while none): a scrub asks for the next frame only once the last one is shown. */
  shownIndex: number | null;
  onSeek: (index: number) => void;
  /** A lane drawn under the frames on the same scale (the action lane): given the timeline's view each render. */
  lane?: (geometry: { view: TimelineView; width: number; count: number; playhead: number }) => ReactNode;
}

const THRESHOLD_KEY = 'dff.timeline.lowThreshold';
const JUMPS: Array<{ kind: JumpKind; label: string; key: string; what: string }> = [
  { kind: 'key', label: 'key', key: 'K', what: 'key frame' },
  { kind: 'unreviewed', label: 'unreviewed', key: 'U', what: 'unreviewed frame (not verified or corrected)' },
  { kind: 'low', label: 'low score', key: 'L', what: 'low-confidence frame' },
];
/** A frame asked for while scrubbing that has not arrived after this long no longer holds the next one back. */
const SCRUB_WAIT_MS = 1500;

function isTextField(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el instanceof HTMLInputElement) return el.type !== 'range';
  return el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement || el.isContentEditable;
}

/**
 * The video's frames on one canvas: ruler, key marks, states, scores and the playhead. Wheel zooms around the
 * pointer, Shift+wheel or dragging the ruler pans, dragging anywhere else scrubs; +/- zoom, K/U/L jump to the
 * next key / unreviewed / low-confidence frame (Shift: previous).
 */
export const Timeline = memo(function Timeline({ count, states, index, shownIndex, onSeek, lane }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [view, setView] = useState<TimelineView>(() => fitView(count));
  const [scrub, setScrub] = useState<number | null>(null);
  const [note, setNote] = useState('');
  const [threshold, setThreshold] = useState(() => {
    const saved = Number(localStorage.getItem(THRESHOLD_KEY));
    return saved > 0 && saved <= 1 ? saved : 0.5;
  });
  const playhead = scrub ?? index;

  // ---- size and view -------------------------------------------------------------------------
  useEffect(() => {
    const el = canvasRef.current!;
    const ro = new ResizeObserver(([entry]) => setWidth(Math.floor(entry!.contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => setView(fitView(count)), [count]);
  useEffect(() => setView((v) => clampView(v, count, width)), [count, width]);
  // the playhead stays in view when the frame changes by keyboard, buttons or the slider
  useEffect(() => {
    if (scrub === null && width > 0) setView((v) => ensureVisible(v, index, count, width));
  }, [index, count, width, scrub]);

  // ---- drawing: once per animation frame, whatever changed -----------------------------------------
  const drawInput = useRef({ count, states, view, playhead, threshold });
  drawInput.current = { count, states, view, playhead, threshold };
  const frameRequest = useRef(0);
  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || width === 0) return;
    cancelAnimationFrame(frameRequest.current);
    frameRequest.current = requestAnimationFrame(() => {
      const dpr = window.devicePixelRatio || 1;
      const t0 = performance.now();
      if (canvas.width !== Math.round(width * dpr)) canvas.width = Math.round(width * dpr);
      if (canvas.height !== Math.round(TIMELINE_HEIGHT * dpr)) canvas.height = Math.round(TIMELINE_HEIGHT * dpr);
      drawTimeline(canvas, drawInput.current, dpr);
      canvas.dataset.drawMs = (performance.now() - t0).toFixed(2);
      canvas.dataset.drawn = String(Number(canvas.dataset.drawn ?? 0) + 1);
    });
  }, [width, count, states, view, playhead, threshold]);
  useEffect(
    () => () => {
      cancelAnimationFrame(frameRequest.current);
      clearTimeout(scrubState.current.timer);
    },
    [],
  );

  // ---- scrubbing: the latest frame under the pointer, one request at a time ------------------------------
  const scrubState = useRef({
    awaiting: null as number | null,
    since: 0,
    pending: null as number | null,
    dragging: false,
    timer: undefined as ReturnType<typeof setTimeout> | undefined,
  });
  const onSeekRef = useRef(onSeek);
  onSeekRef.current = onSeek;
  const flushScrub = useCallback(() => {
    const s = scrubState.current;
    const waited = performance.now() - s.since;
    if (s.awaiting !== null && waited < SCRUB_WAIT_MS) {
      clearTimeout(s.timer);
      s.timer = setTimeout(flushScrub, SCRUB_WAIT_MS - waited); // the frame may never come (an error)
      return;
    }
    clearTimeout(s.timer);
    if (s.pending !== null) {
      s.awaiting = s.pending;
      s.since = performance.now();
      s.pending = null;
      onSeekRef.current(s.awaiting);
    } else if (!s.dragging) setScrub(null);
  }, []);
  useEffect(() => {
    const s = scrubState.current;
    if (s.awaiting !== null && shownIndex === s.awaiting) {
      s.awaiting = null;
      flushScrub();
    }
  }, [shownIndex, flushScrub]);
  const scrubTo = (frame: number) => {
    const s = scrubState.current;
    setScrub(frame);
    if (frame === s.awaiting || (s.awaiting === null && frame === shownIndex && frame === index)) return;
    s.pending = frame;
    flushScrub();
  };

  const pointer = useRef<{ id: number; mode: 'scrub' | 'pan'; x0: number; start0: number; moved: boolean } | null>(null);
  const xIn = (e: { clientX: number }) => e.clientX - canvasRef.current!.getBoundingClientRect().left;
  const frameUnder = (x: number) => frameAtX(Math.max(0, Math.min(width - 1e-6, x)), view, width, count);

  const onPointerDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (e.button !== 0 || count === 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const x = xIn(e);
    const mode = e.nativeEvent.offsetY < LANES.ruler && view.span < count ? 'pan' : 'scrub';
    pointer.current = { id: e.pointerId, mode, x0: x, start0: view.start, moved: false };
    if (mode === 'scrub') {
      scrubState.current.dragging = true;
      scrubTo(frameUnder(x));
    }
  };
  const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const p = pointer.current;
    if (!p || p.id !== e.pointerId) return;
    const x = xIn(e);
    p.moved ||= Math.abs(x - p.x0) > 2;
    if (p.mode === 'pan') {
      setView(clampView({ start: p.start0 - ((x - p.x0) / width) * view.span, span: view.span }, count, width));
      return;
    }
    // past either end while zoomed in: the window follows the pointer
    const frame = Math.max(0, Math.min(count - 1, Math.floor(view.start + (x / width) * view.span)));
    if (x < 0 || x > width) setView((v) => ensureVisible(v, frame, count, width));
    scrubTo(frame);
  };
  const onPointerUp = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const p = pointer.current;
    if (!p || p.id !== e.pointerId) return;
    pointer.current = null;
    if (p.mode === 'pan' && !p.moved) onSeek(frameUnder(xIn(e)));
    scrubState.current.dragging = false;
    flushScrub();
  };

  // ---- wheel: zoom around the pointer, Shift or sideways to pan ---------------------------------------
  const viewRef = useRef({ view, count, width });
  viewRef.current = { view, count, width };
  useEffect(() => {
    const el = canvasRef.current!;
    const onWheel = (e: WheelEvent) => {
      const { view: v, count: n, width: w } = viewRef.current;
      if (n === 0 || w === 0) return;
      e.preventDefault();
      const sideways = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY);
      if (sideways) {
        const px = e.shiftKey ? e.deltaY || e.deltaX : e.deltaX;
        setView(panView(v, (px / w) * v.span, n, w));
      } else {
        const anchor = v.start + (e.offsetX / w) * v.span;
        setView(zoomView(v, Math.exp(-e.deltaY * 0.002), anchor, n, w));
      }
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, []);

  // ---- jumps and keys ---------------------------------------------------------------------------
  const jump = useCallback(
    (kind: JumpKind, dir: Direction) => {
      if (!states) return;
      const what = JUMPS.find((j) => j.kind === kind)!.what;
      const target = jumpTarget(kind, states, index, dir, threshold);
      if (target === null) setNote(`no ${what} ${dir > 0 ? 'after' : 'before'} frame ${index}`);
      else {
        setNote('');
        onSeek(target);
      }
    },
    [states, index, threshold, onSeek],
  );
  const zoomBy = useCallback(
    (factor: number) => setView((v) => ensureVisible(zoomView(v, factor, index + 0.5, count, width), index, count, width)),
    [index, count, width],
  );
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (isTextField(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      const dir: Direction = e.shiftKey ? -1 : 1;
      const k = e.key.toLowerCase();
      if (k === 'k') jump('key', dir);
      else if (k === 'u') jump('unreviewed', dir);
      else if (k === 'l') jump('low', dir);
      else if (e.key === '+' || e.key === '=') zoomBy(2);
      else if (e.key === '-' || e.key === '_') zoomBy(0.5);
      else return;
      e.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [jump, zoomBy]);

  const summary = useMemo(() => {
    let keys = 0;
    let labelled = 0;
    for (const c of states?.codes ?? []) {
      if (isKey(c)) keys++;
      if ((c & 0x7f) !== 0) labelled++;
    }
    return { keys, labelled };
  }, [states]);

  const last = Math.min(count, Math.ceil(view.start + view.span)) - 1;
  return (
    <div className="timeline" data-testid="timeline-panel">
      <div className="timeline-bar">
        {JUMPS.map((j) => (
          <span className="timeline-jump" key={j.kind}>
            <button className="icon-button small" title={`Previous ${j.what} (Shift+${j.key})`} data-testid={`jump-prev-${j.kind}`} onClick={() => jump(j.kind, -1)}>
              ‹
            </button>
            <span className="timeline-jump-label">{j.label}</span>
            <button className="icon-button small" title={`Next ${j.what} (${j.key})`} data-testid={`jump-next-${j.kind}`} onClick={() => jump(j.kind, 1)}>
              ›
            </button>
          </span>
        ))}
        <label className="timeline-threshold" title="A frame whose score is below this is low-confidence">
          below
          <input
            type="number"
            min={0.05}
            max={1}
            step={0.05}
            value={threshold}
            data-testid="low-threshold"
            onChange={(e) => {
              const t = Number(e.target.value);
              if (t > 0 && t <= 1) {
                setThreshold(t);
                localStorage.setItem(THRESHOLD_KEY, String(t));
              }
            }}
          />
        </label>
        <span className="timeline-note" data-testid="timeline-note">
          {note}
        </span>
        <span className="top-spacer" />
        <button className="icon-button small" title="Zoom out (-)" data-testid="timeline-zoom-out" onClick={() => zoomBy(0.5)}>
          −
        </button>
        <span className="timeline-zoom" data-testid="timeline-zoom" title={`frames ${Math.floor(view.start)}–${last} of ${count}`}>
          {width > 0 ? zoomReadout(view, count, width) : ''}
        </span>
        <button className="icon-button small" title="Zoom in (+)" data-testid="timeline-zoom-in" onClick={() => zoomBy(2)}>
          +
        </button>
        <button className="button small" title="Show the whole video" data-testid="timeline-fit" onClick={() => setView(fitView(count))}>
          Fit
        </button>
      </div>
      <canvas
        ref={canvasRef}
        className="timeline-canvas"
        data-testid="timeline"
        data-key-count={summary.keys}
        data-labelled-count={summary.labelled}
        data-view-start={view.start.toFixed(2)}
        data-view-span={view.span.toFixed(2)}
        data-playhead={playhead}
        style={{ height: TIMELINE_HEIGHT }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
      />
      {lane?.({ view, width, count, playhead })}
      <div className="timeline-legend" data-testid="timeline-legend">
        {FRAME_STATES.map((s) => (
          <span key={s}>
            <i style={{ background: STATE_COLORS[s] }} />
            {s}
          </span>
        ))}
        <span>
          <i style={{ background: KEY_COLOR, height: 4 }} />
          key frame
        </span>
        <span>
          <i style={{ background: SCORE_COLOR }} />
          score
        </span>
        <span>
          <i style={{ background: LOW_COLOR, height: 3 }} />
          below {threshold}
        </span>
      </div>
    </div>
  );
});
