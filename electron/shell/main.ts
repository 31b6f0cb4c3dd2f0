/**
 * The Electron main process: windows, the preload bridge, the two protocols and the menu. Everything else
 * is the plain-Node core; each window gets its own core Session (its open project).
 */
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, type IpcMainInvokeEvent, type OpenDialogOptions, type WebContents } from 'electron';
import type { DialogKind, MenuCommand } from '../common/api';
import { appHome, appRoot } from '../core/app-paths';
import { AppContext } from '../core/api/context';
import { toErrorInfo } from '../core/errors';
import { dispatch } from '../core/api/handlers';
import { Session } from '../core/api/session';
import { buildMenu } from './menu';
import { APP_ORIGIN, APP_URL, handleProtocols, registerSchemes } from './protocols';

registerSchemes();

const sessions = new Map<number, Session>();
const sessionOf = new Map<WebContents, number>();
let nextSessionId = 1;
let context: AppContext;

async function openDialog(win: BrowserWindow, kind: DialogKind): Promise<string | null> {
  if (kind === 'create-project') {
    const r = await dialog.showSaveDialog(win, {
      title: 'New DFF Studio project',
      filters: [{ name: 'DFF Studio project', extensions: ['dffproj'] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    if (r.canceled || !r.filePath) return null;
    return r.filePath.endsWith('.dffproj') ? r.filePath : `${r.filePath}.dffproj`;
  }
  const options: OpenDialogOptions =
    kind === 'open-project'
      ? { title: 'Open project', filters: [{ name: 'DFF Studio project', extensions: ['dffproj'] }], properties: ['openFile'] }
      : kind === 'video-file'
        ? {
            title: 'Add video',
            filters: [{ name: 'Video', extensions: ['mp4', 'mkv', 'webm', 'avi', 'mov', 'm4v'] }, { name: 'All files', extensions: ['*'] }],
            properties: ['openFile'],
          }
        : kind === 'pack-folder'
          ? { title: 'Choose a model pack folder (with manifest.json)', properties: ['openDirectory'] }
          : { title: 'Add a folder of numbered images', properties: ['openDirectory'] };
  const r = await dialog.showOpenDialog(win, options);
  return r.canceled ? null : (r.filePaths[0] ?? null);
}

function createWindow(): { win: BrowserWindow; session: Session } {
  const id = nextSessionId++;
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 560,
    backgroundColor: '#17181b',
    title: 'DFF Studio',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      additionalArguments: [`--dff-session=${id}`],
    },
  });
  const contents = win.webContents;
  const session = new Session(context, { kind: 'electron', openDialog: (kind) => openDialog(win, kind) }, (event, payload) => {
    if (!contents.isDestroyed()) contents.send('dff:event', event, payload);
  });
  sessions.set(id, session);
  sessionOf.set(contents, id);

  // Nothing but our own page: no navigation away, no new windows from the page.
  contents.on('will-navigate', (e, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) e.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));

  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    sessions.delete(id);
    sessionOf.delete(contents);
    void session.dispose();
  });
  void win.loadURL(APP_URL);
  return { win, session };
}

/** What the first window opens, as browser mode does: `--project P`, nothing with `--no-project`, else the demo. */
async function openAtStart(session: Session): Promise<void> {
  const argv = process.argv;
  if (argv.includes('--no-project')) return;
  const i = argv.indexOf('--project');
  if (i >= 0 && argv[i + 1]) await session.openProject(argv[i + 1]!);
  else await session.openDemo();
}

function sessionFor(e: IpcMainInvokeEvent): Session {
  // Only our own page may call the core (not a navigated-away or injected frame).
  if (!e.senderFrame?.url.startsWith(`${APP_ORIGIN}/`)) throw new Error(`refused a call from ${e.senderFrame?.url ?? 'an unknown frame'}`);
  const id = sessionOf.get(e.sender);
  const session = id === undefined ? undefined : sessions.get(id);
  if (!session) throw new Error('a call from a window that has no session');
  return session;
}

ipcMain.handle('dff:call', (e, name: unknown, input: unknown) => dispatch(sessionFor(e), String(name), input));
ipcMain.on('dff:session-id', (e) => {
  e.returnValue = sessionOf.get(e.sender) ?? 0;
});

app.whenReady().then(() => {
  context = new AppContext(appHome());
  handleProtocols(path.join(appRoot(), 'dist', 'renderer'), (id) => sessions.get(id));
  const send = (command: MenuCommand) => BrowserWindow.getFocusedWindow()?.webContents.send('dff:event', 'menu.command', { command });
  Menu.setApplicationMenu(buildMenu(send, () => createWindow().win));
  const { session } = createWindow();
  // A failure reaches the page as an error event, shown in its banner.
  openAtStart(session).catch((err: unknown) => session.emit('error', toErrorInfo(err)));
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('before-quit', () => {
  for (const s of sessions.values()) void s.dispose();
});
