import { useEffect, useRef, useState } from 'react';
import type { FrameInfo, VideoInfo } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';
import { client, errorInfoOf } from '../api/client';
import { FrameLoader, isAbort, type FrameKey } from './frame-loader';
import { LabelsCache } from './labels-cache';

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
export const labelsCache = new LabelsCache((k) => client.call('annotation.list', { videoId: k.videoId, index: k.index }));

/**
 * Frame infos already fetched, so stepping onto a cached frame needs no call at all. Only their fixed part
 * (pts, time, codec keyframe) is relied on: the App takes state, key flag and score from video.frameStates.
 */
const infoCache = new Map<string, FrameInfo>();
const INFO_CAPACITY = 512;
const infoKey = (video: VideoInfo, index: number) => `${video.path}:${video.id}:${index}`;
function frameInfo(video: VideoInfo, index: number): Promise<FrameInfo> {
  const hit = infoCache.get(infoKey(video, index));
  if (hit) return Promise.resolve(hit);
  return client.call('frame.info', { videoId: video.id, index }).then((info) => {
    infoCache.set(infoKey(video, index), info);
    if (infoCache.size > INFO_CAPACITY) infoCache.delete(infoCache.keys().next().value as string);
    return info;
  });
}

/**
 * The frame on screen for (video, requested index). It changes only once its image, its info and its labels
 * (into labelsCache) have arrived, so the pixels, the readout and the overlay always belong to the same frame
 * and show in one render; a newer request wins. A frame whose three parts are all cached is shown in the
 * render that asked for it. Labels that fail to load do not hold the frame back (the editor asks again and
 * reports why).
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

  const wanted = video && video.frameCount > 0 ? { videoId: video.id, index } : null;
  const isWanted = (f: ShownFrame | null) => !!f && !!video && f.videoId === video.id && f.videoPath === video.path && f.index === index;
  let current = shown;
  if (wanted && !isWanted(shown)) {
    const image = frameLoader.peek(wanted);
    const info = infoCache.get(infoKey(video!, index));
    if (image && info && labelsCache.peek(wanted)) {
      current = { videoId: video!.id, videoPath: video!.path, index, image, info };
      setShown(current); // adjusts state while rendering: this render already shows it
      if (loading) setLoading(false);
    }
  }
  const shownNow = useRef(current);
  shownNow.current = current;

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
    const here = { videoId: video.id, index };
    frameLoader.cancelExcept([here, ...ahead]);

    const prefetch = () => {
      void frameLoader.prefetch(ahead);
      for (const k of ahead) {
        void frameInfo(video, k.index).catch(() => undefined);
        void labelsCache.load(k).catch(() => undefined);
      }
    };
    const f = shownNow.current;
    if (f && f.videoId === video.id && f.videoPath === video.path && f.index === index) {
      // shown while rendering, from the caches
      prefetch();
      return;
    }
    let stale = false;
    setLoading(true);
    Promise.all([frameLoader.load(here), frameInfo(video, index), labelsCache.load(here).catch(() => null)])
      .then(([image, info]) => {
        if (stale) return;
        setShown({ videoId: video.id, videoPath: video.path, index, image, info });
        setLoading(false);
        prefetch();
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

  return { shown: current && video && current.videoId === video.id && current.videoPath === video.path ? current : null, loading };
}
