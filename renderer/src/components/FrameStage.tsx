import { memo, useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { Group, Image as KonvaImage, Layer, Stage } from 'react-konva';
import type Konva from 'konva';
import type { ShownFrame } from '../frames/useShownFrame';

/** null = fit the frame to the stage; otherwise an explicit scale and the frame's top-left on the stage. */
export type StageView = { scale: number; x: number; y: number } | null;

interface Props {
  frame: ShownFrame | null;
  loading: boolean;
  view: StageView;
  onViewChange: (v: StageView) => void;
  /** Konva nodes drawn over the frame in frame pixels (labels); `scale` is screen pixels per frame pixel. */
  overlay?: (scale: number) => ReactNode;
  /** The overlay takes pointer events (the editor); panning is then space-drag. */
  interactive?: boolean;
  /** Drawn over the stage (the error banner, empty-state messages). */
  children?: ReactNode;
}

function useElementSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => {
      const { width, height } = entry.contentRect;
      setSize({ width: Math.floor(width), height: Math.floor(height) });
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return size;
}

/** True while the space bar is held (outside text fields): the stage pans on drag. */
function useSpaceHeld(): boolean {
  const [held, setHeld] = useState(false);
  useEffect(() => {
    const typing = (t: EventTarget | null) => t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement;
    const down = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || typing(e.target)) return;
      e.preventDefault();
      setHeld(true);
    };
    const up = (e: KeyboardEvent) => e.code === 'Space' && setHeld(false);
    const blur = () => setHeld(false);
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
    };
  }, []);
  return held;
}

const FIT_MARGIN = 16;

/** Where the frame sits on a stage of the given size in fit mode (whole pixels, so 1:1 draws exactly). */
export function fitView(stageW: number, stageH: number, frameW: number, frameH: number): { scale: number; x: number; y: number } {
  const scale = Math.max(0.01, Math.min((stageW - 2 * FIT_MARGIN) / frameW, (stageH - 2 * FIT_MARGIN) / frameH));
  return { scale, x: Math.floor((stageW - frameW * scale) / 2), y: Math.floor((stageH - frameH * scale) / 2) };
}

/** 100 %: one frame pixel per screen pixel, centred. */
export function actualSizeView(stageW: number, stageH: number, frameW: number, frameH: number) {
  return { scale: 1, x: Math.floor((stageW - frameW) / 2), y: Math.floor((stageH - frameH) / 2) };
}

/**
 * The frame drawn on a Konva stage, its overlay on a layer above it. Wheel zooms around the
 * pointer, dragging pans once zoomed; the parent owns the view so keys can reset it.
 */
export function FrameStage({ frame, loading, view, onViewChange, overlay, interactive = false, children }: Props) {
  const boxRef = useRef<HTMLDivElement>(null);
  const { width, height } = useElementSize(boxRef);
  const spaceHeld = useSpaceHeld();
  const image = frame?.image;
  const placed = image && width > 0 ? (view ?? fitView(width, height, image.width, image.height)) : null;

  return (
    <div
      ref={boxRef}
      className="stage"
      data-testid="stage"
      data-frame-index={frame ? frame.index : ''}
      data-video-id={frame ? frame.videoId : ''}
      data-loading={loading ? 'true' : 'false'}
      data-view={view ? `${view.scale.toFixed(3)}` : 'fit'}
      data-image-x={placed ? Math.round(placed.x) : ''}
      data-image-y={placed ? Math.round(placed.y) : ''}
      data-image-scale={placed ? placed.scale.toFixed(4) : ''}
      data-frame-width={image ? image.width : ''}
      data-panning={spaceHeld ? 'true' : 'false'}
      style={spaceHeld ? { cursor: 'grab' } : undefined}
    >
      {width > 0 && height > 0 && (
        <StageCanvas
          width={width}
          height={height}
          image={image ?? null}
          scale={placed?.scale ?? 1}
          x={placed?.x ?? 0}
          y={placed?.y ?? 0}
          zoomed={view !== null}
          spaceHeld={spaceHeld}
          interactive={interactive}
          overlay={overlay}
          onViewChange={onViewChange}
        />
      )}
      {loading && <div className="stage-spinner" aria-label="loading frame" />}
      {children}
    </div>
  );
}

interface CanvasProps {
  width: number;
  height: number;
  image: ImageBitmap | null;
  /** Where the frame sits: screen pixels per frame pixel, and its top-left on the stage. */
  scale: number;
  x: number;
  y: number;
  zoomed: boolean;
  spaceHeld: boolean;
  interactive: boolean;
  overlay?: (scale: number) => ReactNode;
  onViewChange: (v: StageView) => void;
}

/**
 * The Konva stage itself, memoised on plain values: react-konva re-runs the whole Konva tree synchronously
 * whenever the Stage renders, so it renders only when the frame, its placement or the overlay changed.
 */
const StageCanvas = memo(function StageCanvas({ width, height, image, scale, x, y, zoomed, spaceHeld, interactive, overlay, onViewChange }: CanvasProps) {
  function onWheel(e: Konva.KonvaEventObject<WheelEvent>) {
    if (!image) return;
    e.evt.preventDefault();
    const pointer = e.target.getStage()?.getPointerPosition();
    if (!pointer) return;
    const factor = e.evt.deltaY < 0 ? 1.15 : 1 / 1.15;
    const next = Math.min(32, Math.max(0.05, scale * factor));
    // keep the frame point under the pointer where it is
    const fx = (pointer.x - x) / scale;
    const fy = (pointer.y - y) / scale;
    onViewChange({ scale: next, x: pointer.x - fx * next, y: pointer.y - fy * next });
  }

  return (
    <Stage className="stage-canvas" width={width} height={height} onWheel={onWheel}>
      <Layer imageSmoothingEnabled={!image || scale < 3}>
        {image && (
          <KonvaImage
            image={image}
            x={x}
            y={y}
            scaleX={scale}
            scaleY={scale}
            draggable={zoomed || spaceHeld}
            onDragMove={(e) => interactive && onViewChange({ scale, x: e.target.x(), y: e.target.y() })}
            onDragEnd={(e) => onViewChange({ scale, x: e.target.x(), y: e.target.y() })}
          />
        )}
      </Layer>
      {overlay && image && (
        <Layer listening={interactive && !spaceHeld}>
          <Group x={x} y={y} scaleX={scale} scaleY={scale}>
            {overlay(scale)}
          </Group>
        </Layer>
      )}
    </Stage>
  );
});
