/**
 * Every frame's state, key flag and score for the timeline and the frame readouts, fetched again when
 * `revision` moves (a run or an edit changed them). Typed arrays, a byte a frame: never an object per frame.
 */
import { useEffect, useRef, useState } from 'react';
import { FRAME_KEY_BIT, FRAME_NO_SCORE, FRAME_STATES, type FrameState } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';
import { client, errorInfoOf } from '../api/client';

export interface FrameStateArrays {
  /** Index in FRAME_STATES in bits 0..6, FRAME_KEY_BIT on DFF key frames. */
  codes: Uint8Array;
  /** Score × 254 (0..254), FRAME_NO_SCORE when the frame has none. */
  scores: Uint8Array;
}

export const stateOf = (code: number): FrameState => FRAME_STATES[code & 0x7f] ?? 'unlabelled';
export const isKey = (code: number) => (code & FRAME_KEY_BIT) !== 0;
export const scoreOf = (byte: number): number | null => (byte === FRAME_NO_SCORE ? null : byte / 254);

/** base64 → bytes without a callback per byte (Uint8Array.from with a map function is slow at 100k). */
export function decodeBase64(b64: string): Uint8Array {
  const text = atob(b64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** While a run writes, `revision` moves several times a second: fetch at most this often (the last change always). */
const REFETCH_MS = 1000;

export function useFrameStates(videoId: number | null, revision: number, onError: (e: ErrorInfo) => void): FrameStateArrays | null {
  const [states, setStates] = useState<{ videoId: number; value: FrameStateArrays } | null>(null);
  const last = useRef({ videoId: null as number | null, at: -Infinity });
  const current = useRef(videoId);
  current.current = videoId;
  useEffect(() => {
    if (videoId === null) return setStates(null);
    // a newer revision does not drop this answer (under a busy run every answer would be dropped); another video does
    const fetchNow = () => {
      last.current = { videoId, at: performance.now() };
      client.call('video.frameStates', { videoId }).then(
        ({ codes, scores }) => current.current === videoId && setStates({ videoId, value: { codes: decodeBase64(codes), scores: decodeBase64(scores) } }),
        (err) => current.current === videoId && onError(errorInfoOf(err)),
      );
    };
    // a new video at once; a new revision of the same video no sooner than REFETCH_MS after the last fetch
    const wait = last.current.videoId === videoId ? last.current.at + REFETCH_MS - performance.now() : 0;
    const timer = wait > 0 ? setTimeout(fetchNow, wait) : (fetchNow(), undefined);
    return () => clearTimeout(timer);
  }, [videoId, revision, onError]);
  return states && states.videoId === videoId ? states.value : null;
}
