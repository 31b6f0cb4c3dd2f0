import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../electron/core/errors';
import { decodeFlo, encodeFlo } from '../../electron/core/world/flo';
import { downscaleFlow } from '../../electron/core/world/flow';
import { meanAbsDiff, warpByFlow } from './warp';
import { sharedData } from '../support/shared-data';

const SHARED_FLOW = sharedData('flow') ?? '';

describe('.flo files', () => {
  it('round-trip exactly, with the Middlebury header', () => {
    const flow = Float32Array.from({ length: 5 * 3 * 2 }, (_, i) => (i - 15) * 0.37);
    const bytes = encodeFlo(flow, 5, 3);
    expect(bytes.length).toBe(12 + 5 * 3 * 8);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PIEH');
    expect([bytes.readInt32LE(4), bytes.readInt32LE(8)]).toEqual([5, 3]);
    const back = decodeFlo(bytes);
    expect([back.width, back.height]).toEqual([5, 3]);
    expect(Array.from(back.flow)).toEqual(Array.from(flow));
  });

  it('refuse data that is not a .flo, naming it', () => {
    const good = encodeFlo(new Float32Array(8), 2, 2);
    expect(() => decodeFlo(Buffer.from('not a flow file at all'), 'x.flo')).toThrow(/x\.flo is not a Middlebury \.flo/);
    expect(() => decodeFlo(good.subarray(0, good.length - 4), 'cut.flo')).toThrow(/cut\.flo says 2x2 but holds 40 bytes \(expected 44\)/);
    expect(() => decodeFlo(Buffer.from('x'))).toThrow(AppError);
  });

  it('downscale a flow by block means, in pixels of the smaller image', () => {
    // 4x2 flow, u = x, v = 10·y: at scale 2, block (0,0) holds x ∈ {0,1}, y ∈ {0,1}.
    const flow = new Float32Array(4 * 2 * 2);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) flow.set([x, 10 * y], (y * 4 + x) * 2);
    expect(Array.from(downscaleFlow(flow, 4, 2, 2))).toEqual([0.25, 2.5, 1.25, 2.5]);
    expect(() => downscaleFlow(flow, 4, 2, 4)).toThrow(/not a multiple/);
  });

  // Real camera data: checks the decoder and that our flow convention is Middlebury's (frame10 pixel p
  // shows what frame11 shows at p + flow(p)), with the same warp the world tests use.
  const haveShared = SHARED_FLOW !== '';
  it.skipIf(!haveShared)('read the real Middlebury ground truth, which warps frame11 onto frame10', async () => {
    for (const name of ['RubberWhale', 'Dimetrodon']) {
      const dir = path.join(SHARED_FLOW, name);
      const { width, height, flow } = decodeFlo(fs.readFileSync(path.join(dir, 'flow10.flo')), name);
      const load = async (file: string) => {
        const { data, info } = await sharp(path.join(dir, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        expect([info.width, info.height, info.channels]).toEqual([width, height, 3]);
        return new Uint8Array(data);
      };
      const [frame10, frame11] = [await load('frame10.png'), await load('frame11.png')];
      const known = flow.map((v) => (Math.abs(v) > 1e9 ? NaN : v)); // > 1e9 marks unknown flow
      const warped = warpByFlow(frame11, known, width, height);
      const zero = warpByFlow(frame11, new Float32Array(flow.length), width, height);
      const withFlow = meanAbsDiff(warped.image, frame10, warped.valid).mean;
      const without = meanAbsDiff(zero.image, frame10, warped.valid).mean;
      expect(withFlow).toBeLessThan(0.5 * without);
    }
  });
});
