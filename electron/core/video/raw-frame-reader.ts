import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { Readable } from 'node:stream';
import { AppError } from '../errors';
import { openUnnamedFifo, type PipeEnds } from './fifo';
import { lastLine } from './run-tool';

/** How many whole frames may wait in memory before the pipe is paused (ffmpeg then blocks). */
const QUEUED_FRAMES = 2;
/**
 * Buffers of a reusing reader: the one the caller holds, and the rest for ffmpeg to decode ahead
 * into. 2, 3 and 4 measured alike (720p, ~0.8× of null under load, against ~0.6× with a buffer per
 * frame); 3 leaves a consumer whose pace varies a frame of slack.
 */
const RING_BUFFERS = 3;
const STDERR_TAIL = 8 * 1024;

/**
 * How frames travel from ffmpeg's stdout: 'fifo', read by libuv straight into each frame's own
 * buffer; 'stdout', Node's own pipe, whose 64 KiB chunks are copied into the frame buffers.
 */
export type FrameTransport = 'fifo' | 'stdout';

export interface RawFrameReaderOptions {
  /** Use a FIFO where one can be made (default true); false forces the stdout pipe. */
  fifo?: boolean;
  /**
   * Read frames into a small ring of buffers instead of a new buffer each: a frame returned by
   * next() is then only valid until the following next() call, which hands its buffer back to be
   * overwritten. Reading pauses while every buffer is taken, so the caller's frame is never written to.
   */
  reuse?: boolean;
}

/**
 * One ffmpeg process writing fixed-size raw frames to stdout, read one frame at a time with
 * back-pressure: while frames are not asked for, the pipe fills and ffmpeg waits, so a paused
 * reader costs no CPU and resumes without a restart.
 *
 * Reading a child's stdout, Node allocates a buffer and emits an event per 64 KiB chunk, which
 * costs more than the decode itself at 720p. So where FIFOs exist, ffmpeg's stdout is instead the
 * write end of an unnamed FIFO whose read end is a net.Socket with `onread`: every read lands in
 * the unfilled tail of the current frame's buffer, with no allocation and no copy. What remains
 * over decoding to null is mostly the kernel faulting in fresh memory for every new frame buffer,
 * which `reuse` avoids for callers that are done with a frame before asking for the next one.
 *
 * With `reuse`, buffers are filled and handed out in ring order, so the one to fill next is free
 * exactly when fewer than all of them are queued or held by the caller; until then reading stays
 * paused (the FIFO's read target is already set to that buffer, but nothing is read into it).
 */
export class RawFrameReader {
  private child: ChildProcess | null = null;
  /** The frame bytes' stream, once ffmpeg runs. */
  private input: Readable | null = null;
  private readonly queue: Buffer[] = [];
  /** The buffer being filled; with reuse, the ring's next slot, which may still be taken (then reading is paused). */
  private current: Buffer;
  private filled = 0;
  private readonly ring: Buffer[] | null;
  private slot = 0;
  /** With reuse: the buffer last handed out, the caller's until its next call. */
  private lent: Buffer | null = null;
  private done = false;
  private failure: AppError | null = null;
  private waiter: { resolve: (b: Buffer | null) => void; reject: (e: Error) => void } | null = null;
  private stderrTail = '';
  private killed = false;
  private readonly exited: Promise<void>;
  /** Frames handed out by next() so far. */
  delivered = 0;
  /** How the frames travel, once ffmpeg has started. */
  transport: FrameTransport | null = null;

  /**
   * @param describe names the file and the first frame for error messages, e.g. "a.mp4 from frame 120".
   */
  constructor(
    ffmpegPath: string,
    args: string[],
    private readonly frameBytes: number,
    private readonly describe: string,
    options: RawFrameReaderOptions = {},
  ) {
    this.ring = options.reuse ? Array.from({ length: RING_BUFFERS }, () => Buffer.allocUnsafeSlow(frameBytes)) : null;
    this.current = this.ring ? this.ring[0]! : Buffer.allocUnsafeSlow(frameBytes);
    this.exited = this.run(ffmpegPath, args, options.fifo ?? true);
  }

