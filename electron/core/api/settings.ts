import path from 'node:path';
import type { Settings } from '../../common/api';
import { readJsonFile, writeJsonFile } from './json-file';

const DEFAULTS: Settings = { ffmpegPath: null, ffprobePath: null };

/** Per-user settings in `<home>/settings.json`. Checking values (e.g. that a tool runs) is the caller's job. */
export class SettingsFile {
  private readonly file: string;
  constructor(home: string) {
    this.file = path.join(home, 'settings.json');
  }

  read(): Settings {
    const raw = readJsonFile<Partial<Settings>>(this.file, {});
    const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
    return { ...DEFAULTS, ffmpegPath: str(raw?.ffmpegPath), ffprobePath: str(raw?.ffprobePath) };
  }

  write(next: Settings): Settings {
    writeJsonFile(this.file, next);
    return next;
  }
}
