import { useEffect, useRef, useState } from 'react';
import { FRAME_KEY_BIT, FRAME_STATES, type FrameState } from '../../../electron/common/api';

export const STATE_COLORS: Record<FrameState, string> = {
  unlabelled: '#3a3f4b',
  predicted: '#3d7bfd',
  propagated: '#7aa7ff',
  corrected: '#f0a020',
  verified: '#3cc46b',
};

const HEIGHT = 28;
const KEY_MARK = 6;

/**
 * One cell per frame coloured by its state, key frames marked above, the playhead; click or drag to jump.
 * Drawn on one canvas: with more frames than pixels a column shows its first frame (and any key frame in it).
 */
export function TimelineStrip(props: { frameCount: number; codes: Uint8Array | null; index: number; onSeek: (i: number) => void }) {
  const { frameCount, codes, index } = props;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);

  useEffect(() => {
    const el = canvasRef.current!;
    const ro = new ResizeObserver(([entry]) => setWidth(Math.floor(entry.contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || width === 0 || frameCount === 0) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = width * dpr;
    canvas.height = HEIGHT * dpr;
    const g = canvas.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, HEIGHT);
    const cell = width / frameCount;
    const columns = Math.min(frameCount, width);
    for (let c = 0; c < columns; c++) {
      const first = Math.floor((c * frameCount) / columns);
      const last = Math.floor(((c + 1) * frameCount) / columns);
      const code = codes?.[first] ?? 0;
      const x0 = Math.round(first * cell); // whole pixels: fractional edges blur into stripes
      const x1 = Math.round(last * cell);
      g.fillStyle = STATE_COLORS[FRAME_STATES[code & 0x7f] ?? 'unlabelled'];
      g.fillRect(x0, KEY_MARK, Math.max(1, x1 - x0 - (cell >= 4 ? 1 : 0)), HEIGHT - KEY_MARK);
      let key = false;
      for (let i = first; i < last && codes; i++) key ||= (codes[i]! & FRAME_KEY_BIT) !== 0;
      if (key) {
        g.fillStyle = '#ffd84d';
        g.fillRect(x0, 0, Math.max(2, Math.min(cell, 4)), KEY_MARK - 1);
      }
    }
    g.fillStyle = '#ffffff';
    g.fillRect(Math.min(width - 2, (index + 0.5) * cell - 1), 0, 2, HEIGHT);
  }, [width, frameCount, codes, index]);

  const seekAt = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    props.onSeek(Math.max(0, Math.min(frameCount - 1, Math.floor(((e.clientX - rect.left) / rect.width) * frameCount))));
  };

  let keys = 0;
  let labelled = 0;
  for (const c of codes ?? []) {
    if (c & FRAME_KEY_BIT) keys++;
    if ((c & 0x7f) !== 0) labelled++;
  }
  return (
    <canvas
      ref={canvasRef}
      className="timeline-strip"
      data-testid="timeline"
      data-key-count={keys}
      data-labelled-count={labelled}
      style={{ height: HEIGHT }}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        seekAt(e);
      }}
      onPointerMove={(e) => e.buttons === 1 && seekAt(e)}
    />
  );
}
