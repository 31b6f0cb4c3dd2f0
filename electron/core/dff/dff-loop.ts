/**
 * The Deep Feature Flow loop (Zhu et al. 2017): on a key frame, N_feat then N_task, keeping the key image
 * and features; on any other frame, flow from the current frame back to the key (never chained), the
 * warp of the key features by it (times the scale field, an ONNX graph on the same execution provider),
 * then N_task. A key frame that cannot be read hands the key to the next frame that can.
 */
import type { DffRunner, KeyFrame, TaskOutputs } from '../models/dff-runner';
import { frameToTensor } from '../models/preprocess';
import type { ReadResult } from './frame-reader';
import type { KeySchedule } from './schedule';

export type LoopEvent = { frameIdx: number; key: boolean; outputs: TaskOutputs; ms: number } | { frameIdx: number; error: string };

/**
 * `frames` must start at `schedule.keyAtOrBefore(start)`: frames before `start` only rebuild the key
 * (a resumed run) and yield nothing.
 */
export async function* dffLoop(
  runner: DffRunner,
  frames: AsyncIterable<ReadResult>,
  schedule: KeySchedule,
  start: number,
): AsyncGenerator<LoopEvent, void, undefined> {
  const { input } = runner.pack.manifest;
  let key: KeyFrame | null = null;
  let keyMissed = false;
  for await (const r of frames) {
    const i = r.frameIdx;
    const warmUp = i < start;
    if ('error' in r) {
      if (schedule.isKey(i)) keyMissed = true;
      if (!warmUp) yield r;
      continue;
    }
    const isKey = !key || keyMissed || schedule.isKey(i);
    if (warmUp && !isKey) continue;
    const t0 = performance.now();
    const image = frameToTensor(r.rgb, input.width, input.height, input);
    keyMissed = false;
    if (warmUp) {
      key = { image, features: await runner.features(image) };
    } else if (isKey) {
      const k = await runner.keyFrame(image);
      key = k;
      yield { frameIdx: i, key: true, outputs: k.outputs, ms: performance.now() - t0 };
    } else {
      const p = await runner.nonKeyFrame(key!, image);
      yield { frameIdx: i, key: false, outputs: p.outputs, ms: performance.now() - t0 };
    }
  }
}
