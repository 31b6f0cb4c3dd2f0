/** A minimal WebSocket client speaking the browser-mode wire protocol, for tests. */
import WebSocket from 'ws';
import type { Result, WireMessage } from '../../electron/common/api';

export interface TestWsClient {
  call(name: string, input?: unknown): Promise<Result<unknown>>;
  /** Every event received so far, in order. */
  events: Array<{ event: string; payload: unknown }>;
  close(): Promise<void>;
}

export async function connectWs(baseUrl: string, headers: Record<string, string> = {}): Promise<TestWsClient> {
  const url = baseUrl.replace(/^http/, 'ws').replace(/\/$/, '') + '/ws';
  const origin = new URL(baseUrl).origin;
  const ws = new WebSocket(url, { headers: { origin, ...headers } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket refused: HTTP ${res.statusCode}`)));
  });
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const events: TestWsClient['events'] = [];
  let nextId = 1;
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as WireMessage;
    if (msg.type === 'result') {
      pending.get(msg.id)?.(msg.result);
      pending.delete(msg.id);
    } else events.push({ event: msg.event, payload: msg.payload });
  });
  return {
    events,
    call(name, input = {}) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ type: 'call', id, name, input }));
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}
