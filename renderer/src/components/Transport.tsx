import { formatTime, type VideoInfo } from '../../../electron/common/api';
import type { ShownFrame } from '../frames/useShownFrame';
import { Icon } from './icons';

interface Props {
  video: VideoInfo;
  index: number;
  shown: ShownFrame | null;
  onSeek: (index: number) => void;
}

/** Step buttons, the scrub slider and the `frame N / count · time` readout of the frame on screen. */
export function Transport({ video, index, shown, onSeek }: Props) {
  const last = Math.max(0, video.frameCount - 1);
  return (
    <div className="transport" data-testid="transport">
      <div className="transport-buttons">
        <button className="icon-button" title="First frame (Home)" data-testid="step-first" onClick={() => onSeek(0)}><Icon name="first" /></button>
        <button className="icon-button" title="Back 10 (Shift+←)" data-testid="step-back-10" onClick={() => onSeek(index - 10)}><Icon name="back10" /></button>
        <button className="icon-button" title="Back 1 (←)" data-testid="step-back" onClick={() => onSeek(index - 1)}><Icon name="back" /></button>
        <button className="icon-button" title="Forward 1 (→)" data-testid="step-forward" onClick={() => onSeek(index + 1)}><Icon name="forward" /></button>
        <button className="icon-button" title="Forward 10 (Shift+→)" data-testid="step-forward-10" onClick={() => onSeek(index + 10)}><Icon name="forward10" /></button>
        <button className="icon-button" title="Last frame (End)" data-testid="step-last" onClick={() => onSeek(last)}><Icon name="last" /></button>
      </div>
      <input
        className="slider"
        type="range"
        min={0}
        max={last}
        step={1}
        value={index}
        data-testid="slider"
        aria-label="frame"
        onChange={(e) => onSeek(Number(e.target.value))}
      />
      <span className="frame-label" data-testid="frame-label">
        {shown ? (
          <>
            frame <b>{shown.index}</b> / {video.frameCount} · {formatTime(shown.info.timeS)}
          </>
        ) : (
          <>frame – / {video.frameCount}</>
        )}
      </span>
    </div>
  );
}
