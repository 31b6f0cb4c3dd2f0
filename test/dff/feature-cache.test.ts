/**
 * The key-feature cache on disk: round trip, damaged or vanished files are misses (and go), the size bound
 * evicts the least recently used; and a real DFF run writes its key frames' features there, which the
 * visualiser then reads instead of rerunning the feature network.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../electron/core/dff/engine';
import { FeatureCache, featureCacheKeys, type FeatureDims } from '../../electron/core/dff/feature-cache';
import { fromBase64, visualiseFrame } from '../../electron/core/dff/visualise';
import { hashPack } from '../../electron/core/dff/pack-session';
import { readManifest } from '../../electron/core/models/load-pack';
import { havePack, noPackReason, packDir, projectWith, tempDir, worldClip } from './helpers';

const dims: FeatureDims = [4, 3, 5];
const N = 4 * 3 * 5;
const FILE_BYTES = 16 + 4 * N;
const values = (seed: number) => Float32Array.from({ length: N }, (_, i) => Math.sin(seed * 100 + i));

describe('FeatureCache', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('features');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const keys = { video: 'v', pack: 'p' };

  it('gives back what was put, per video, pack and frame', () => {
    const cache = new FeatureCache(path.join(dir, 'a'));
    cache.put(keys, 7, dims, values(7));
    expect(cache.get(keys, 7, dims)).toEqual(values(7));
    expect(cache.get(keys, 8, dims)).toBeNull();
    expect(cache.get({ ...keys, pack: 'other' }, 7, dims)).toBeNull();
    expect(fs.statSync(cache.fileFor(keys, 7)).size).toBe(FILE_BYTES);
    // another instance (another thread or process) on the same root sees it
    expect(new FeatureCache(path.join(dir, 'a')).get(keys, 7, dims)).toEqual(values(7));
  });

  it('treats a cut, mismatched, non-finite or vanished file as a miss, and removes the damaged ones', () => {
    const cache = new FeatureCache(path.join(dir, 'b'));
    cache.put(keys, 1, dims, values(1));
    fs.truncateSync(cache.fileFor(keys, 1), FILE_BYTES - 4);
    expect(cache.get(keys, 1, dims)).toBeNull();
    expect(fs.existsSync(cache.fileFor(keys, 1))).toBe(false);

    cache.put(keys, 2, dims, values(2));
    expect(cache.get(keys, 2, [4, 5, 3])).toBeNull(); // same size, other shape: another pack's layout
    expect(fs.existsSync(cache.fileFor(keys, 2))).toBe(false);

    const bad = values(3);
    bad[5] = NaN;
    cache.put(keys, 3, dims, bad);
    expect(cache.get(keys, 3, dims)).toBeNull();

    cache.put(keys, 4, dims, values(4));
    fs.rmSync(cache.fileFor(keys, 4));
    expect(cache.get(keys, 4, dims)).toBeNull();
    expect(() => cache.put(keys, 5, dims, values(5).subarray(1))).toThrow(/59 values, 4×3×5 needs 60/);
  });

  it('stays within its size bound, evicting the least recently used first', () => {
    const cache = new FeatureCache(path.join(dir, 'c'), 5 * FILE_BYTES);
    const t0 = Date.now() / 1000 - 1000;
    for (let f = 0; f < 5; f++) {
      cache.put(keys, f, dims, values(f));
      fs.utimesSync(cache.fileFor(keys, f), t0 + f, t0 + f); // written one second apart
    }
    expect(cache.sizeBytes()).toBe(5 * FILE_BYTES);
    expect(cache.get(keys, 0, dims)).toEqual(values(0)); // frame 0 is now the most recently used
    const stale = `${cache.fileFor(keys, 9)}.1.dead.tmp`; // left by a writer that died long ago
    const fresh = `${cache.fileFor(keys, 9)}.2.busy.tmp`; // being written now
    for (const f of [stale, fresh]) fs.writeFileSync(f, 'x');
    fs.utimesSync(stale, t0, t0);
    cache.put(keys, 5, dims, values(5)); // over the bound: down to 90 %, i.e. 4 files
    expect(cache.sizeBytes()).toBeLessThanOrEqual(0.9 * 5 * FILE_BYTES);
    const kept = [0, 1, 2, 3, 4, 5].filter((f) => fs.existsSync(cache.fileFor(keys, f)));
    expect(kept).toEqual([0, 3, 4, 5]);
    expect([fs.existsSync(stale), fs.existsSync(fresh)]).toEqual([false, true]);
  });

  it('does not fail when it cannot write', () => {
    const blocker = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocker, 'x');
    const cache = new FeatureCache(blocker);
    expect(() => cache.put(keys, 1, dims, values(1))).not.toThrow();
    expect(cache.get(keys, 1, dims)).toBeNull();
  });

  it('names a video by its file: a file replaced under the same name gets other keys', () => {
    const file = path.join(dir, 'video.bin');
    fs.writeFileSync(file, 'one');
    const before = featureCacheKeys(file, 'sha256:abc');
    expect(before.pack).toBe('abc');
    fs.writeFileSync(file, 'other content');
    expect(featureCacheKeys(file, 'sha256:abc').video).not.toBe(before.video);
  });
});

describe.skipIf(!havePack)('the engine and the visualiser share key features through the cache', () => {
  if (!havePack) console.warn(`skipped: ${noPackReason}`);
  it('a run writes each key frame’s features; the visualiser reads them', async () => {
    const dir = tempDir('features-run');
    const home = process.env.DFF_HOME;
    process.env.DFF_HOME = path.join(dir, 'home'); // the worker's cache lives under the app home
    const { store, video } = await projectWith(dir, (await worldClip(40)).video);
    try {
      const handle = await startRun(store, { videoId: video.id, packDir, mode: { kind: 'fixed', k: 10 }, from: 0, to: 20 });
      expect((await handle.done).status).toBe('done');
      const cache = new FeatureCache(path.join(dir, 'home', 'cache', 'features'));
      const manifest = await readManifest(packDir);
      const keys = featureCacheKeys(store.locateVideo(video.id), await hashPack(packDir, manifest));
      const d: FeatureDims = [manifest.feature.channels, manifest.feature.height, manifest.feature.width];
      expect([0, 4, 10, 14].map((f) => cache.get(keys, f, d) !== null)).toEqual([false, true, false, true]); // keys 4 and 14

      // the cached features are exactly what the feature network gives on that frame
      const fresh = await visualiseFrame(store, { videoId: video.id, index: 14, channel: 3, packDir }, { cache: null });
      const cached = cache.get(keys, 14, d)!;
      const cells = d[1] * d[2];
      expect(cached.subarray(3 * cells, 4 * cells)).toEqual(fromBase64(fresh.keyFeature.data));

      // and the visualiser takes them from the cache: planted values come back
      const planted = new Float32Array(cached.length).fill(0.25);
      cache.put(keys, 14, d, planted);
      const fromCache = await visualiseFrame(store, { videoId: video.id, index: 12, channel: 3, packDir }, { cache });
      expect(fromCache.keyIndex).toBe(14);
      expect(fromCache.keyFeature).toMatchObject({ min: 0.25, max: 0.25 });
    } finally {
      if (home === undefined) delete process.env.DFF_HOME;
      else process.env.DFF_HOME = home;
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
