import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFrameSource, toRgb } from '../../electron/core/video';
import { DEMO_PARAMS } from '../../electron/core/world/make-demo';
import { createWorld } from '../../electron/core/world/world';
import { meanAbsDiff } from './warp';

const DEMO = path.resolve(import.meta.dirname, '../../resources/demo');

describe('the demo clip in resources/demo', () => {
  const world = createWorld(DEMO_PARAMS);

  it('is a small 640x360, 30 fps, 300-frame H.264 video of the generated world with that seed', async () => {
    const file = path.join(DEMO, 'demo.mp4');
    expect(fs.statSync(file).size).toBeLessThan(4e6);
    const source = await openFrameSource(file);
    try {
      expect(source.info).toMatchObject({ kind: 'video', codec: 'h264', pixFmt: 'yuv420p', width: 640, height: 360, frameCount: 300, frameRate: 30 });
      const all = new Uint8Array(640 * 360).fill(1);
      for (const i of [0, 150, 299]) {
        const decoded = toRgb(await source.getFrame(i)).data;
        // The encoder smooths most sensor noise away: compare with the noise-free frame (lighting kept).
        expect(meanAbsDiff(decoded, world.render(i, { sensorNoise: false }).rgb, all).mean).toBeLessThan(3);
      }
    } finally {
      await source.close();
    }
  });

  it('has the annotations and class table the generator gives, with every class and action in them', () => {
    const annotations = JSON.parse(fs.readFileSync(path.join(DEMO, 'annotations.json'), 'utf8'));
    expect(annotations).toEqual(world.annotations());
    expect(new Set(annotations.tracks.map((t: { classId: number }) => t.classId)).size).toBe(world.classes.length);
    expect(new Set(annotations.actions.map((a: { action: string }) => a.action)).size).toBe(6);
    const meta = JSON.parse(fs.readFileSync(path.join(DEMO, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ seed: DEMO_PARAMS.seed, width: 640, height: 360, fps: 30, frameCount: 300, classes: world.classes });
  });
});
