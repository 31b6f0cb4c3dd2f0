import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The two open ends of a pipe that no longer has a name: nothing else can reach it. */
export interface PipeEnds {
  /** Non-blocking, for reading in this process. */
  readFd: number;
  /** Blocking, to hand to a child process as its stdout. */
  writeFd: number;
}

/** Node has no mkfifo(); the command exists on Linux and macOS. Once found missing, never tried again. */
let mkfifoMissing = process.platform === 'win32';
/** Temp dirs whose FIFO is being made, removed should the process exit meanwhile. */
const pending = new Set<string>();
let exitHook = false;

/**
 * A pipe whose read end this process owns as a plain fd (unlike a child's stdout pipe, which Node
 * wraps in a stream of its own): a FIFO made in a private temp dir, opened at both ends, then
 * unlinked with its dir, so nothing stays on disk whatever happens to the pipe afterwards.
 * Resolves to null where no FIFO can be made (Windows, no mkfifo, an unusable temp dir).
 */
export async function openUnnamedFifo(): Promise<PipeEnds | null> {
  if (mkfifoMissing) return null;
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => pending.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
  }
  let dir: string | null = null;
  try {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'dff-frames-'));
    pending.add(dir);
    const file = path.join(dir, 'frames');
    await mkfifo(file);
    // A non-blocking open for reading succeeds without a writer; the blocking open for writing
    // then finds a reader and returns at once.
    // These fds are closed by the net.Socket that reads them, not by fs: a worker_threads Worker that uses
    // this must be created with `trackUnmanagedFds: false`, or its exit closes the numbers a second time.
    const readFd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      return { readFd, writeFd: fs.openSync(file, fs.constants.O_WRONLY) };
    } catch (err) {
      fs.closeSync(readFd);
      throw err;
    }
  } catch {
    return null;
  } finally {
    if (dir) {
      fs.rmSync(dir, { recursive: true, force: true });
      pending.delete(dir);
    }
  }
}

function mkfifo(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('mkfifo', [file], (err) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT' && (err as NodeJS.ErrnoException).syscall === 'spawn mkfifo') {
        mkfifoMissing = true;
      }
      if (err) reject(err);
      else resolve();
    });
  });
}
