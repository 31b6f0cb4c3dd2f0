/**
 * Fetches frame JPEGs, decodes them off the main thread (createImageBitmap) and keeps the last few in an
 * LRU, so stepping through frames that were prefetched shows them at once. Loads that are no longer
 * wanted (the user scrubbed past them) are aborted, so the core's decoder is not kept busy with them.
 */
import type { ErrorInfo } from '../../../electron/common/errors';
import { CallError } from '../api/client';

export interface FrameKey {
  videoId: number;
  index: number;
}

const keyOf = (k: FrameKey) => `${k.videoId}:${k.index}`;

export class FrameLoader {
  private readonly cache = new Map<string, ImageBitmap>();
  private readonly inflight = new Map<string, { promise: Promise<ImageBitmap>; abort: AbortController }>();

  constructor(
    private readonly urlOf: (videoId: number, index: number) => string,
    private readonly capacity = 64,
  ) {}

  peek(k: FrameKey): ImageBitmap | undefined {
    const key = keyOf(k);
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key); // refresh its LRU position
      this.cache.set(key, hit);
    }
    return hit;
  }

  load(k: FrameKey): Promise<ImageBitmap> {
    const hit = this.peek(k);
    if (hit) return Promise.resolve(hit);
    const key = keyOf(k);
    const running = this.inflight.get(key);
    if (running) return running.promise;
    const abort = new AbortController();
    const promise = this.fetchBitmap(this.urlOf(k.videoId, k.index), abort.signal).then(
      (bitmap) => {
        this.inflight.delete(key);
        this.remember(key, bitmap);
        return bitmap;
      },
      (err: unknown) => {
        this.inflight.delete(key);
        throw err;
      },
    );
    this.inflight.set(key, { promise, abort });
    return promise;
  }

  /** Aborts every running load not in `wanted`. */
  cancelExcept(wanted: FrameKey[]): void {
    const keep = new Set(wanted.map(keyOf));
    for (const [key, run] of this.inflight) {
      if (!keep.has(key)) {
        run.abort.abort();
        this.inflight.delete(key);
      }
    }
  }

  /** Loads the given frames one after another (the core decodes fastest in order); stops at the first failure. */
  async prefetch(keys: FrameKey[]): Promise<void> {
    for (const k of keys) {
      try {
        await this.load(k);
      } catch {
        return;
      }
    }
  }

  clear(): void {
    this.cancelExcept([]);
    this.cache.clear();
  }

  private remember(key: string, bitmap: ImageBitmap): void {
    this.cache.set(key, bitmap);
    while (this.cache.size > this.capacity) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest); // not closed: it may still be on screen; GC frees it
    }
  }

  private async fetchBitmap(url: string, signal: AbortSignal): Promise<ImageBitmap> {
    const res = await fetch(url, { signal });
    if (!res.ok) {
      let info: ErrorInfo = { code: 'INTERNAL', message: `frame request ${url} failed with HTTP ${res.status}` };
      try {
        info = (await res.json()) as ErrorInfo;
      } catch {
        // not JSON: keep the generic message
      }
      throw new CallError(info);
    }
    return createImageBitmap(await res.blob());
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
