import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from '../../electron/core/app-paths';

/**
 * `../shared/data/<rel>` beside the repository (real videos, masks and flow that nobody on the project made),
 * or null when it is absent — then the tests that need it skip, and this says so on the console.
 */
export function sharedData(rel: string): string | null {
  const file = path.resolve(appRoot(), '..', 'shared', 'data', rel);
  if (fs.existsSync(file)) return file;
  console.warn(`skipping the tests that need ${file}: it is absent`);
  return null;
}
