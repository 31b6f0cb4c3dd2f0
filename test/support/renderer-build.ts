/**
 * Builds the renderer into a fresh temporary folder for one test file or benchmark: the shared dist/renderer
 * may be rebuilt (emptied) by another test running at the same time.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appRoot } from '../../electron/core/app-paths';

export function buildRendererTo(prefix: string, options: { minify?: boolean } = {}): string {
  const root = appRoot();
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-renderer-`));
  execFileSync(path.join(root, 'node_modules', '.bin', 'vite'), ['build', '--config', 'renderer/vite.config.ts', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error', ...(options.minify === false ? ['--minify', 'false'] : [])], {
    cwd: root,
    stdio: 'pipe',
  });
  return outDir;
}
