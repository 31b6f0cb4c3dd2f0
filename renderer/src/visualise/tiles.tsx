/** The visualiser's pictures: a field on the feature grid with its colour bar, and flow arrows over the frame. */
import { useEffect, useRef } from 'react';
import { COLOUR_MAPS, wheelPixels, type ColourMapName } from './colour';

/** Draws RGBA pixels of a w × h grid onto a canvas of the given CSS size, smoothed or as blocks. */
function paintGrid(canvas: HTMLCanvasElement, pixels: Uint8ClampedArray<ArrayBuffer>, w: number, h: number, smooth: boolean) {
  const small = new OffscreenCanvas(w, h);
  small.getContext('2d')!.putImageData(new ImageData(pixels, w, h), 0, 0);
  const g = canvas.getContext('2d')!;
  g.imageSmoothingEnabled = smooth;
  g.imageSmoothingQuality = 'high';
  g.clearRect(0, 0, canvas.width, canvas.height);
  g.drawImage(small, 0, 0, canvas.width, canvas.height);
}

const fmt = (v: number) => (Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));

export function ColourBar({ map, min, max, unit = '' }: { map: ColourMapName; min: number; max: number; unit?: string }) {
  return (
    <div className="vis-bar">
      <span data-role="min">{fmt(min) + unit}</span>
      <i style={{ background: `linear-gradient(to right, ${COLOUR_MAPS[map].join(', ')})` }} />
      <span data-role="max">{fmt(max) + unit}</span>
    </div>
  );
}

interface GridTileProps {
  title: string;
  testId: string;
  pixels: Uint8ClampedArray<ArrayBuffer>;
  gridWidth: number;
  gridHeight: number;
  width: number;
  smooth?: boolean;
  legend: React.ReactNode;
}

export function GridTile({ title, testId, pixels, gridWidth, gridHeight, width, smooth = false, legend }: GridTileProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const height = Math.round((width * gridHeight) / gridWidth);
  useEffect(() => {
    if (ref.current) paintGrid(ref.current, pixels, gridWidth, gridHeight, smooth);
  }, [pixels, gridWidth, gridHeight, smooth, width]);
  return (
    <figure className="vis-tile" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <canvas ref={ref} width={width} height={height} style={{ width, height }} />
      {legend}
    </figure>
  );
}

/** The wheel as a disc: direction is hue, length is saturation up to `maxPx` at the rim. */
export function WheelLegend({ maxPx, size = 48 }: { maxPx: number; size?: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    ref.current?.getContext('2d')!.putImageData(new ImageData(wheelPixels(size), size, size), 0, 0);
  }, [size]);
  return (
    <figure className="vis-tile vis-wheel" data-testid="vis-wheel">
      <figcaption>direction</figcaption>
      <canvas ref={ref} width={size} height={size} />
      <span className="vis-note">rim {fmt(maxPx)} px</span>
    </figure>
  );
}

interface ArrowsProps {
  image: ImageBitmap | null;
  dx: Float32Array;
  dy: Float32Array;
  gridWidth: number;
  gridHeight: number;
  videoWidth: number;
  videoHeight: number;
  maxFlowPx: number;
  width: number;
}

/**
 * The frame with an arrow per grid cell (every few cells when they would crowd) pointing where that point
 * is in the key frame. Arrows are lengthened by a stated gain when the motion is too small to see.
 */
export function FlowArrows({ image, dx, dy, gridWidth, gridHeight, videoWidth, videoHeight, maxFlowPx, width }: ArrowsProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const height = Math.round((width * videoHeight) / videoWidth);
  const cellPx = width / gridWidth;
  const step = Math.max(1, Math.ceil(14 / cellPx));
  const toDisplay = width / videoWidth;
  const longest = maxFlowPx * toDisplay;
  const gain = longest > 0 && longest < cellPx * step * 0.8 ? Math.min(20, Math.max(1, (cellPx * step * 0.8) / longest)) : 1;
  useEffect(() => {
    const g = ref.current?.getContext('2d');
    if (!g) return;
    g.clearRect(0, 0, width, height);
    if (image) g.drawImage(image, 0, 0, width, height);
    g.fillStyle = 'rgba(0,0,0,0.35)';
    g.fillRect(0, 0, width, height);
    const cellH = height / gridHeight;
    for (const [stroke, lw] of [
      ['rgba(0,0,0,0.8)', 3],
      ['#ffffff', 1.2],
    ] as const) {
      g.strokeStyle = stroke;
      g.fillStyle = stroke;
      g.lineWidth = lw;
      for (let y = Math.floor(step / 2); y < gridHeight; y += step) {
        for (let x = Math.floor(step / 2); x < gridWidth; x += step) {
          const i = y * gridWidth + x;
          const x0 = (x + 0.5) * cellPx;
          const y0 = (y + 0.5) * cellH;
          const ux = dx[i]! * toDisplay * gain;
          const uy = dy[i]! * toDisplay * gain;
          const len = Math.hypot(ux, uy);
          if (len < 0.75) {
            g.fillRect(x0 - 1, y0 - 1, 2, 2);
            continue;
          }
          const x1 = x0 + ux;
          const y1 = y0 + uy;
          const head = Math.min(5, len * 0.4);
          const a = Math.atan2(uy, ux);
          g.beginPath();
          g.moveTo(x0, y0);
          g.lineTo(x1, y1);
          g.moveTo(x1 - head * Math.cos(a - 0.5), y1 - head * Math.sin(a - 0.5));
          g.lineTo(x1, y1);
          g.lineTo(x1 - head * Math.cos(a + 0.5), y1 - head * Math.sin(a + 0.5));
          g.stroke();
        }
      }
    }
  }, [image, dx, dy, gridWidth, gridHeight, width, height, step, cellPx, toDisplay, gain]);
  return (
    <figure className="vis-tile" data-testid="vis-arrows">
      <figcaption>arrows to the key</figcaption>
      <canvas ref={ref} width={width} height={height} style={{ width, height }} />
      <span className="vis-note" data-testid="vis-arrow-gain">
        {gain > 1.01 ? `drawn ×${gain.toFixed(1)}` : 'true length'}, max {fmt(maxFlowPx)} px
      </span>
    </figure>
  );
}
