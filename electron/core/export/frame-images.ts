/** Frame images for an export, decoded through the video layer (one frame source per video, opened when first needed). */
import { AppError } from '../errors';
import type { ProjectStore } from '../store';
import { encodeFrameJpeg, encodeFramePng, openFrameSource, type FrameSource, type ToolPaths } from '../video';

export type ImageFormat = 'jpeg' | 'png';

export interface FrameImages {
  /** The frame encoded as JPEG or PNG, checked against the video's size in the project. */
  encode(videoId: number, frameIdx: number, format: ImageFormat, jpegQuality?: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** `tools`: the ffmpeg/ffprobe paths the user's settings select (automatic when absent). */
export function projectFrameImages(store: ProjectStore, tools?: ToolPaths): FrameImages {
  const sources = new Map<number, Promise<FrameSource>>();
  const sourceOf = (videoId: number) => {
    let s = sources.get(videoId);
    if (!s) {
      s = openFrameSource(store.locateVideo(videoId), { readAhead: 2, tools });
      sources.set(videoId, s);
    }
    return s;
  };
  return {
    async encode(videoId, frameIdx, format, jpegQuality = 95) {
      const video = store.getVideo(videoId);
      const frame = await (await sourceOf(videoId)).getFrame(frameIdx);
      if (frame.width !== video.width || frame.height !== video.height) {
        throw new AppError(
          'DECODE_FAILED',
          `Frame ${frameIdx} of ${video.path} decodes at ${frame.width}×${frame.height}, but the project has the video as ${video.width}×${video.height}`,
        );
      }
      return format === 'png' ? encodeFramePng(frame) : encodeFrameJpeg(frame, jpegQuality);
    },
    async close() {
      const all = [...sources.values()];
      sources.clear();
      await Promise.all(all.map(async (s) => (await s.catch(() => null))?.close()));
    },
  };
}
