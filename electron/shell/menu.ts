import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../common/api';

/** The application menu; project and video items are sent to the focused window's renderer as `menu.command`. */
export function buildMenu(send: (command: MenuCommand) => void, newWindow: () => void): Menu {
  const item = (label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    accelerator,
    click: () => send(command),
  });
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        item('New Project…', 'create-project', 'CmdOrCtrl+N'),
        item('Open Project…', 'open-project', 'CmdOrCtrl+O'),
        item('Open Demo Project', 'open-demo'),
        { type: 'separator' },
        item('Add Video File…', 'add-video-file', 'CmdOrCtrl+I'),
        item('Add Image Folder…', 'add-image-folder', 'CmdOrCtrl+Shift+I'),
        { type: 'separator' },
        item('Import COCO…', 'import-coco'),
        item('Export…', 'export', 'CmdOrCtrl+E'),
        { type: 'separator' },
        item('Settings…', 'settings', 'CmdOrCtrl+,'),
        { type: 'separator' },
        { label: 'New Window', accelerator: 'CmdOrCtrl+Shift+N', click: newWindow },
        item('Close Project', 'close-project'),
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}