  /**
   * The next frame's bytes, or null once ffmpeg has written its last frame. With `reuse`, the
   * frame returned by the previous call may be overwritten from this call on.
   */
  next(): Promise<Buffer | null> {
    if (this.waiter) return Promise.reject(new Error('RawFrameReader.next called while a call is pending'));
    this.lent = null;
    const frame = this.queue.shift();
    if (frame) this.handOut(frame);
    if (this.room && !this.done) this.input?.resume();
    if (frame) return Promise.resolve(frame);
    if (this.failure) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve: (b) => resolve(b && this.handOut(b)), reject };
    });
  }

  /** Stops ffmpeg; a pending next() resolves to null. Resolves once the process is gone. */
  kill(): Promise<void> {
    if (!this.done) {
      this.killed = true;
      this.child?.kill('SIGKILL');
      // A paused pipe with data in it never ends, and 'close' waits for it.
      this.input?.destroy();
    }
    return this.exited;
  }

  get finished(): boolean {
    return this.done && this.queue.length === 0;
  }

  /** Starts ffmpeg and settles once both it and the frame stream are closed. */
  private async run(ffmpegPath: string, args: string[], tryFifo: boolean): Promise<void> {
    const fifo = tryFifo ? await openUnnamedFifo() : null;
    if (this.killed) {
      if (fifo) [fifo.readFd, fifo.writeFd].forEach((fd) => fs.closeSync(fd));
      this.finish(null, null);
      return;
    }
    let child: ChildProcess;
    try {
      child = spawn(ffmpegPath, args, { stdio: ['ignore', fifo ? fifo.writeFd : 'pipe', 'pipe'] });
    } catch (err) {
      if (fifo) fs.closeSync(fifo.readFd);
      this.fail(new AppError('DECODE_FAILED', `ffmpeg did not start for ${this.describe}: ${(err as Error).message}`));
      return;
    } finally {
      // The child holds its own copy; ours would keep the pipe from ever ending.
      if (fifo) fs.closeSync(fifo.writeFd);
    }
    this.child = child;
    this.transport = fifo ? 'fifo' : 'stdout';
    const input = fifo ? this.fifoInput(fifo) : child.stdout!.on('data', (chunk: Buffer) => this.copyIn(chunk));
    this.input = input;
    input.on('error', (err) => this.fail(new AppError('DECODE_FAILED', `Reading ffmpeg's frames of ${this.describe} failed: ${err.message}`)));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
    });
    child.on('error', (err) => this.fail(new AppError('DECODE_FAILED', `ffmpeg did not start for ${this.describe}: ${err.message}`)));
    // With a FIFO, ffmpeg may be gone while its last bytes still wait in the pipe.
    const [[code, signal]] = await Promise.all([
      new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s]))),
      new Promise((resolve) => input.on('close', resolve)),
    ]);
    this.finish(code, signal);
  }

  private fifoInput(fifo: PipeEnds): net.Socket {
    return new net.Socket({
      fd: fifo.readFd,
      readable: true,
      writable: false,
      onread: {
        buffer: () => this.current.subarray(this.filled),
        callback: (bytes: number) => {
          this.advance(bytes);
          return true;
        },
      },
    });
  }

  private copyIn(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.room) {
        // advance() has paused the stream: the rest goes back to its head and comes again on resume.
        this.input!.unshift(chunk.subarray(offset));
        return;
      }
      const n = chunk.copy(this.current, this.filled, offset);
      offset += n;
      this.advance(n);
    }
  }

  /** `bytes` more of the current frame have arrived. */
  private advance(bytes: number): void {
    this.filled += bytes;
    if (this.filled === this.frameBytes) {
      this.push(this.current);
      this.current = this.nextBuffer();
      this.filled = 0;
    }
    if (!this.room) this.input!.pause();
  }

  /** Whether ffmpeg may write on: with reuse, the buffer to fill is not taken; else few enough frames wait. */
  private get room(): boolean {
    if (!this.ring) return this.queue.length < QUEUED_FRAMES;
    return this.queue.length + (this.lent ? 1 : 0) < this.ring.length;
  }

  /** A fresh buffer, or with reuse the ring's next slot, free or not (see room). */
  private nextBuffer(): Buffer {
    if (!this.ring) return Buffer.allocUnsafeSlow(this.frameBytes);
    this.slot = (this.slot + 1) % this.ring.length;
    return this.ring[this.slot]!;
  }

  private handOut(frame: Buffer): Buffer {
    this.delivered++;
    if (this.ring) this.lent = frame;
    return frame;
  }

  private push(frame: Buffer): void {
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(frame);
    } else this.queue.push(frame);
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): void {
    this.done = true;
    if (this.killed || this.failure) {
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
