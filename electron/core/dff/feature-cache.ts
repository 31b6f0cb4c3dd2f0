/**
 * Key-frame features on disk, so the visualisers need not rerun the feature network on a key frame a run
 * already computed. One file per (video file, pack hash, frame): `<root>/<video>/<pack>/<frame>.f32` =
 * a 16-byte header (magic, C, H, W as uint32 LE) + C·H·W float32 LE. The video part names the file by its
 * path, size and mtime: features depend only on the pixels and the pack, so projects sharing a video share
 * them, and a file replaced under the same name never serves stale ones. Bounded in size: past `maxBytes`
 * the least recently used files (by mtime, which a hit refreshes) go until 90 % of it is left. A file that
 * vanished, is cut short or does not match is a miss (and is removed); a cache that cannot be written is
 * simply not used. Threads and processes may share one root: files appear whole, by rename.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type * as ort from 'onnxruntime-node';
import { appHome } from '../app-paths';

export const DEFAULT_FEATURE_CACHE_BYTES = 512 * 1024 * 1024;
const MAGIC = 0x31464644; // 'DFF1'
const HEADER_BYTES = 16;
/** Eviction leaves this share of the budget used, so that it does not run again on the next write. */
const EVICT_TO = 0.9;
/** Temporary files older than this are left over from a writer that died. */
const STALE_TMP_MS = 10 * 60_000;

export function defaultFeatureCacheDir(): string {
  return path.join(appHome(), 'cache', 'features');
}

/** Which folder a video's features for one pack go in. */
export interface FeatureCacheKeys {
  video: string;
  pack: string;
}

export function featureCacheKeys(videoFile: string, packHash: string): FeatureCacheKeys {
  const abs = path.resolve(videoFile);
  let identity = abs;
  try {
    const s = fs.statSync(abs);
    identity += `|${s.size}|${s.mtimeMs}`;
  } catch {
    // a video that cannot be read now will not be decoded either
  }
  return {
    video: createHash('sha256').update(identity).digest('hex').slice(0, 20),
    pack: packHash.replace(/^sha256:/, '').replace(/[^A-Za-z0-9]/g, '').slice(0, 20),
  };
}

const shared = new Map<string, FeatureCache>();

/** The cache at `root`, one instance per root in this thread (it keeps a running total of the bytes it holds). */
export function featureCacheAt(root: string = defaultFeatureCacheDir()): FeatureCache {
  const abs = path.resolve(root);
  let cache = shared.get(abs);
  if (!cache) shared.set(abs, (cache = new FeatureCache(abs)));
  return cache;
}

export type FeatureDims = readonly [channels: number, height: number, width: number];

interface CachedFile {
  file: string;
  size: number;
  mtimeMs: number;
}

export class FeatureCache {
  /** Bytes this instance believes the root holds; null until first measured. Other writers make it drift, so eviction re-measures. */
  private knownBytes: number | null = null;

  constructor(
    readonly root: string = defaultFeatureCacheDir(),
    readonly maxBytes: number = DEFAULT_FEATURE_CACHE_BYTES,
  ) {}

  fileFor(keys: FeatureCacheKeys, frame: number): string {
    return path.join(this.root, keys.video, keys.pack, `${frame}.f32`);
  }

