import { useMemo } from 'react';
import { Group, Image as KonvaImage, Label, Rect, Tag, Text } from 'react-konva';
import type { FrameAnnotations } from '../../../electron/common/api';
import { maskCanvas } from './mask-image';

/**
 * A frame's machine and human labels in frame pixels: masks as one semi-transparent image in class
 * colours, boxes as class-coloured outlines with "class score". `scale` keeps lines and text one size on screen.
 */
export function LabelsOverlay(props: { labels: FrameAnnotations; width: number; height: number; scale: number; boxes: boolean; masks: boolean }) {
  const { labels, width, height, scale } = props;
  const masks = useMemo(() => maskCanvas(labels.masks, width, height), [labels.masks, width, height]);
  return (
    <Group listening={false}>
      {props.masks && masks && <KonvaImage image={masks} />}
      {props.boxes &&
        labels.boxes.map((b) => (
          <Group key={b.annotationId}>
            <Rect x={b.x} y={b.y} width={b.w} height={b.h} stroke={b.color} strokeWidth={2 / scale} />
            <Label x={b.x} y={b.y} offsetY={16 / scale}>
              <Tag fill={b.color} opacity={0.85} />
              <Text text={b.score === null ? b.className : `${b.className} ${b.score.toFixed(2)}`} fontSize={11 / scale} padding={2 / scale} fill="#000" />
            </Label>
          </Group>
        ))}
    </Group>
  );
}
