/**
 * An export is written into a hidden temp folder beside its destination and renamed into place only
 * when every file is complete, so a cancelled, failed or half-written export never looks finished.
 * An existing destination is never replaced silently.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors';

export interface OutputFolder {
  /** The folder the finished export will have. */
  readonly dest: string;
  /** Where files are written until commit. */
  readonly temp: string;
  /** Absolute path inside the temp folder for a path relative to the export's root; creates its folder. */
  file(rel: string): Promise<string>;
  /** Renames the temp folder to the destination (replacing it only when `overwrite` was asked for). */
  commit(): Promise<void>;
  /** Removes the temp folder and everything in it; safe to call after commit. */
  abort(): Promise<void>;
}

/** Turns a Node file-system error while writing `what` into a WRITE_FAILED that says why in words. */
export function writeError(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === 'ENOSPC'
      ? 'the disk is full'
      : e.code === 'EACCES' || e.code === 'EPERM'
        ? 'permission denied'
        : e.code === 'EROFS'
          ? 'the file system is read-only'
          : e.code === 'EDQUOT'
            ? 'the disk quota is used up'
            : e.code === 'ENOTDIR'
              ? 'a part of the path is a file, not a folder'
              : (e.message ?? String(err));
  return new AppError('WRITE_FAILED', `Cannot write ${what}: ${why}`, { path: what, errno: e.code });
}

/** Claims a temp folder for an export to `dest`; refuses when `dest` exists unless `overwrite`. */
export async function openOutputFolder(dest: string, options: { overwrite?: boolean } = {}): Promise<OutputFolder> {
  const abs = path.resolve(dest);
  if (fs.existsSync(abs) && !options.overwrite) {
    throw new AppError('ALREADY_EXISTS', `${abs} already exists; choose another name or ask to overwrite it`, { path: abs });
  }
  const parent = path.dirname(abs);
  try {
    await fsp.mkdir(parent, { recursive: true });
  } catch (err) {
    throw writeError(err, `the folder ${parent}`);
  }
  let temp: string;
  try {
    temp = await fsp.mkdtemp(path.join(parent, `.${path.basename(abs)}.partial-`));
  } catch (err) {
    throw writeError(err, `into ${parent}`);
  }
  const made = new Set<string>([temp]);
  let committed = false;
  return {
    dest: abs,
    temp,
    async file(rel) {
      const full = path.join(temp, rel);
      const dir = path.dirname(full);
      if (!made.has(dir)) {
        try {
          await fsp.mkdir(dir, { recursive: true });
        } catch (err) {
          throw writeError(err, dir);
        }
        made.add(dir);
      }
      return full;
    },
    async commit() {
      let old: string | null = null;
      try {
        if (fs.existsSync(abs)) {
          if (!options.overwrite) throw new AppError('ALREADY_EXISTS', `${abs} appeared while exporting; this export was not kept, so as not to overwrite it`, { path: abs });
          old = `${temp}.old`;
          await fsp.rename(abs, old);
        }
        await fsp.rename(temp, abs);
        committed = true;
      } catch (err) {
        if (old && !fs.existsSync(abs)) await fsp.rename(old, abs).catch(() => undefined);
        throw writeError(err, abs);
      }
      if (old) await fsp.rm(old, { recursive: true, force: true });
    },
    async abort() {
      if (!committed) await fsp.rm(temp, { recursive: true, force: true });
    },
  };
}

/** Writes a whole small file (a PNG, a JPEG, a manifest), naming it in any error. */
export async function writeWhole(file: string, data: Buffer | string): Promise<void> {
  try {
    await fsp.writeFile(file, data);
  } catch (err) {
    throw writeError(err, file);
  }
}
