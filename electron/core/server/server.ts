/**
 * Browser mode: the same core behind a plain HTTP server on 127.0.0.1. It serves the built renderer,
 * frames as JPEG at `/frames/:videoId/:index.jpg`, and calls/events over a WebSocket at `/ws` with the
 * same envelope as the Electron IPC. One server is one session (like one window): every tab connected to
 * it shares the open project and receives its events.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WireCall, WireMessage } from '../../common/api';
import { appHome, appRoot } from '../app-paths';
import { AppContext } from '../api/context';
import { contentSecurityPolicy } from '../api/csp';
import { errorResponse, frameResponse } from '../api/frames';
import { dispatch } from '../api/handlers';
import { Session } from '../api/session';
import { contentTypeOf, resolveStaticFile } from './static-files';

export interface StartServerOptions {
  /** 0 picks a free port. Default 5173. */
  port?: number;
  /** A project to open at start; undefined opens the demo project, null opens nothing. */
  project?: string | null;
  /** The app home (settings, recent projects, the demo); default `appHome()` (DFF_HOME). */
  home?: string;
  /** The built renderer; default `<appRoot>/dist/renderer`. */
  rendererDir?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  session: Session;
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const rendererDir = path.resolve(options.rendererDir ?? path.join(appRoot(), 'dist', 'renderer'));
  const context = new AppContext(options.home ?? appHome());
  const sockets = new Set<WebSocket>();
  const session = new Session(context, { kind: 'browser' }, (event, payload) => {
    const msg = JSON.stringify({ type: 'event', event, payload } satisfies WireMessage);
    for (const ws of sockets) ws.send(msg);
  });

  let origin = '';
  let allowedHosts = new Set<string>();

  const server = http.createServer((req, res) => {
    void handleHttp(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });

  async function handleHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // Refuse other Host names: a web page elsewhere must not reach the local API by DNS rebinding.
    if (!allowedHosts.has(req.headers.host ?? '')) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden host');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const pathname = new URL(req.url ?? '/', origin).pathname;
    const frame = await frameResponse(session, pathname);
    if (frame) {
      res.writeHead(frame.status, { 'content-type': frame.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : frame.body);
      return;
    }
    if (pathname.startsWith('/frames/')) {
      const bad = errorResponse({ code: 'INVALID_INPUT', message: `not a frame URL: ${pathname} (expected /frames/<videoId>/<index>.jpg)` });
      res.writeHead(bad.status, { 'content-type': bad.contentType }).end(bad.body);
      return;
    }
    const file = resolveStaticFile(rendererDir, pathname);
    if (!file) {
      const missing = !fs.existsSync(path.join(rendererDir, 'index.html'));
      res.writeHead(missing ? 503 : 404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(missing ? `The renderer is not built (${rendererDir} has no index.html): run npm run build:renderer` : 'not found');
      return;
    }
    res.writeHead(200, {
      'content-type': contentTypeOf(file),
      'content-security-policy': contentSecurityPolicy({ kind: 'browser', origin }),
      'x-content-type-options': 'nosniff',
      'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
    });
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    // Only pages this server served may connect (browsers always send Origin on WebSocket requests).
    const fromUs = req.headers.origin === undefined || req.headers.origin === origin || req.headers.origin === origin.replace('127.0.0.1', 'localhost');
    if (pathname !== '/ws' || !fromUs || !allowedHosts.has(req.headers.host ?? '')) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function onConnection(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => ws.terminate()); // a broken client connection must not take the server down
    ws.on('message', (data) => {
      let msg: WireCall;
      try {
        msg = JSON.parse(String(data)) as WireCall;
      } catch {
        return; // not our protocol: nothing to answer to
      }
      if (msg?.type !== 'call' || typeof msg.id !== 'number') return;
      void dispatch(session, msg.name, msg.input).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id: msg.id, result } satisfies WireMessage));
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5173, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  try {
    if (options.project === undefined) await session.openDemo();
    else if (options.project !== null) await session.openProject(options.project);
  } catch (err) {
    await closeAll();
    throw err;
  }

  async function closeAll(): Promise<void> {
    for (const ws of sockets) ws.terminate();
    wss.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await session.dispose();
  }

  return { url: `${origin}/`, port, session, close: closeAll };
}
