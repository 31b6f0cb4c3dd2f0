/**
 * Frames' labels (`annotation.list`) fetched beside their images, so a frame already prefetched shows
 * with its labels in one render and no round trip. One fetch per frame serves the stage and the editor.
 * Whatever may have changed labels (an edit, undo/redo, a DFF run) clears the cache; an answer to a request
 * made before a clear is handed to its caller but not kept.
 */
import type { FrameLabels } from '../../../electron/common/edit-schemas';
import type { FrameKey } from './frame-loader';

const keyOf = (k: FrameKey) => `${k.videoId}:${k.index}`;

export class LabelsCache {
  private readonly cache = new Map<string, FrameLabels>();
  private readonly inflight = new Map<string, Promise<FrameLabels>>();
  private generation = 0;

  constructor(
    private readonly fetchLabels: (k: FrameKey) => Promise<FrameLabels>,
    private readonly capacity = 128,
  ) {}

  peek(k: FrameKey): FrameLabels | undefined {
    return this.cache.get(keyOf(k));
  }

  load(k: FrameKey): Promise<FrameLabels> {
    const key = keyOf(k);
    const hit = this.cache.get(key);
    if (hit) return Promise.resolve(hit);
    const running = this.inflight.get(key);
    if (running) return running;
    const generation = this.generation;
    const promise = this.fetchLabels(k).then(
      (labels) => {
        if (generation === this.generation) {
          this.inflight.delete(key);
          this.remember(key, labels);
        }
        return labels;
      },
      (err: unknown) => {
        if (generation === this.generation) this.inflight.delete(key);
        throw err;
      },
    );
    this.inflight.set(key, promise);
    return promise;
  }

  /** Keeps labels the core just answered with (after an edit). */
  put(labels: FrameLabels): void {
    this.remember(keyOf(labels), labels);
  }

  clear(): void {
    this.generation++;
    this.cache.clear();
    this.inflight.clear();
  }

  private remember(key: string, labels: FrameLabels): void {
    this.cache.delete(key);
    this.cache.set(key, labels);
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value as string);
  }
}
