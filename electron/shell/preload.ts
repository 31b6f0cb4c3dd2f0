/**
 * The only bridge between the page and the main process: `window.dff.call(name, input)` → result envelope,
 * `window.dff.on(event, fn)`, and `frameBase` (this window's frame-protocol origin). Runs sandboxed.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

function sessionId(): string {
  const arg = process.argv.find((a) => a.startsWith('--dff-session='));
  return arg ? arg.slice('--dff-session='.length) : String(ipcRenderer.sendSync('dff:session-id'));
}

const frameBase = `dff-frame://s${sessionId()}`;

contextBridge.exposeInMainWorld('dff', {
  call: (name: string, input: unknown) => ipcRenderer.invoke('dff:call', name, input),
  on: (event: string, fn: (payload: unknown) => void) => {
    const listener = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) fn(payload);
    };
    ipcRenderer.on('dff:event', listener);
    return () => {
      ipcRenderer.removeListener('dff:event', listener);
    };
  },
  frameBase,
});
