import type { Frame } from './frame';

/** Least-recently-used frames, bounded by the bytes of their pixel data. */
export class FrameCache {
  private readonly frames = new Map<number, Frame>();
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.frames.size;
  }

  has(index: number): boolean {
    return this.frames.has(index);
  }

  get(index: number): Frame | undefined {
    const frame = this.frames.get(index);
    if (frame) {
      // Map keeps insertion order: re-inserting marks it most recently used.
      this.frames.delete(index);
      this.frames.set(index, frame);
    }
    return frame;
  }

  set(frame: Frame): void {
    const size = frame.data.length;
    if (size > this.maxBytes) return;
    const old = this.frames.get(frame.index);
    if (old) {
      this.used -= old.data.length;
      this.frames.delete(frame.index);
    }
    this.frames.set(frame.index, frame);
    this.used += size;
    for (const [index, oldest] of this.frames) {
      if (this.used <= this.maxBytes) break;
      this.frames.delete(index);
      this.used -= oldest.data.length;
    }
  }

  clear(): void {
    this.frames.clear();
    this.used = 0;
  }
}
