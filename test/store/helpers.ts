/** Shared set-up for the store tests: temp folders, raw SQLite access, a sample video's facts. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { NewVideo } from '../../electron/core/store';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dff-${prefix}-`));
}

/** A second, raw connection to a project file: how the tests look under the store's API. */
export function rawDb(file: string, readonly = true): Database.Database {
  return new Database(file, { readonly, fileMustExist: true });
}

export function sampleVideo(overrides: Partial<NewVideo> = {}, frames = 30): NewVideo {
  return {
    path: '/videos/clip.mp4',
    kind: 'file',
    contentHash: 'sha256:0123abcd',
    sizeBytes: 123_456,
    width: 32,
    height: 24,
    fpsNum: 30000,
    fpsDen: 1001,
    timeBaseNum: 1,
    timeBaseDen: 30000,
    codec: 'h264',
    pixFmt: 'yuv420p',
    durationS: frames * (1001 / 30000),
    isVfr: false,
    pts: Array.from({ length: frames }, (_, i) => i * 1001),
    keyframes: [0, 12, 24].filter((k) => k < frames),
    ...overrides,
  };
}

/** Runs fn, expects an AppError with this code, and returns it for further checks. */
export function expectAppError(fn: () => unknown, code: string): Error & { code: string; details?: Record<string, unknown> } {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected an AppError ${code}, but nothing was thrown`).toBeInstanceOf(Error);
  expect((caught as { code?: string }).code, (caught as Error).message).toBe(code);
  return caught as Error & { code: string; details?: Record<string, unknown> };
}
