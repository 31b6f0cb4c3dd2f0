import type { PixelFormat, YuvColour } from './frame';

export interface Rational {
  num: number;
  den: number;
}

/** What every frame source knows about its frames. Frames are addressed by index, never by time. */
interface MediaInfoBase {
  path: string;
  /** Frame size as decoded and shown (after the container's rotation, if any). */
  width: number;
  height: number;
  frameCount: number;
  /** Average frames per second over the whole source (nominal for image folders). */
  frameRate: number;
  /** Seconds from the first frame to the end of the last. */
  duration: number;
  timeBase: Rational;
  /** Presentation timestamp of every frame, in timeBase units, strictly in presentation order. */
  pts: number[];
  /** Indices of the frames that are codec keyframes (every frame of an image folder). */
  keyframes: number[];
}

export interface VideoInfo extends MediaInfoBase {
  kind: 'video';
  /** ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm". */
  container: string;
  codec: string;
  pixFmt: string;
  streamIndex: number;
  /** Stored size before rotation. */
  codedWidth: number;
  codedHeight: number;
  /** Degrees of the container's display rotation; 90/270 swap width and height. */
  rotation: number;
  /** Frames the decoder holds back for reordering (B-frames), as ffprobe reports `has_b_frames`. */
  reorderDelay: number;
  /** Seconds: the first frame's presentation time (non-zero e.g. for MPEG-TS or offset recordings). */
  startTime: number;
  variableFrameRate: boolean;
  /** The container's own frame count (mp4 sample count, mkv NUMBER_OF_FRAMES tag, avi header), if any. */
  declaredFrameCount: number | null;
  /** The data ends before the container said: only the frames that really decode are listed. */
  truncated: boolean;
  /** 'packets': from the demuxer's packet list; 'decoding': from a full decode (see probe.ts). */
  indexedBy: 'packets' | 'decoding';
  /** Every pts is known and later than the one before, so a frame can be picked by its pts. */
  ptsOrdered: boolean;
  /**
   * ffmpeg can seek to a keyframe (`-ss`): pts are ordered and the container has a keyframe index
   * (mp4/mov, Matroska/WebM, AVI). Otherwise (MPEG-TS/PS, raw streams) a fetch behind the running
   * decoder decodes from the start of the file: exact, but slow on long files.
   */
  seekable: boolean;
  /** The layout frames are decoded into, and for yuv420p the colour to convert with. */
  decodeFormat: PixelFormat;
  colour?: YuvColour;
  fileSize: number;
  mtimeMs: number;
}

export interface ImageFolderInfo extends MediaInfoBase {
  kind: 'image-folder';
  /** Absolute paths, in frame order. */
  files: string[];
}

export type MediaInfo = VideoInfo | ImageFolderInfo;
