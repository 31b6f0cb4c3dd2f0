/**
 * The visualiser data of the frame on screen, decoded into Float32 grids. Recomputing takes the core tens of
 * milliseconds, so one request runs at a time: while it runs only the latest wanted frame is remembered.
 */
import { useEffect, useRef, useState } from 'react';
import type { CallOutput } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';
import { client, errorInfoOf } from '../api/client';
import { float32FromBase64 } from './colour';

type Raw = CallOutput<'dff.visualise'>;
export interface Field {
  min: number;
  max: number;
  values: Float32Array;
}
export interface FrameVisual extends Omit<Raw, 'flowDx' | 'flowDy' | 'keyFeature' | 'warpedFeature' | 'currentFeature' | 'scale' | 'warpError'> {
  flowDx: Float32Array;
  flowDy: Float32Array;
  keyFeature: Field;
  warpedFeature: Field;
  currentFeature: Field;
  scale: Field;
  warpError: Field;
}

export interface VisualRequest {
  videoId: number;
  index: number;
  channel: number;
}

const same = (a: VisualRequest | null, b: VisualRequest | null) => !!a && !!b && a.videoId === b.videoId && a.index === b.index && a.channel === b.channel;

function decode(raw: Raw): FrameVisual {
  const n = raw.gridWidth * raw.gridHeight;
  const field = (f: Raw['scale'], what: string): Field => ({ min: f.min, max: f.max, values: float32FromBase64(f.data, n, what) });
  return {
    ...raw,
    flowDx: float32FromBase64(raw.flowDx, n, 'flowDx'),
    flowDy: float32FromBase64(raw.flowDy, n, 'flowDy'),
    keyFeature: field(raw.keyFeature, 'keyFeature'),
    warpedFeature: field(raw.warpedFeature, 'warpedFeature'),
    currentFeature: field(raw.currentFeature, 'currentFeature'),
    scale: field(raw.scale, 'scale'),
    warpError: field(raw.warpError, 'warpError'),
  };
}

/** `want` null: nothing wanted (panel closed). Returns the latest result and whether a newer one is coming. */
export function useFrameVisual(want: VisualRequest | null, onError: (e: ErrorInfo) => void) {
  const [result, setResult] = useState<{ request: VisualRequest; visual: FrameVisual } | null>(null);
  const [busy, setBusy] = useState(false);
  const state = useRef({ running: false, wanted: null as VisualRequest | null, alive: true });
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;

  useEffect(() => {
    const s = state.current;
    s.wanted = want;
    const next = () => {
      const request = s.wanted;
      if (s.running || !request || !s.alive) return;
      s.running = true;
      setBusy(true);
      client
        .call('dff.visualise', request)
        .then((raw) => s.alive && setResult({ request, visual: decode(raw) }))
        .catch((err: unknown) => {
          if (s.alive && same(s.wanted, request)) onErrorRef.current(errorInfoOf(err));
          if (same(s.wanted, request)) s.wanted = null; // do not retry the same failure
        })
        .finally(() => {
          s.running = false;
          if (!s.alive) return;
          if (s.wanted && !same(s.wanted, request)) next();
          else setBusy(false);
        });
    };
    if (want && !same(want, result?.request ?? null)) next();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [want?.videoId, want?.index, want?.channel]);

  useEffect(() => {
    const s = state.current;
    s.alive = true;
    return () => {
      s.alive = false;
    };
  }, []);

  return { visual: result?.visual ?? null, request: result?.request ?? null, busy };
}
