/**
 * The one function behind both frame routes: `GET /frames/:videoId/:index.jpg` in browser mode and
 * `dff-frame://<session>/frames/:videoId/:index.jpg` in Electron. Errors come back as JSON ErrorInfo.
 */
import { parseFramePath } from '../../common/api';
import type { ErrorCode, ErrorInfo } from '../../common/errors';
import { toErrorInfo } from '../errors';
import type { Session } from './session';

export interface FrameResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  OUT_OF_RANGE: 404,
  NO_PROJECT: 409,
  TOOL_MISSING: 503,
};

export function errorResponse(info: ErrorInfo): FrameResponse {
  return {
    status: STATUS[info.code] ?? 500,
    contentType: 'application/json; charset=utf-8',
    body: Buffer.from(JSON.stringify(info)),
  };
}

/** The JPEG of the exact frame a frame path names; null when `pathname` is not a frame path at all. */
export async function frameResponse(session: Session, pathname: string): Promise<FrameResponse | null> {
  const parsed = parseFramePath(pathname);
  if (!parsed) return null;
  if ('error' in parsed) return errorResponse({ code: 'INVALID_INPUT', message: parsed.error });
  try {
    const body = await session.frameJpeg(parsed.videoId, parsed.index);
    return { status: 200, contentType: 'image/jpeg', body };
  } catch (err) {
    return errorResponse(toErrorInfo(err));
  }
}
