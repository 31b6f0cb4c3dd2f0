/**
 * The renderer's only way to reach the core: `call(name, input)` typed from the contract, `on(event, fn)`,
 * and `frameUrl(videoId, index)`. Two transports: the Electron preload bridge (window.dff) when present,
 * else a WebSocket to the browser-mode server that served this page.
 */
import type { ErrorCode, ErrorInfo } from '../../../electron/common/errors';
import {
  framePath,
  type CallInput,
  type CallName,
  type CallOutput,
  type EventName,
  type EventPayload,
  type Result,
  type WireCall,
  type WireMessage,
} from '../../../electron/common/api';

/** What the Electron preload exposes as `window.dff`. */
export interface DffBridge {
  call(name: string, input: unknown): Promise<Result<unknown>>;
  on(event: string, fn: (payload: unknown) => void): () => void;
  /** e.g. `dff-frame://s3`: the frame protocol's origin for this window's session. */
  frameBase: string;
}

declare global {
  interface Window {
    dff?: DffBridge;
  }
}

/** A call that came back with `{ok: false}`: the core's error code and message, unchanged. */
export class CallError extends Error implements ErrorInfo {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'CallError';
    this.code = info.code;
    this.details = info.details;
  }
}

/** Anything thrown → ErrorInfo, for showing in the banner. */
export function errorInfoOf(err: unknown): ErrorInfo {
  if (err instanceof CallError) return { code: err.code, message: err.message, details: err.details };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export interface DffClient {
  readonly transport: 'ipc' | 'ws';
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>>;
  on<E extends EventName>(event: E, fn: (payload: EventPayload<E>) => void): () => void;
  frameUrl(videoId: number, index: number): string;
}

type Listener = (payload: unknown) => void;

function unwrap<T>(result: Result<unknown>): T {
  if (result.ok) return result.value as T;
  throw new CallError(result.error);
}

function bridgeClient(bridge: DffBridge): DffClient {
  return {
    transport: 'ipc',
    call: async (name, input) => unwrap(await bridge.call(name, input)),
    on: (event, fn) => bridge.on(event, fn as Listener),
    frameUrl: (videoId, index) => bridge.frameBase + framePath(videoId, index),
  };
}

/** Calls queue until the socket is open; a lost connection fails the pending calls and reconnects. */
function webSocketClient(url: string): DffClient {
  const listeners = new Map<string, Set<Listener>>();
  const pending = new Map<number, { resolve: (r: Result<unknown>) => void }>();
  const queue: WireCall[] = [];
  let nextId = 1;
  let socket: WebSocket;
  let retryMs = 250;

  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((fn) => fn(payload));

  function connect(): void {
    socket = new WebSocket(url);
    socket.onopen = () => {
      retryMs = 250;
      for (const msg of queue.splice(0)) socket.send(JSON.stringify(msg));
    };
    socket.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as WireMessage;
      if (msg.type === 'result') {
        pending.get(msg.id)?.resolve(msg.result);
        pending.delete(msg.id);
      } else if (msg.type === 'event') {
        emit(msg.event, msg.payload);
      }
    };
    socket.onclose = () => {
      const error: ErrorInfo = { code: 'INTERNAL', message: `lost the connection to the DFF Studio server (${url})` };
      for (const p of pending.values()) p.resolve({ ok: false, error });
      pending.clear();
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  }
  connect();

  return {
    transport: 'ws',
    call(name, input) {
      const id = nextId++;
      const msg: WireCall = { type: 'call', id, name, input };
      return new Promise<Result<unknown>>((resolve) => {
        pending.set(id, { resolve });
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg));
        else queue.push(msg);
      }).then((r) => unwrap(r));
    },
    on(event, fn) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(fn as Listener);
      return () => set.delete(fn as Listener);
    },
    frameUrl: (videoId, index) => framePath(videoId, index),
  };
}

function createClient(): DffClient {
  if (window.dff) return bridgeClient(window.dff);
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return webSocketClient(`${proto}//${location.host}/ws`);
}

export const client: DffClient = createClient();
