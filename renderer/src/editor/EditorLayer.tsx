/**
 * The editor drawn over the frame, in video pixels: masks, boxes with class/track/score tags, the
 * Transformer on the selected box, and the tools' pointer handling (new box, brush, eraser, polygon).
 * The mask under the brush is a bitmap at video size, drawn live and sent as RLE when the stroke ends.
 */
import type Konva from 'konva';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { Circle, Group, Image as KonvaImage, Label, Line, Rect, Tag, Text, Transformer } from 'react-konva';
import type { EditableAnnotation } from '../../../electron/common/edit-schemas';
import { FrameMasks } from '../dff/mask-image';
import { DraftCanvas } from './draft-canvas';
import { bitmapFromCounts, emptyBitmap, fillPolygon, paintSegment, translated, type MaskBitmap } from './mask-bitmap';
import { colourOf, type Editor } from './useEditor';

interface Props {
  editor: Editor;
  width: number;
  height: number;
  /** Screen pixels per video pixel. */
  scale: number;
}

const MIN_NEW_BOX = 2;

/** Re-renders only when the editor's state, the size or the zoom changes (the editor object is memoised). */
export const EditorLayer = memo(function EditorLayer({ editor, width, height, scale }: Props) {
  const { labels, classById, tool, layers, selectedId, polygon, setPolygon } = editor;
  const root = useRef<Konva.Group>(null);
  const transformer = useRef<Konva.Transformer>(null);
  const boxNodes = useRef(new Map<number, Konva.Rect>());
  type Rubber = { x0: number; y0: number; x1: number; y1: number };
  const [rubber, setRubber] = useState<Rubber | null>(null);
  // the box being dragged out, also in a ref: the mouse-up handler reads it without waiting for a render
  const rubberRef = useRef<Rubber | null>(null);
  const setRubberBoth = (r: Rubber | null) => {
    rubberRef.current = r;
    setRubber(r);
  };
  const [pointer, setPointer] = useState<{ x: number; y: number } | null>(null);
  const stroke = useRef<{ bitmap: MaskBitmap; targetId: number | null; last: { x: number; y: number }; value: 0 | 1 } | null>(null);
  const draft = useMemo(() => new DraftCanvas(width, height), [width, height]);
  const [draftFor, setDraftFor] = useState<number | 'new' | null>(null);
  const draftImage = useRef<Konva.Image>(null);

  const annotations = labels?.annotations ?? [];
  const colorOf = (a: EditableAnnotation) => colourOf(classById, a.classId);

  // every mask but the one under the brush, on one canvas reused from frame to frame
  const frameMasks = useMemo(() => new FrameMasks(width, height), [width, height]);
  const masksImage = useRef<Konva.Image>(null);
  const hasMasks = useMemo(
    () => frameMasks.paint(annotations.flatMap((a) => (a.rle !== null && a.id !== draftFor ? [{ size: [height, width], counts: a.rle, color: colorOf(a) }] : []))),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [annotations, classById, frameMasks, draftFor],
  );
  // the canvas is the same object with new pixels: Konva must be told
  useEffect(() => {
    masksImage.current?.getLayer()?.batchDraw();
  }, [annotations, classById, frameMasks, draftFor]);

  // the Transformer follows the selected box
  useEffect(() => {
    const tr = transformer.current;
    if (!tr) return;
    const node = selectedId !== null && tool === 'select' ? boxNodes.current.get(selectedId) : undefined;
    tr.nodes(node ? [node] : []);
    tr.getLayer()?.batchDraw();
  }, [selectedId, tool, annotations]);

  const local = () => root.current?.getRelativePointerPosition() ?? null;

  const redrawDraft = () => draftImage.current?.getLayer()?.batchDraw();

  function startStroke(value: 0 | 1) {
    const p = local();
    if (!p) return;
    const sel = editor.selected;
    if (value === 0 && (!sel || sel.rle === null)) return; // the eraser works on the selected mask
    const target = sel && sel.rle !== null ? sel : null;
    const bitmap = target ? bitmapFromCounts(target.rle!, width, height) : emptyBitmap(width, height);
    stroke.current = { bitmap, targetId: target?.id ?? null, last: p, value };
    paintSegment(bitmap, p.x, p.y, p.x, p.y, editor.brush, value);
    setDraftFor(target?.id ?? 'new');
    draft.show(bitmap, target ? colorOf(target) : (classById.get(editor.classId ?? -1)?.color ?? '#ffffff'));
    redrawDraft();
  }

  // moves and releases anywhere on the stage (a stroke may leave the frame: it is clipped)
  useEffect(() => {
    const stage = root.current?.getStage();
    if (!stage) return;
    const move = () => {
      const p = local();
      if (!p) return;
      if (tool === 'brush' || tool === 'eraser') setPointer(p);
      const s = stroke.current;
      if (s) {
        paintSegment(s.bitmap, s.last.x, s.last.y, p.x, p.y, editor.brush, s.value);
        const r = editor.brush + 1;
        draft.update(s.bitmap, Math.min(s.last.x, p.x) - r, Math.min(s.last.y, p.y) - r, Math.max(s.last.x, p.x) + r, Math.max(s.last.y, p.y) + r);
        redrawDraft();
        s.last = p;
      }
      if (rubberRef.current) setRubberBoth({ ...rubberRef.current, x1: p.x, y1: p.y });
    };
    const up = () => {
      const s = stroke.current;
      if (s) {
        stroke.current = null;
        editor.commitMask(s.targetId, s.bitmap);
        // keep the draft on screen until the labels come back with the new mask
        setTimeout(() => setDraftFor(null), 0);
      }
      const r = rubberRef.current;
      if (r) {
        setRubberBoth(null);
        const x = Math.max(0, Math.min(r.x0, r.x1));
        const y = Math.max(0, Math.min(r.y0, r.y1));
        const w = Math.min(width, Math.max(r.x0, r.x1)) - x;
        const h = Math.min(height, Math.max(r.y0, r.y1)) - y;
        if (w >= MIN_NEW_BOX && h >= MIN_NEW_BOX) editor.createBox({ x, y, w, h });
      }
    };
    const down = (e: Konva.KonvaEventObject<MouseEvent>) => {
      // a click on the frame outside every box deselects
      if (tool === 'select' && e.target.name() !== 'annotation-box' && !e.target.findAncestor('Transformer')) editor.select(null);
    };
    stage.on('mousedown.editor', down);
    // on the window, so that a stroke or a new box may go past the stage and still end
    const windowMove = (e: MouseEvent) => {
      stage.setPointersPositions(e);
      move();
    };
    const windowUp = (e: MouseEvent) => {
      stage.setPointersPositions(e);
      up();
    };
    window.addEventListener('mousemove', windowMove);
    window.addEventListener('mouseup', windowUp);
    const leave = () => setPointer(null);
    stage.on('mouseleave.editor', leave);
    return () => {
      stage.off('.editor');
      window.removeEventListener('mousemove', windowMove);
      window.removeEventListener('mouseup', windowUp);
    };
  });

  function onCaptureDown(e: Konva.KonvaEventObject<MouseEvent>) {
    if (e.evt.button !== 0) return;
    const p = local();
    if (!p) return;
    if (tool === 'box') setRubberBoth({ x0: p.x, y0: p.y, x1: p.x, y1: p.y });
    else if (tool === 'brush') startStroke(1);
    else if (tool === 'eraser') startStroke(0);
    else if (tool === 'polygon') setPolygon([...polygon, { x: Math.max(0, Math.min(width, p.x)), y: Math.max(0, Math.min(height, p.y)) }]);
  }

  // One set of box handlers for every box and every render (the box's node says which annotation it shows),
  // so re-rendering never rebinds Konva events.
  const live = useRef({ editor, annotations, width, height });
  live.current = { editor, annotations, width, height };
  const boxEvents = useMemo(() => {
    const annotationOf = (node: Konva.Node) => live.current.annotations.find((a) => a.id === node.getAttr('annotationId'));
    return {
      onMouseDown: (e: Konva.KonvaEventObject<MouseEvent>) => {
        const a = annotationOf(e.target);
        if (a) live.current.editor.select(a.id);
      },
      onDragEnd: (e: Konva.KonvaEventObject<DragEvent>) => {
        const a = annotationOf(e.target);
        if (!a) return;
        const { editor: ed, width: w, height: h } = live.current;
        const x = e.target.x();
        const y = e.target.y();
        if (a.rle !== null) {
          // a mask moves as a whole: shift its pixels, and the box follows them
          const moved = translated(bitmapFromCounts(a.rle, w, h), x - a.bbox.x, y - a.bbox.y);
          ed.commitMask(a.id, moved);
        } else ed.moveBox(a.id, { x, y, w: a.bbox.w, h: a.bbox.h });
      },
      onTransformEnd: (e: Konva.KonvaEventObject<Event>) => {
        const a = annotationOf(e.target);
        if (!a) return;
        const node = e.target;
        const w = node.width() * node.scaleX();
        const h = node.height() * node.scaleY();
        node.scaleX(1);
        node.scaleY(1);
        live.current.editor.moveBox(a.id, { x: node.x(), y: node.y(), w, h });
      },
    };
  }, []);
  const boxDash = useMemo(() => [6 / scale, 4 / scale], [scale]);

  const line = 2 / scale;
  const font = 11 / scale;
  const capturing = tool !== 'select';
  return (
    <Group ref={root}>
      {layers.masks && hasMasks && <KonvaImage ref={masksImage} image={frameMasks.canvas} listening={false} />}
      {draftFor !== null && <KonvaImage ref={draftImage} image={draft.canvas} listening={false} />}
      {byAreaDescending(annotations).map((a, i) => {
        const isSelected = a.id === selectedId;
        if (!layers.boxes && !isSelected) return null;
        const color = colorOf(a);
        const tag = [classById.get(a.classId)?.name ?? `class ${a.classId}`, layers.ids && a.trackId !== null ? `#${a.trackId}` : '', layers.scores && a.score !== null ? a.score.toFixed(2) : '']
          .filter(Boolean)
          .join(' ');
        return (
          // by position: stepping to the next frame (other annotations) reuses the nodes
          <Group key={i}>
            <Rect
              ref={(node) => {
                if (node) boxNodes.current.set(a.id, node);
                else boxNodes.current.delete(a.id);
              }}
              name="annotation-box"
              annotationId={a.id}
              x={a.bbox.x}
              y={a.bbox.y}
              width={a.bbox.w}
              height={a.bbox.h}
              stroke={color}
              strokeWidth={(isSelected ? 3 : 2) / scale}
              dash={a.rle !== null ? boxDash : undefined}
              fill={isSelected ? `${color}22` : 'rgba(0,0,0,0)'}
              hitStrokeWidth={8 / scale}
              listening={tool === 'select'}
              draggable={tool === 'select'}
              onMouseDown={boxEvents.onMouseDown}
              onDragEnd={boxEvents.onDragEnd}
              onTransformEnd={boxEvents.onTransformEnd}
            />
            <Label x={a.bbox.x} y={a.bbox.y} offsetY={16 / scale} listening={false}>
              <Tag fill={color} opacity={0.85} />
              <Text text={tag} fontSize={font} padding={2 / scale} fill={inkOn(color)} />
            </Label>
          </Group>
        );
      })}
      <Transformer
        ref={transformer}
        rotateEnabled={false}
        keepRatio={false}
        ignoreStroke
        resizeEnabled={editor.selected?.rle === null}
        anchorSize={8}
        borderStroke="#ffffff"
        anchorStroke="#ffffff"
        anchorFill="#1f6feb"
        boundBoxFunc={(old, box) => (box.width < 2 || box.height < 2 ? old : box)}
      />
      {capturing && (
        <Rect
          name="editor-capture"
          x={-width}
          y={-height}
          width={width * 3}
          height={height * 3}
          fill="rgba(0,0,0,0)"
          onMouseDown={onCaptureDown}
        />
      )}
      {rubber && (
        <Rect
          x={Math.min(rubber.x0, rubber.x1)}
          y={Math.min(rubber.y0, rubber.y1)}
          width={Math.abs(rubber.x1 - rubber.x0)}
          height={Math.abs(rubber.y1 - rubber.y0)}
          stroke={classById.get(editor.classId ?? -1)?.color ?? '#fff'}
          strokeWidth={line}
          dash={[4 / scale, 4 / scale]}
          listening={false}
        />
      )}
      {polygon.length > 0 && (
        <Line
          points={polygon.flatMap((p) => [p.x, p.y]).concat(pointer && tool === 'polygon' ? [pointer.x, pointer.y] : [])}
          stroke={classById.get(editor.classId ?? -1)?.color ?? '#fff'}
          strokeWidth={line}
          listening={false}
        />
      )}
      {polygon.map((p, i) => (
        <Circle key={i} x={p.x} y={p.y} radius={3 / scale} fill="#fff" listening={false} />
      ))}
      {pointer && (tool === 'brush' || tool === 'eraser') && (
        <Circle x={pointer.x} y={pointer.y} radius={editor.brush} stroke={tool === 'eraser' ? '#ff5555' : '#ffffff'} strokeWidth={1 / scale} listening={false} />
      )}
    </Group>
  );
});

/** Closes a polygon into the selected mask (or a new one). */
export function commitPolygon(editor: Editor, points: { x: number; y: number }[], width: number, height: number): void {
  if (points.length < 3) return;
  const sel = editor.selected;
  const target = sel && sel.rle !== null ? sel : null;
  const bitmap = target ? bitmapFromCounts(target.rle!, width, height) : emptyBitmap(width, height);
  fillPolygon(bitmap, points, 1);
  editor.commitMask(target?.id ?? null, bitmap);
}

/** Large boxes first, so a small box drawn inside a large one stays on top and can be picked. */
function byAreaDescending(list: EditableAnnotation[]): EditableAnnotation[] {
  return [...list].sort((a, b) => b.bbox.w * b.bbox.h - a.bbox.w * a.bbox.h);
}

/** Black or white, whichever reads better on the colour. */
function inkOn(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  const luma = 0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return luma > 140 ? '#000' : '#fff';
}
