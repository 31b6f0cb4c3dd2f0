import path from 'node:path';
import type { Settings } from '../../common/api';
import { readJsonFile, writeJsonFile } from './json-file';

const DEFAULTS: Settings = { ffmpegPath: null, ffprobePath: null, dffThreads: null };

/** Per-user settings in `<home>/settings.json`. Checking values (e.g. that a tool runs) is the caller's job. */
export class SettingsFile {
  private readonly file: string;
  constructor(home: string) {
    this.file = path.join(home, 'settings.json');
  }

  read(): Settings {
    const raw = readJsonFile<Partial<Settings>>(this.file, {});
    const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
    const threads = raw?.dffThreads;
    const dffThreads = typeof threads === 'number' && Number.isInteger(threads) && threads >= 1 ? threads : null;
    return { ...DEFAULTS, ffmpegPath: str(raw?.ffmpegPath), ffprobePath: str(raw?.ffprobePath), dffThreads };
  }

  write(next: Settings): Settings {
    writeJsonFile(this.file, next);
    return next;
  }
}
