import fs from 'node:fs';
import path from 'node:path';
import type { RecentProject } from '../../common/api';
import { readJsonFile, writeJsonFile } from './json-file';

const MAX_RECENT = 12;

/** The most recently opened projects, newest first, kept in `<home>/recent.json`. */
export class RecentProjects {
  private readonly file: string;
  constructor(home: string) {
    this.file = path.join(home, 'recent.json');
  }

  list(): RecentProject[] {
    const entries = readJsonFile<Array<{ path: string; openedAt: number }>>(this.file, []);
    return (Array.isArray(entries) ? entries : [])
      .filter((e) => typeof e?.path === 'string' && typeof e.openedAt === 'number')
      .map((e) => ({ path: e.path, name: projectName(e.path), openedAt: e.openedAt, exists: fs.existsSync(e.path) }));
  }

  touch(projectPath: string): void {
    const rest = this.list().filter((e) => e.path !== projectPath);
    const next = [{ path: projectPath, openedAt: Date.now() }, ...rest.map(({ path: p, openedAt }) => ({ path: p, openedAt }))];
    writeJsonFile(this.file, next.slice(0, MAX_RECENT));
  }
}

/** A project's display name: its file name without the extension. */
export function projectName(projectPath: string): string {
  return path.basename(projectPath).replace(/\.dffproj$/i, '');
}
