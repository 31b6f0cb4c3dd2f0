import { useEffect, useRef, useState } from 'react';
import type { FrameInfo, VideoInfo } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';
import { client, errorInfoOf } from '../api/client';
import { FrameLoader, isAbort, type FrameKey } from './frame-loader';

/** How many frames ahead (in the direction of travel) to fetch after the one on screen. */
const PREFETCH = 4;

export interface ShownFrame {
  videoId: number;
  /** With the id, tells frames of different projects apart (ids restart in each project). */
  videoPath: string;
  index: number;
  image: ImageBitmap;
  info: FrameInfo;
}

export const frameLoader = new FrameLoader((videoId, index) => client.frameUrl(videoId, index));

/**
 * The frame on screen for (video, requested index). It changes only once both the image and its info
 * have arrived, so the label and the pixels always belong to the same frame; a newer request wins.
 */
export function useShownFrame(
  video: VideoInfo | null,
  index: number,
  onError: (e: ErrorInfo) => void,
): { shown: ShownFrame | null; loading: boolean } {
  const [shown, setShown] = useState<ShownFrame | null>(null);
  const [loading, setLoading] = useState(false);
  const lastIndex = useRef(index);
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;

  useEffect(() => {
    if (!video || video.frameCount === 0) {
      setShown(null);
      return;
    }
    const direction = index < lastIndex.current ? -1 : 1;
    lastIndex.current = index;
    const ahead: FrameKey[] = [];
    for (let i = 1; i <= PREFETCH; i++) {
      const j = index + direction * i;
      if (j >= 0 && j < video.frameCount) ahead.push({ videoId: video.id, index: j });
    }
    const current = { videoId: video.id, index };
    frameLoader.cancelExcept([current, ...ahead]);

    let stale = false;
    setLoading(true);
    Promise.all([frameLoader.load(current), client.call('frame.info', current)])
      .then(([image, info]) => {
        if (stale) return;
        setShown({ videoId: video.id, videoPath: video.path, index, image, info });
        setLoading(false);
        void frameLoader.prefetch(ahead);
      })
      .catch((err: unknown) => {
        if (stale || isAbort(err)) return;
        setLoading(false);
        onErrorRef.current(errorInfoOf(err));
      });
    return () => {
      stale = true;
    };
  }, [video, index]);

  return { shown: shown && video && shown.videoId === video.id && shown.videoPath === video.path ? shown : null, loading };
}