  /** The features of `frame`, or null when they are not (or no longer, or not intact) in the cache. */
  get(keys: FeatureCacheKeys, frame: number, dims: FeatureDims): Float32Array | null {
    const file = this.fileFor(keys, frame);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      return null;
    }
    const n = dims[0] * dims[1] * dims[2];
    const ok =
      bytes.length === HEADER_BYTES + 4 * n &&
      bytes.readUInt32LE(0) === MAGIC &&
      bytes.readUInt32LE(4) === dims[0] &&
      bytes.readUInt32LE(8) === dims[1] &&
      bytes.readUInt32LE(12) === dims[2];
    if (!ok) {
      this.remove(file, bytes.length);
      return null;
    }
    const out = new Float32Array(n);
    new Uint8Array(out.buffer).set(bytes.subarray(HEADER_BYTES));
    for (const v of out) {
      if (!Number.isFinite(v)) {
        this.remove(file, bytes.length);
        return null;
      }
    }
    const now = new Date();
    try {
      fs.utimesSync(file, now, now); // recently used: evicted last
    } catch {
      // evicted meanwhile by another writer: the data read is still good
    }
    return out;
  }

  /** Keeps `data` (C·H·W float32) as the features of `frame`. Never throws: a cache failure costs only speed. */
  put(keys: FeatureCacheKeys, frame: number, dims: FeatureDims, data: Float32Array): void {
    const n = dims[0] * dims[1] * dims[2];
    if (data.length !== n) throw new Error(`features of frame ${frame} hold ${data.length} values, ${dims.join('×')} needs ${n}`);
    const size = HEADER_BYTES + 4 * n;
    if (size > this.maxBytes) return;
    const file = this.fileFor(keys, frame);
    const bytes = Buffer.allocUnsafe(size);
    bytes.writeUInt32LE(MAGIC, 0);
    bytes.writeUInt32LE(dims[0], 4);
    bytes.writeUInt32LE(dims[1], 8);
    bytes.writeUInt32LE(dims[2], 12);
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(bytes, HEADER_BYTES);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      if (this.knownBytes === null) this.knownBytes = this.measure().reduce((s, f) => s + f.size, 0);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(tmp, bytes);
      fs.renameSync(tmp, file);
      this.knownBytes += size;
      if (this.knownBytes > this.maxBytes) this.evict();
    } catch {
      removeQuietly(tmp);
    }
  }

  /** Bytes the root holds now. */
  sizeBytes(): number {
    return this.measure().reduce((s, f) => s + f.size, 0);
  }

  /** Removes the least recently used files until the cache holds at most 90 % of its budget. */
  evict(): void {
    const files = this.measure().sort((a, b) => a.mtimeMs - b.mtimeMs);
    let total = files.reduce((s, f) => s + f.size, 0);
    const target = this.maxBytes * EVICT_TO;
    for (const f of files) {
      if (total <= target) break;
      removeQuietly(f.file);
      total -= f.size;
    }
    this.knownBytes = total;
  }

  private remove(file: string, size: number): void {
    removeQuietly(file);
    if (this.knownBytes !== null) this.knownBytes = Math.max(0, this.knownBytes - size);
  }

  /** Every feature file under the root, with its size and mtime; files that vanish while listed are left out. */
  private measure(): CachedFile[] {
    const out: CachedFile[] = [];
    const walk = (dir: string, depth: number) => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory() && depth < 2) walk(p, depth + 1);
        else if (e.isFile() && depth === 2 && e.name.endsWith('.tmp')) removeIfStale(p);
        else if (e.isFile() && depth === 2 && e.name.endsWith('.f32')) {
          try {
            const s = fs.statSync(p);
            out.push({ file: p, size: s.size, mtimeMs: s.mtimeMs });
          } catch {
            // removed meanwhile
          }
        }
      }
    };
    walk(this.root, 0);
    return out;
  }
}

function removeIfStale(file: string): void {
  try {
    if (Date.now() - fs.statSync(file).mtimeMs > STALE_TMP_MS) removeQuietly(file);
  } catch {
    // gone already
  }
}

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // not there, or not ours to remove: nothing to do
  }
}

/**
 * The engine worker's hook: returns a function to call with each frame the DFF loop yields; on key frames it
 * keeps the features the loop just computed (the loop runs the feature network only to make a key, so the
 * last features the runner returned are that key's).
 */
export function keyFeatureRecorder(
  runner: { features(image: ort.Tensor): Promise<ort.Tensor> },
  videoFile: string,
  packHash: string,
  cache = featureCacheAt(),
): (frame: { frameIdx: number; key: boolean }) => void {
  const keys = featureCacheKeys(videoFile, packHash);
  const features = runner.features.bind(runner);
  let last: ort.Tensor | null = null;
  runner.features = async (image) => (last = await features(image));
  return ({ frameIdx, key }) => {
    if (!key || !last) return;
    const [, c, h, w] = last.dims as number[];
    cache.put(keys, frameIdx, [c!, h!, w!], last.data as Float32Array);
    last = null;
  };
}
