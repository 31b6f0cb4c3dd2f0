/**
 * Frame states written straight into a project's store, in a known pattern, for timeline tests and the UI
 * benchmark: a machine run over [0, count) with a key frame every `k` (predicted) and the rest propagated,
 * each frame's score from `scoreOf`, then the frames listed as verified or corrected set by hand.
 */
import type { ProjectStore } from '../../electron/core/store';

export interface StatePattern {
  count: number;
  k: number;
  scoreOf: (index: number) => number | null;
  verified?: Iterable<number>;
  corrected?: Iterable<number>;
}

export function writeStatePattern(store: ProjectStore, videoId: number, p: StatePattern): void {
  const run = store.createRun({ packName: 'pattern', packPath: '/dev/null', packHash: 'none', params: { k: p.k }, executionProvider: 'cpu' });
  const batch = 5000;
  for (let from = 0; from < p.count; from += batch) {
    const frames = [];
    for (let i = from; i < Math.min(p.count, from + batch); i++) {
      const key = i % p.k === 0;
      frames.push({ frameIdx: i, state: key ? ('predicted' as const) : ('propagated' as const), dffKey: key, score: p.scoreOf(i), annotations: [] });
    }
    store.writeMachineResults(run.id, videoId, frames);
  }
  store.updateRun(run.id, { status: 'done', framesDone: p.count });
  for (const i of p.corrected ?? []) store.setFrameState(videoId, i, 'corrected');
  for (const i of p.verified ?? []) store.setFrameVerified(videoId, i, true);
}
