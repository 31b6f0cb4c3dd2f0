import { useMemo, useState } from 'react';
import type { VideoInfo } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';
import { Icon } from '../components/icons';
import { fieldPixels, flowPixels } from './colour';
import { ColourBar, FlowArrows, GridTile, WheelLegend } from './tiles';
import { useFrameVisual, type FrameVisual } from './useFrameVisual';

interface Props {
  video: VideoInfo;
  /** The frame on screen and its image (arrows are drawn over it). */
  index: number;
  image: ImageBitmap | null;
  onError: (e: ErrorInfo) => void;
  onClose: () => void;
}

const TILE = 104;

/**
 * Inside DFF for the frame on screen: the flow back to its key frame (colour wheel and arrows) and one
 * feature channel as the key has it, warped to this frame, as this frame's own features give it, with the
 * scale field and the warp error. Key, warped and current share one colour range so they compare directly.
 */
export function VisualisePanel({ video, index, image, onError, onClose }: Props) {
  const [channel, setChannel] = useState(0);
  const { visual, request, busy } = useFrameVisual({ videoId: video.id, index, channel }, onError);
  const v = visual && request?.videoId === video.id ? visual : null;
  return (
    <section
      className="vis-panel"
      data-testid="visualise-panel"
      data-frame={v?.index ?? ''}
      data-key-index={v?.keyIndex ?? ''}
      data-channel={v?.channel ?? ''}
      data-busy={busy}
    >
      <header className="vis-header">
        <b>Inside DFF</b>
        {v ? (
          <span data-testid="vis-summary">
            frame {v.index} {v.isKey ? '(a key frame: the flow net checks itself on key → key)' : `· flow to key frame ${v.keyIndex}`} · max flow{' '}
            {v.maxFlowPx.toFixed(1)} px · grid {v.gridWidth}×{v.gridHeight}
          </span>
        ) : (
          <span>computing…</span>
        )}
        {busy && v && <span className="vis-busy">updating…</span>}
        <span className="top-spacer" />
        <label className="vis-channel">
          channel
          <input
            type="number"
            min={0}
            max={(v?.channels ?? 1) - 1}
            value={channel}
            data-testid="vis-channel"
            onChange={(e) => {
              const c = Math.round(Number(e.target.value));
              if (Number.isFinite(c) && c >= 0 && c < (v?.channels ?? Infinity)) setChannel(c);
            }}
          />
          <span className="vis-note">of 0–{(v?.channels ?? 1) - 1}</span>
        </label>
        <button className="icon-button small" title="Close the visualiser" data-testid="vis-close" onClick={onClose}>
          <Icon name="close" size={14} />
        </button>
      </header>
      {v && <VisualTiles v={v} video={video} image={image && v.index === index ? image : null} />}
    </section>
  );
}

function VisualTiles({ v, video, image }: { v: FrameVisual; video: VideoInfo; image: ImageBitmap | null }) {
  const { gridWidth: w, gridHeight: h } = v;
  const pictures = useMemo(() => {
    // key, warped and current features in one range, so equal values look equal
    const lo = Math.min(v.keyFeature.min, v.warpedFeature.min, v.currentFeature.min);
    const hi = Math.max(v.keyFeature.max, v.warpedFeature.max, v.currentFeature.max);
    return {
      lo,
      hi,
      flow: flowPixels(v.flowDx, v.flowDy, w, h, v.maxFlowPx),
      key: fieldPixels(v.keyFeature.values, lo, hi, 'viridis'),
      warped: fieldPixels(v.warpedFeature.values, lo, hi, 'viridis'),
      current: fieldPixels(v.currentFeature.values, lo, hi, 'viridis'),
      scale: fieldPixels(v.scale.values, v.scale.min, v.scale.max, 'viridis'),
      error: fieldPixels(v.warpError.values, 0, Math.max(v.warpError.max, 1e-6), 'inferno'),
    };
  }, [v, w, h]);
  const features = <ColourBar map="viridis" min={pictures.lo} max={pictures.hi} />;
  return (
    <div className="vis-tiles">
      <div className="vis-group">
        <GridTile title="flow" testId="vis-flow" pixels={pictures.flow} gridWidth={w} gridHeight={h} width={TILE} smooth legend={<span className="vis-note">to key {v.keyIndex}</span>} />
        <WheelLegend maxPx={v.maxFlowPx} />
        <FlowArrows
          image={image}
          dx={v.flowDx}
          dy={v.flowDy}
          gridWidth={w}
          gridHeight={h}
          videoWidth={video.width}
          videoHeight={video.height}
          maxFlowPx={v.maxFlowPx}
          width={TILE + 56}
        />
      </div>
      <div className="vis-group">
        <GridTile title={`key ${v.keyIndex} · ch ${v.channel}`} testId="vis-key-feature" pixels={pictures.key} gridWidth={w} gridHeight={h} width={TILE} legend={features} />
        <GridTile title="key warped here" testId="vis-warped-feature" pixels={pictures.warped} gridWidth={w} gridHeight={h} width={TILE} legend={features} />
        <GridTile title="own features" testId="vis-current-feature" pixels={pictures.current} gridWidth={w} gridHeight={h} width={TILE} legend={features} />
        <GridTile title="scale field" testId="vis-scale" pixels={pictures.scale} gridWidth={w} gridHeight={h} width={TILE} legend={<ColourBar map="viridis" min={v.scale.min} max={v.scale.max} />} />
        <GridTile
          title="|warped − own|"
          testId="vis-warp-error"
          pixels={pictures.error}
          gridWidth={w}
          gridHeight={h}
          width={TILE}
          legend={<ColourBar map="inferno" min={0} max={v.warpError.max} />}
        />
      </div>
    </div>
  );
}
