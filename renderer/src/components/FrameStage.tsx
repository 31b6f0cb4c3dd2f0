import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
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
export function FrameStage({ frame, loading, view, onViewChange, overlay, children }: Props) {
  const boxRef = useRef<HTMLDivElement>(null);
  const { width, height } = useElementSize(boxRef);
  const image = frame?.image;
  const placed = image && width > 0 ? (view ?? fitView(width, height, image.width, image.height)) : null;

  function onWheel(e: Konva.KonvaEventObject<WheelEvent>) {
    if (!placed) return;
    e.evt.preventDefault();
    const pointer = e.target.getStage()?.getPointerPosition();
    if (!pointer) return;
    const factor = e.evt.deltaY < 0 ? 1.15 : 1 / 1.15;
    const scale = Math.min(32, Math.max(0.05, placed.scale * factor));
    // keep the frame point under the pointer where it is
    const fx = (pointer.x - placed.x) / placed.scale;
    const fy = (pointer.y - placed.y) / placed.scale;
    onViewChange({ scale, x: pointer.x - fx * scale, y: pointer.y - fy * scale });
  }

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
    >
      {width > 0 && height > 0 && (
        <Stage className="stage-canvas" width={width} height={height} onWheel={onWheel}>
          <Layer imageSmoothingEnabled={!placed || placed.scale < 3}>
            {image && placed && (
              <KonvaImage
                image={image}
                x={placed.x}
                y={placed.y}
                scaleX={placed.scale}
                scaleY={placed.scale}
                draggable={view !== null}
                onDragEnd={(e) => onViewChange({ scale: placed.scale, x: e.target.x(), y: e.target.y() })}
              />
            )}
          </Layer>
          {overlay && image && placed && (
            <Layer listening={false}>
              <Group x={placed.x} y={placed.y} scaleX={placed.scale} scaleY={placed.scale}>
                {overlay(placed.scale)}
              </Group>
            </Layer>
          )}
        </Stage>
      )}
      {loading && <div className="stage-spinner" aria-label="loading frame" />}
      {children}
    </div>
  );
}
