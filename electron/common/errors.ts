/**
 * Error codes shared by the core and the renderer. Every failure that reaches a user carries one,
 * plus a message that names the file, frame or value that is wrong.
 */
export const ERROR_CODES = [
  'INVALID_INPUT', // a call's arguments failed validation
  'NOT_FOUND', // a file, folder, video, frame or row that does not exist
  'NOT_A_VIDEO', // a file ffprobe cannot read as video
  'TRUNCATED_VIDEO', // a video whose data ends before its index says
  'EMPTY_FOLDER', // an image folder without numbered images
  'UNREADABLE', // permission denied or an I/O error while reading
  'NOT_A_PROJECT', // a file that is not SQLite or not a DFF Studio project
  'NEWER_SCHEMA', // a project written by a newer DFF Studio
  'OUT_OF_RANGE', // a frame index outside [0, frameCount)
  'PROJECT_LOCKED', // the project is open in another window or process
  'NO_PROJECT', // a call that needs an open project, made with none open
  'DECODE_FAILED', // ffmpeg failed on a frame it should have decoded
  'TOOL_MISSING', // ffmpeg/ffprobe not found where the settings say
  'ALREADY_EXISTS', // an output (export folder) that is already there and would be overwritten
  'WRITE_FAILED', // a folder that is not writable, a full disk, an I/O error while writing
  'CANCELLED', // a long task the user stopped
  'INTERNAL', // a bug: anything not foreseen
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The serialisable form an error takes when it crosses the API boundary. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}
