/**
 * Two privileged schemes: `dff-app://app/…` serves the built renderer (so the page has a real origin and
 * a CSP header), `dff-frame://s<session>/frames/:videoId/:index.jpg` serves frames through the same core
 * function as the browser-mode HTTP route.
 */
import fs from 'node:fs';
import { protocol } from 'electron';
import { FRAME_PROTOCOL } from '../common/api';
import { contentSecurityPolicy } from '../core/api/csp';
import { errorResponse, frameResponse, type FrameResponse } from '../core/api/frames';
import type { Session } from '../core/api/session';
import { contentTypeOf, resolveStaticFile } from '../core/server/static-files';

export const APP_PROTOCOL = 'dff-app';
export const APP_ORIGIN = `${APP_PROTOCOL}://app`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** Must run before the app is ready. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_PROTOCOL, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    { scheme: FRAME_PROTOCOL, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

function toResponse(r: FrameResponse): Response {
  return new Response(new Uint8Array(r.body), {
    status: r.status,
    headers: { 'content-type': r.contentType, 'cache-control': 'no-store', 'access-control-allow-origin': APP_ORIGIN },
  });
}

export function handleProtocols(rendererDir: string, sessionById: (id: number) => Session | undefined): void {
  protocol.handle(APP_PROTOCOL, (request) => {
    const url = new URL(request.url);
    const file = url.host === 'app' ? resolveStaticFile(rendererDir, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404 });
    return new Response(fs.readFileSync(file), {
      headers: {
        'content-type': contentTypeOf(file),
        'content-security-policy': contentSecurityPolicy({ kind: 'electron' }),
        'x-content-type-options': 'nosniff',
      },
    });
  });

  protocol.handle(FRAME_PROTOCOL, async (request) => {
    // Electron adds the requesting origin (not typed on the global Request); only our own page may read frames.
    const initiator = (request as Request & { initiatorOrigin?: string }).initiatorOrigin;
    if (initiator !== undefined && initiator !== APP_ORIGIN) {
      return new Response('forbidden', { status: 403 });
    }
    const url = new URL(request.url);
    const session = /^s\d+$/.test(url.host) ? sessionById(Number(url.host.slice(1))) : undefined;
    if (!session) {
      return toResponse(errorResponse({ code: 'NOT_FOUND', message: `no window session '${url.host}' for ${request.url}` }));
    }
    const res =
      (await frameResponse(session, url.pathname)) ??
      errorResponse({ code: 'INVALID_INPUT', message: `not a frame URL: ${request.url} (expected /frames/<videoId>/<index>.jpg)` });
    return toResponse(res);
  });
}
