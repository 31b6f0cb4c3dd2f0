/**
 * Carrying a correction forward along the flow, on a generated world clip with exact masks and the real
 * default pack: a moving object's mask lands closer to where the object really is than a copy does; a box
 * follows too; each stop reason; and the warp itself (direction, units) on a hand-made flow field.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowField, followBox, maskWarper, planCarryForward } from '../../electron/core/dff/carry-forward';
import { decodeMask, encodeMask } from '../../electron/core/masks/rle';
import type { Box, ProjectStore, Video } from '../../electron/core/store';
import { createWorld } from '../../electron/core/world/world';
import { havePack, noPackReason, packDir, projectWith, tempDir, worldClip } from './helpers';

const W = 320;
const H = 192;

function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let p = 0; p < a.length; p++) {
    if (a[p] && b[p]) inter++;
    if (a[p] || b[p]) union++;
  }
  return union ? inter / union : 0;
}

function boxIou(a: Box, b: Box): number {
  const iw = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const ih = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = iw * ih;
  return inter / (a.w * a.h + b.w * b.h - inter);
}

/** A constant flow of (dx, dy) video pixels over a w×h frame, on a 2×2 grid of cells. */
function constantFlow(dx: number, dy: number, w = W, h = H): FlowField {
  const cells = new Float32Array(8);
  cells.fill(dx / (w / 2), 0, 4);
  cells.fill(dy / (h / 2), 4, 8);
  return new FlowField(cells, 2, 2, w, h);
}

describe('the warp of a carried annotation', () => {
  it('moves a mask by the flow read backward: mask_j(p) = mask_t(p + flow(p))', () => {
    const mask = new Uint8Array(W * H);
    for (let y = 50; y < 70; y++) for (let x = 100; x < 130; x++) mask[y * W + x] = 1;
    // every pixel of frame j shows what sat 6 px to its right and 4 px above in frame t: the object moved left and down
    const out = maskWarper(encodeMask(mask, H, W))(constantFlow(6, -4))!;
    expect(out.bbox).toEqual({ x: 94, y: 54, w: 30, h: 20 });
    const moved = decodeMask(out.rle);
    const expected = new Uint8Array(W * H);
    for (let y = 54; y < 74; y++) for (let x = 94; x < 124; x++) expected[y * W + x] = 1;
    expect(iou(moved, expected)).toBe(1);
    expect(maskWarper(encodeMask(mask, H, W))(constantFlow(200, 0))).toBeNull(); // it left the picture
  });

  it('reads the flow between cell centres bilinearly, the same pixel by pixel and row by row', () => {
    const cells = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i * 1.7)); // a 3×2 grid
    const field = new FlowField(cells, 3, 2, 60, 40);
    expect(field.at(9.5, 9.5)).toEqual([expect.closeTo(cells[0]! * 20, 5), expect.closeTo(cells[6]! * 20, 5)]); // cell (0,0)'s centre
    expect(field.at(0, 0)).toEqual(field.at(9.5, 9.5)); // edge cells extend to the border
    const mid = field.at(19.5, 19.5); // halfway between the centres of all four top-left cells
    expect(mid[0]).toBeCloseTo(((cells[0]! + cells[1]! + cells[3]! + cells[4]!) / 4) * 20, 5);
    const dx = new Float32Array(60);
    const dy = new Float32Array(60);
    for (const y of [0, 13, 27, 39]) {
      field.fillRow(y, 0, 60, dx, dy);
      for (let x = 0; x < 60; x++) {
        const [ax, ay] = field.at(x, y);
        expect(dx[x]).toBeCloseTo(ax, 4);
        expect(dy[x]).toBeCloseTo(ay, 4);
      }
    }
  });

  it('moves a box by the mean flow inside it, clipped to the frame', () => {
    const near = (b: Box) => ({ x: expect.closeTo(b.x, 4), y: expect.closeTo(b.y, 4), w: expect.closeTo(b.w, 4), h: expect.closeTo(b.h, 4) });
    expect(followBox({ x: 100, y: 50, w: 30, h: 20 }, constantFlow(6, -4))!.bbox).toEqual(near({ x: 94, y: 54, w: 30, h: 20 }));
    expect(followBox({ x: 5, y: 50, w: 30, h: 20 }, constantFlow(10, 0))!.bbox).toEqual(near({ x: 0, y: 50, w: 25, h: 20 }));
    expect(followBox({ x: 5, y: 50, w: 30, h: 20 }, constantFlow(40, 0))).toBeNull();
  });
});

