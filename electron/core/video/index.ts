/** Video import and frame access: the public surface of electron/core/video. */
export { resolveFfmpegTools, type FfmpegTools, type ToolInfo, type ToolPaths, type ToolSource } from './ffmpeg-tools';
export { probeVideo, type ProbeOptions } from './probe';
export { scanImageFolder } from './image-folder';
export { openFrameSource } from './open-frame-source';
export { VideoFileSource } from './video-file-source';
export { ImageFolderSource } from './image-folder-source';
export {
  evenlySpaced,
  frameTime,
  type FrameSource,
  type FrameSourceOptions,
  type FrameStreamOptions,
  type Thumbnail,
  type ThumbnailOptions,
} from './frame-source';
export { frameByteLength, toRgb, type Frame, type PixelFormat, type YuvColour } from './frame';
export { FrameCache } from './frame-cache';
export { encodeFrameJpeg, encodeFramePng } from './encode';
export type { ImageFolderInfo, MediaInfo, Rational, VideoInfo } from './media-info';
