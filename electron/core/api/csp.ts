import { FRAME_PROTOCOL } from '../../common/api';

/**
 * The Content-Security-Policy of the renderer page: only its own scripts and styles, no eval, no inline
 * script; images from itself, the frame route or protocol, data: and blob:. Both hosts send it as a header.
 */
export function contentSecurityPolicy(host: { kind: 'browser'; origin: string } | { kind: 'electron' }): string {
  const connect =
    host.kind === 'browser' ? `'self' ${host.origin.replace(/^http/, 'ws')}` : `'self' ${FRAME_PROTOCOL}:`;
  const img = host.kind === 'browser' ? `'self' data: blob:` : `'self' ${FRAME_PROTOCOL}: data: blob:`;
  return [
    `default-src 'self'`,
    `script-src 'self'`,
    `style-src 'self'`,
    `img-src ${img}`,
    `connect-src ${connect}`,
    `font-src 'self' data:`,
    `object-src 'none'`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}
