import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../electron/core/errors';
import { openFrameSource, toRgb } from '../../electron/core/video';
import { decodeFlo, FLO_TAG } from '../../electron/core/world/flo';
import { downscaleFlow } from '../../electron/core/world/flow';
import { clipSeed } from '../../electron/core/world/prng';
import { createWorld } from '../../electron/core/world/world';
import { writeDataset, type DatasetOptions } from '../../electron/core/world/writer';
import { meanAbsDiff } from './warp';

const ROOT = path.resolve(import.meta.dirname, '../..');
const W = 96;
const H = 64;
const FRAMES = 12;
let tmp: string;
let out: string;
const options = (): DatasetOptions => ({
  out,
  seed: 42,
  clips: 2,
  frames: FRAMES,
  width: W,
  height: H,
  difficulty: 'easy',
  flowScale: 2,
  pngFrames: true,
});

async function readGrey(file: string) {
  const meta = await sharp(file).metadata();
  const sixteen = meta.depth === 'ushort';
  const { data } = await sharp(file)
    .toColourspace(sixteen ? 'grey16' : 'b-w')
    .raw(sixteen ? { depth: 'ushort' } : {})
    .toBuffer({ resolveWithObject: true });
  return { meta, values: sixteen ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : new Uint8Array(data) };
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-world-'));
  out = path.join(tmp, 'dataset');
  await writeDataset(options());
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('world dataset files', () => {
  it('lists its clips and parameters in dataset.json, each clip in meta.json', () => {
    const dataset = JSON.parse(fs.readFileSync(path.join(out, 'dataset.json'), 'utf8'));
    expect(dataset.format).toBe('dff-world/1');
    expect(dataset.clips).toEqual(['clip_0000', 'clip_0001']);
    expect(dataset.generator).toMatchObject({ seed: 42, clips: 2, frames: FRAMES, width: W, height: H, difficulty: 'easy', flowScale: 2 });
    for (const [c, name] of dataset.clips.entries()) {
      const meta = JSON.parse(fs.readFileSync(path.join(out, name, 'meta.json'), 'utf8'));
      expect(meta).toMatchObject({ format: 'dff-world/1', seed: clipSeed(42, c), width: W, height: H, fps: 30, frameCount: FRAMES, flowScale: 2 });
      expect(meta.classes.map((k: { id: number }) => k.id)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(meta.classes.every((k: { hasInstances: boolean; name: string }) => k.hasInstances && k.name)).toBe(true);
    }
  });

  it('writes the ground truth of the clip\'s seed: 8-bit semantic, 16-bit instance PNGs, exact RGB frames', async () => {
    const world = createWorld({ seed: clipSeed(42, 1), width: W, height: H, frameCount: FRAMES, difficulty: 'easy' });
    const dir = path.join(out, 'clip_0001');
    for (const i of [0, 7, 11]) {
      const f = world.render(i);
      const name = `${String(i).padStart(6, '0')}.png`;
      const semantic = await readGrey(path.join(dir, 'semantic', name));
      expect([semantic.meta.channels, semantic.meta.depth, semantic.meta.width, semantic.meta.height]).toEqual([1, 'uchar', W, H]);
      expect(Buffer.from(semantic.values).equals(Buffer.from(f.semantic))).toBe(true);
      const instances = await readGrey(path.join(dir, 'instances', name));
      expect([instances.meta.channels, instances.meta.depth]).toEqual([1, 'ushort']);
      expect(Array.from(instances.values)).toEqual(Array.from(f.instances));
      const { data, info } = await sharp(path.join(dir, 'frames', name)).raw().toBuffer({ resolveWithObject: true });
      expect(info.channels).toBe(3);
      expect(Buffer.from(data).equals(Buffer.from(f.rgb))).toBe(true);
    }
  });

  it('writes each frame\'s flow to its reference frame as a .flo at the flow scale', () => {
    const world = createWorld({ seed: clipSeed(42, 0), width: W, height: H, frameCount: FRAMES, difficulty: 'easy' });
    const annotations = JSON.parse(fs.readFileSync(path.join(out, 'clip_0000', 'annotations.json'), 'utf8'));
    const files = fs.readdirSync(path.join(out, 'clip_0000', 'flow')).sort();
    expect(files).toEqual(Array.from({ length: FRAMES }, (_, i) => `${String(i).padStart(6, '0')}.flo`));
    let moving = 0;
    for (let i = 0; i < FRAMES; i++) {
      const bytes = fs.readFileSync(path.join(out, 'clip_0000', 'flow', files[i]!));
      expect(bytes.readFloatLE(0)).toBe(FLO_TAG);
      const flo = decodeFlo(bytes, files[i]);
      expect([flo.width, flo.height]).toEqual([W / 2, H / 2]);
      const ref = annotations.frames[i].ref;
      const expected = downscaleFlow(world.flowToFrame(i, ref), W, H, 2);
      expect(flo.flow).toEqual(expected);
      if (ref === i) expect(flo.flow.every((v) => v === 0)).toBe(true);
      else moving++;
    }
    expect(moving).toBeGreaterThan(0);
  });

  it('writes annotations.json equal to the world\'s annotations', () => {
    const world = createWorld({ seed: clipSeed(42, 1), width: W, height: H, frameCount: FRAMES, difficulty: 'easy' });
    const written = JSON.parse(fs.readFileSync(path.join(out, 'clip_0001', 'annotations.json'), 'utf8'));
    expect(written).toEqual(world.annotations());
    expect(written.frames.map((f: { index: number }) => f.index)).toEqual(Array.from({ length: FRAMES }, (_, i) => i));
  });

  it('writes an H.264 yuv420p video of every frame that the app decodes close to the exact frames', async () => {
    const dir = path.join(out, 'clip_0000');
    const source = await openFrameSource(path.join(dir, 'video.mp4'));
    try {
      expect(source.info.frameCount).toBe(FRAMES);
      expect(source.info).toMatchObject({ kind: 'video', codec: 'h264', pixFmt: 'yuv420p', width: W, height: H });
      const exact = async (i: number) =>
        (await sharp(path.join(dir, 'frames', `${String(i).padStart(6, '0')}.png`)).raw().toBuffer({ resolveWithObject: true })).data;
      const all = new Uint8Array(W * H).fill(1);
      for (const i of [0, 5, 10]) {
        const decoded = toRgb(await source.getFrame(i)).data;
        const own = meanAbsDiff(decoded, await exact(i), all).mean;
        // Lossy (crf 16, 4:2:0 chroma, noise on a tiny frame), but clearly this frame and not one 5 frames away.
        expect(own).toBeLessThan(8);
        expect(own).toBeLessThan(0.7 * meanAbsDiff(decoded, await exact((i + 5) % FRAMES), all).mean);
        // No colour shift (a wrong YUV matrix or range would show as a bias per channel).
        const frame = await exact(i);
        for (let c = 0; c < 3; c++) {
          let bias = 0;
          for (let p = c; p < decoded.length; p += 3) bias += decoded[p]! - frame[p]!;
          expect(Math.abs(bias / (W * H))).toBeLessThan(1.5);
        }
      }
    } finally {
      await source.close();
    }
  });
});

describe('world dataset writer: bad options', () => {
  const rejects = async (change: Partial<DatasetOptions>, pattern: RegExp) => {
    const o = { ...options(), out: path.join(tmp, 'never'), ...change };
    const err = await writeDataset(o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(pattern);
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  };

  it('names the bad value and writes nothing', async () => {
    await rejects({ width: 95 }, /multiples of 2 .*95x64/);
    await rejects({ flowScale: 4, height: 66 }, /multiples of 4 .*flow scale 4.*96x66/);
    await rejects({ flowScale: 3 as never }, /flow scale must be 1, 2 or 4, got 3/);
    await rejects({ clips: 0 }, /clips must be .* got 0/);
    await rejects({ frames: 0 }, /frameCount .* got 0/);
    await rejects({ difficulty: 'brutal' as never }, /difficulty .* brutal/);
  });

  it('refuses to write into a folder that has files unless forced, keeping what is there', async () => {
    const before = fs.readFileSync(path.join(out, 'dataset.json'), 'utf8');
    const err = await writeDataset({ ...options(), clips: 1 }).catch((e: unknown) => e);
    expect((err as AppError).message).toMatch(/is not empty \(pass --force/);
    expect(fs.readFileSync(path.join(out, 'dataset.json'), 'utf8')).toBe(before);
  });

  it('with force, rewrites its clip folders whole and keeps other files', async () => {
    const dir = path.join(tmp, 'forced');
    const small = { ...options(), out: dir, clips: 1, width: 32, height: 32, flowScale: 1 as const, pngFrames: false };
    await writeDataset({ ...small, frames: 6 });
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await writeDataset({ ...small, frames: 3, force: true });
    expect(fs.readdirSync(path.join(dir, 'clip_0000', 'flow'))).toHaveLength(3);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'dataset.json'), 'utf8')).generator.frames).toBe(3);
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('world CLI', () => {
  const cli = (...args: string[]) =>
    spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['electron/core/world/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

  it('writes a dataset and reports progress and time', () => {
    const dir = path.join(tmp, 'cli');
    const run = cli('--out', dir, '--seed', '3', '--clips', '2', '--frames', '4', '--width', '48', '--height', '32', '--flow-scale', '4', '--difficulty', 'easy');
    expect(run.stderr).not.toMatch(/error/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/clip 2\/2 done in [\d.]+ s/);
    expect(run.stdout).toMatch(/done: 8 frames in [\d.]+ s/);
    const dataset = JSON.parse(fs.readFileSync(path.join(dir, 'dataset.json'), 'utf8'));
    expect(dataset.generator).toMatchObject({ seed: 3, clips: 2, frames: 4, width: 48, height: 32, flowScale: 4, difficulty: 'easy', objects: 4 });
    expect(decodeFlo(fs.readFileSync(path.join(dir, 'clip_0001/flow/000003.flo'))).width).toBe(12);
    expect(fs.existsSync(path.join(dir, 'clip_0001/frames'))).toBe(false);
  });

  it('exits with 2 and the usage on a bad argument', () => {
    const run = cli('--out', path.join(tmp, 'bad'), '--frames', 'ten');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--frames must be an integer, got 'ten'/);
    expect(run.stderr).toMatch(/usage:/);
    expect(cli('--frames', '3').stderr).toMatch(/--out DIR is required/);
  });
});
