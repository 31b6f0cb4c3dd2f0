/**
 * The labeller thread of a DFF run: turns the DFF worker's task outputs into labels at the video's size
 * (labels.ts: class masks as RLE, boxes, scores) while the DFF worker goes on with the next frames, and
 * passes every message on to the main thread in the order it came. It ends when the DFF worker's port
 * closes, so it never outlives the worker.
 */
import { parentPort } from 'node:worker_threads';
import { toErrorInfo } from '../errors';
import { readManifest } from '../models/load-pack';
import { labelFrame } from './labels';
import type { DffWorkerMessage, FrameLabels, LabellerInput, WorkerMessage } from './types';

export async function runLabeller(input: LabellerInput): Promise<void> {
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  const from = input.from;
  let manifest;
  try {
    manifest = await readManifest(input.packDir);
  } catch (err) {
    post({ type: 'failed', error: toErrorInfo(err) });
    from.close();
    return;
  }
  from.on('message', (m: DffWorkerMessage) => {
    if (m.type !== 'outputs') {
      post(m);
      if (m.type === 'stopped' || m.type === 'failed') from.close();
      return;
    }
    const t0 = performance.now();
    const frames: FrameLabels[] = m.frames.map(({ outputs, ...f }) => ({ ...f, ...labelFrame(outputs, manifest, input.video) }));
    m.timings.parts.labels += performance.now() - t0;
    post({ type: 'batch', frames, bad: m.bad, next: m.next, timings: m.timings });
  });
}
