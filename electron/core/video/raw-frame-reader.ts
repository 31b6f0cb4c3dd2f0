import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { AppError } from '../errors';
import { lastLine } from './run-tool';

/** How many whole frames may wait in memory before the pipe is paused (ffmpeg then blocks). */
const QUEUED_FRAMES = 2;
const STDERR_TAIL = 8 * 1024;

/**
 * One ffmpeg process writing fixed-size raw frames to stdout, read one frame at a time with
 * back-pressure: while frames are not asked for, the pipe fills and ffmpeg waits, so a paused
 * reader costs no CPU and resumes without a restart.
 */
export class RawFrameReader {
  private readonly child: ChildProcessByStdio<null, Readable, Readable>;
  private readonly queue: Buffer[] = [];
  private current: Buffer;
  private filled = 0;
  private done = false;
  private failure: AppError | null = null;
  private waiter: { resolve: (b: Buffer | null) => void; reject: (e: Error) => void } | null = null;
  private stderrTail = '';
  private killed = false;
  private readonly exited: Promise<void>;
  /** Frames handed out by next() so far. */
  delivered = 0;

  /**
   * @param describe names the file and the first frame for error messages, e.g. "a.mp4 from frame 120".
   */
  constructor(
    ffmpegPath: string,
    args: string[],
    private readonly frameBytes: number,
    private readonly describe: string,
  ) {
    this.current = Buffer.allocUnsafeSlow(frameBytes);
    this.child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
    });
    this.child.on('error', (err) => this.fail(new AppError('DECODE_FAILED', `ffmpeg did not start for ${describe}: ${err.message}`)));
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.onClose(code, signal);
        resolve();
      });
    });
  }

  /** The next frame's bytes, or null once ffmpeg has written its last frame. */
  next(): Promise<Buffer | null> {
    const frame = this.queue.shift();
    if (frame) {
      if (this.queue.length < QUEUED_FRAMES) this.child.stdout.resume();
      this.delivered++;
      return Promise.resolve(frame);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve(null);
    if (this.waiter) return Promise.reject(new Error('RawFrameReader.next called while a call is pending'));
    this.child.stdout.resume();
    return new Promise((resolve, reject) => {
      this.waiter = {
        resolve: (b) => {
          if (b) this.delivered++;
          resolve(b);
        },
        reject,
      };
    });
  }

  /** Stops ffmpeg; a pending next() resolves to null. Resolves once the process is gone. */
  kill(): Promise<void> {
    if (!this.done) {
      this.killed = true;
      this.child.kill('SIGKILL');
      // A paused pipe with data in it never ends, and 'close' waits for it.
      this.child.stdout.destroy();
    }
    return this.exited;
  }

  get finished(): boolean {
    return this.done && this.queue.length === 0;
  }

  private onData(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      chunk.copy(this.current, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === this.frameBytes) {
        this.push(this.current);
        this.current = Buffer.allocUnsafeSlow(this.frameBytes);
        this.filled = 0;
      }
    }
    if (this.queue.length >= QUEUED_FRAMES) this.child.stdout.pause();
  }

  private push(frame: Buffer): void {
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(frame);
    } else this.queue.push(frame);
  }

  private onClose(code: number | null, signal: NodeJS.Signals | null): void {
    this.done = true;
    if (this.killed) {
      this.settleEnd();
      return;
    }
    if (code !== 0) {
      const why = lastLine(this.stderrTail) || (signal ? `killed by ${signal}` : `exit code ${code}`);
      this.fail(new AppError('DECODE_FAILED', `ffmpeg failed decoding ${this.describe}: ${why}`));
      return;
    }
    if (this.filled !== 0) {
      this.fail(
        new AppError('DECODE_FAILED', `ffmpeg ended mid-frame decoding ${this.describe} (${this.filled} of ${this.frameBytes} bytes)`),
      );
      return;
    }
    this.settleEnd();
  }

  private settleEnd(): void {
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(null);
    }
  }

  private fail(err: AppError): void {
    this.done = true;
    this.failure ??= err;
    if (this.waiter) {
      const { reject } = this.waiter;
      this.waiter = null;
      reject(err);
    }
  }
}
