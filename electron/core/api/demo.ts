/**
 * The demo project: `<home>/demo/demo.dffproj` with a copy of `resources/demo/demo.mp4` (a clip of the
 * generated world, seed 2018) beside it and the clip's class table, made on first use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from '../app-paths';
import { AppError } from '../errors';
import type { NewLabelClass } from '../store';

export const DEMO_PROJECT_FILE = 'demo.dffproj';

export function demoDir(home: string): string {
  return path.join(home, 'demo');
}

export function demoProjectPath(home: string): string {
  return path.join(demoDir(home), DEMO_PROJECT_FILE);
}

function bundledDemo(): { video: string; meta: string } {
  const dir = path.join(appRoot(), 'resources', 'demo');
  const video = path.join(dir, 'demo.mp4');
  const meta = path.join(dir, 'meta.json');
  for (const file of [video, meta]) {
    if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `The bundled demo file ${file} is missing from this build`, { path: file });
  }
  return { video, meta };
}

/** Copies the bundled demo clip into the demo folder; returns its path and the clip's classes. */
export function prepareDemo(home: string): { video: string; classes: NewLabelClass[] } {
  const bundled = bundledDemo();
  const dir = demoDir(home);
  fs.mkdirSync(dir, { recursive: true });
  const video = path.join(dir, 'demo.mp4');
  fs.copyFileSync(bundled.video, video);
  const meta = JSON.parse(fs.readFileSync(bundled.meta, 'utf8')) as {
    classes: Array<{ id: number; name: string; color: [number, number, number]; hasInstances: boolean }>;
  };
  const hex = (c: number) => c.toString(16).padStart(2, '0');
  const classes = meta.classes.map((c) => ({
    name: c.name,
    color: `#${c.color.map(hex).join('')}`,
    hasInstances: c.hasInstances,
    sortOrder: c.id,
  }));
  return { video, classes };
}
