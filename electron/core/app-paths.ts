import os from 'node:os';
import path from 'node:path';

/**
 * Where DFF Studio keeps per-user state (settings, the demo project, caches).
 * DFF_HOME overrides it, which tests use to get a fresh, isolated home.
 */
export function appHome(): string {
  if (process.env.DFF_HOME) return path.resolve(process.env.DFF_HOME);
  const base = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'dff-studio');
}

/** The repository/app root, where resources/ and models/ live. */
export function appRoot(): string {
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
}
