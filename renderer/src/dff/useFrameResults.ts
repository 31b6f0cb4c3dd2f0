import { useEffect, useState } from 'react';
import type { FrameAnnotations } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';
import { client, errorInfoOf } from '../api/client';

/** The labels of one frame, fetched again when `revision` moves (a run wrote more); null while unknown. */
export function useFrameLabels(videoId: number | null, index: number | null, revision: number, onError: (e: ErrorInfo) => void) {
  const [labels, setLabels] = useState<{ videoId: number; index: number; value: FrameAnnotations } | null>(null);
  useEffect(() => {
    if (videoId === null || index === null) return setLabels(null);
    let stale = false;
    client.call('frame.annotations', { videoId, index }).then(
      (value) => !stale && setLabels({ videoId, index, value }),
      (err) => !stale && onError(errorInfoOf(err)),
    );
    return () => {
      stale = true;
    };
  }, [videoId, index, revision, onError]);
  return labels && labels.videoId === videoId && labels.index === index ? labels.value : null;
}

/** Every frame's state code (see FrameStatesSchema), fetched again when `revision` moves. */
export function useFrameStates(videoId: number | null, revision: number, onError: (e: ErrorInfo) => void): Uint8Array | null {
  const [codes, setCodes] = useState<{ videoId: number; value: Uint8Array } | null>(null);
  useEffect(() => {
    if (videoId === null) return setCodes(null);
    let stale = false;
    client.call('video.frameStates', { videoId }).then(
      ({ codes: b64 }) => !stale && setCodes({ videoId, value: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)) }),
      (err) => !stale && onError(errorInfoOf(err)),
    );
    return () => {
      stale = true;
    };
  }, [videoId, revision, onError]);
  return codes && codes.videoId === videoId ? codes.value : null;
}
