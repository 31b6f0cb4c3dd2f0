/** The onnxruntime session options every run of a pack's networks uses (DFF engine, action model). */
import type * as ort from 'onnxruntime-node';

/**
 * One provider, full graph optimisation, `threads` intra-op threads (onnxruntime's default when null: one
 * per physical core). The intra-op pool does not spin between calls: spinning threads held the cores that
 * ffmpeg and the labelling thread need between the short calls of a DFF run (2 cores, 2 threads, alternating
 * runs on one 1 200-frame clip: DFF k=10 105 → 245 fps, the per-frame baseline 51 → 98; root README).
 */
export function runSessionOptions(provider: string, threads?: number | null): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    interOpNumThreads: 1,
    ...(threads ? { intraOpNumThreads: threads } : {}),
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}