describe.skipIf(!havePack)('planCarryForward', () => {
  if (!havePack) console.warn(`skipped: ${noPackReason}`);
  const world = createWorld({ seed: 4242, width: W, height: H, frameCount: 40 });
  let dir: string;
  let store: ProjectStore;
  let video: Video;
  let classId: number;

  beforeAll(async () => {
    dir = tempDir('carry');
    ({ store, video } = await projectWith(dir, (await worldClip(40)).video));
    classId = store.addClass({ name: 'thing', color: '#ff0000' }).id;
  });
  afterAll(() => {
    store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const maskOf = (frame: number, track: number) => {
    const ids = world.render(frame).instances;
    const m = new Uint8Array(W * H);
    for (let p = 0; p < m.length; p++) if (ids[p] === track) m[p] = 1;
    return m;
  };
  /** The object (of at least 300 pixels) that a copied mask fits worst 3 frames later: the one that moves most. */
  function movingObject(t: number): { track: number; copyIou: number } {
    const tracks = [...new Set(world.render(t).instances)].filter((id) => id > 0);
    return tracks
      .filter((track) => maskOf(t, track).reduce((s, v) => s + v, 0) >= 300)
      .map((track) => ({ track, copyIou: iou(maskOf(t, track), maskOf(t + 3, track)) }))
      .sort((a, b) => a.copyIou - b.copyIou)[0]!;
  }
  const carry = (annotationId: number, limit: number) => planCarryForward(store, { annotationId, limit, packDir });

  it('carries a moving object’s mask along the flow: it fits the object better than a copy, up to the limit', async () => {
    const t = 21;
    const { track, copyIou } = movingObject(t);
    expect(copyIou).toBeLessThan(0.7); // the object really moves
    const a = store.addHumanAnnotation({ videoId: video.id, frameIdx: t, classId, mask: encodeMask(maskOf(t, track), H, W) });
    const plan = await carry(a.id, 5);
    expect(plan).toMatchObject({ stoppedAt: t + 6, reason: 'limit' });
    expect(plan.frames.map((f) => f.frameIdx)).toEqual([t + 1, t + 2, t + 3, t + 4, t + 5]);
    const at3 = plan.frames[2]!;
    const carried = decodeMask(at3.rle!);
    expect(iou(carried, maskOf(t + 3, track))).toBeGreaterThan(copyIou + 0.2);
    for (const f of plan.frames) {
      const m = decodeMask(f.rle!);
      let [x0, y0, x1, y1] = [W, H, -1, -1];
      m.forEach((v, p) => {
        if (!v) return;
        const [x, y] = [p % W, Math.floor(p / W)];
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      });
      expect(f.bbox).toEqual({ x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 }); // the box is the warped mask's
    }
  });

  it('moves a box without a mask with the flow inside it', async () => {
    const t = 11;
    const { track } = movingObject(t);
    const truth = (frame: number) => {
      const o = world.annotate(world.render(frame)).objects.find((x) => x.trackId === track)!;
      return { x: o.box[0], y: o.box[1], w: o.box[2], h: o.box[3] };
    };
    const a = store.addHumanAnnotation({ videoId: video.id, frameIdx: t, classId, box: truth(t) });
    const plan = await carry(a.id, 3);
    expect(plan).toMatchObject({ stoppedAt: t + 4, reason: 'limit' });
    expect(plan.frames[2]!.rle).toBeUndefined();
    expect(boxIou(plan.frames[2]!.bbox, truth(t + 3))).toBeGreaterThan(boxIou(truth(t), truth(t + 3)) + 0.1);
  });

  it('stops before a frame a person edited, and plans nothing when that is the next one', async () => {
    const t = 2;
    const box = { x: 40, y: 40, w: 30, h: 30 };
    const a = store.addHumanAnnotation({ videoId: video.id, frameIdx: t, classId, box });
    store.addHumanAnnotation({ videoId: video.id, frameIdx: t + 3, classId, box });
    const plan = await carry(a.id, 10);
    expect(plan).toMatchObject({ stoppedAt: t + 3, reason: 'human-edited' });
    expect(plan.frames.map((f) => f.frameIdx)).toEqual([t + 1, t + 2]);
    store.setFrameVerified(video.id, t + 1, true);
    expect(await carry(a.id, 10)).toEqual({ frames: [], stoppedAt: t + 1, reason: 'human-edited' });
  });

  it('carries over a frame that holds an earlier carried correction (the new carry replaces it)', async () => {
    const t = 6;
    const box = { x: 60, y: 60, w: 30, h: 30 };
    const a = store.addHumanAnnotation({ videoId: video.id, frameIdx: t, classId, box });
    store.addCarriedAnnotation({ videoId: video.id, frameIdx: t + 1, classId, box, replaces: [] });
    expect(store.getFrame(video.id, t + 1).state).toBe('carried');
    const plan = await carry(a.id, 2);
    expect(plan).toMatchObject({ stoppedAt: t + 3, reason: 'limit' });
    expect(plan.frames.map((f) => f.frameIdx)).toEqual([t + 1, t + 2]);
  });

  it('stops before the next DFF key frame', async () => {
    const t = 30;
    const run = store.createRun({
      packName: 'default',
      packPath: packDir,
      packHash: 'sha256:test',
      params: { videoId: video.id, from: 30, to: 36, mode: { kind: 'fixed', k: 4 } },
      executionProvider: 'cpu',
    });
    store.writeMachineResults(run.id, video.id, [30, 31, 32, 33, 34, 35].map((i) => ({
      frameIdx: i,
      state: i % 4 === 2 ? ('predicted' as const) : ('propagated' as const),
      score: null,
      dffKey: i % 4 === 2,
      annotations: [],
    })));
    store.updateRun(run.id, { status: 'done' });
    const a = store.addHumanAnnotation({ videoId: video.id, frameIdx: t, classId, box: { x: 10, y: 10, w: 40, h: 40 } });
    const plan = await carry(a.id, 20);
    expect(plan).toMatchObject({ stoppedAt: 34, reason: 'key-frame' });
    expect(plan.frames.map((f) => f.frameIdx)).toEqual([31, 32, 33]);
  });

  it('stops at the end of the video', async () => {
    const a = store.addHumanAnnotation({ videoId: video.id, frameIdx: 37, classId, box: { x: 100, y: 60, w: 40, h: 40 } });
    const plan = await carry(a.id, 10);
    expect(plan).toMatchObject({ stoppedAt: 40, reason: 'end' });
    expect(plan.frames.map((f) => f.frameIdx)).toEqual([38, 39]);
  });

  it('refuses a limit outside 1–300 and an annotation that does not exist', async () => {
    const a = store.addHumanAnnotation({ videoId: video.id, frameIdx: 0, classId, box: { x: 10, y: 10, w: 20, h: 20 } });
    for (const limit of [0, 301, 2.5]) {
      await expect(carry(a.id, limit)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('1 to 300') });
    }
    await expect(carry(99999, 5)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
