/**
 * Frames [from, to) of a project's video as pack input tensors, decoded by one ffmpeg stream scaled to the
 * pack's input size (as the engine's worker reads them), for the interactive DFF calls. The video stays
 * open between calls (held.ts): opening it (probing its index) costs more than a short span.
 */
import fs from 'node:fs';
import type * as ort from 'onnxruntime-node';
import { assertSameVideo } from '../api/media';
import { AppError } from '../errors';
import { frameToTensor } from '../models/preprocess';
import type { PackManifest } from '../models/manifest';
import type { ProjectStore } from '../store';
import { openFrameSource, type FrameSource, type ToolPaths } from '../video';
import { Held } from './held';

export interface SpanFrame {
  index: number;
  image: ort.Tensor;
}

const sources = new Held<FrameSource>(
  (key) => {
    const { file, tools } = JSON.parse(key) as { file: string; tools?: ToolPaths };
    return openFrameSource(file, { tools, cacheBytes: 0, readAhead: 0 });
  },
  (source) => source.close(),
);

/** Calls `onFrame` for each frame of [from, to) in order; it may return 'stop' to end the span early. */
export async function forEachFrame(
  store: ProjectStore,
  videoId: number,
  span: { from: number; to: number },
  input: PackManifest['input'],
  onFrame: (frame: SpanFrame) => Promise<void | 'stop'>,
  tools?: ToolPaths,
): Promise<void> {
  const video = store.getVideo(videoId);
  const file = store.locateVideo(videoId);
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  const key = JSON.stringify({ file, tools, size: stat?.size, mtime: stat?.mtimeMs });
  await sources.use(key, async (source) => {
    assertSameVideo(source.info, video);
    let next = span.from;
    for await (const frame of source.frames(span.from, span.to, { width: input.width, height: input.height, format: 'rgb24' })) {
      next = frame.index + 1;
      if ((await onFrame({ index: frame.index, image: frameToTensor(frame.data, input.width, input.height, input) })) === 'stop') return;
    }
    if (next < span.to) {
      throw new AppError('DECODE_FAILED', `Video ${videoId} (${video.path}) gave no frame ${next}: it ends or fails to decode there`, {
        videoId,
        frameIdx: next,
      });
    }
  });
}
