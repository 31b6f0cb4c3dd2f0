import { describe, expect, it } from 'vitest';
import { AppError } from '../../electron/core/errors';
import { ACTIONS, MAX_REF_OFFSET } from '../../electron/core/world/scene';
import { createWorld, type World } from '../../electron/core/world/world';
import { WORLD_CLASSES } from '../../electron/core/world/classes';
import { meanAbsDiff, warpByFlow } from './warp';

const W = 160;
const H = 96;
const clean = { sensorNoise: false, lighting: false };

/** A longer, busier clip: every class, entries, exits, occlusions and actions happen in it. */
const busy = createWorld({ seed: 11, width: W, height: H, frameCount: 150, objects: 8 });
const busyAnnotations = busy.annotations();

const touchesBorder = ([x, y, w, h]: number[]) => x === 0 || y === 0 || x + w! === W || y + h! === H;

function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('generated world: determinism', () => {
  it('gives identical frames, maps, flow and annotations for the same seed, whatever the rendering order', () => {
    const params = { seed: 5, width: W, height: H, frameCount: 40 };
    const a = createWorld(params);
    const b = createWorld(params);
    for (let i = 0; i < 30; i++) a.render(i); // a renders frames in order, b jumps straight to each
    for (const i of [0, 17, 39]) {
      const fa = a.render(i);
      const fb = b.render(i);
      expect(sameBytes(fa.rgb, fb.rgb)).toBe(true);
      expect(sameBytes(fa.instances, fb.instances)).toBe(true);
      expect(sameBytes(fa.semantic, fb.semantic)).toBe(true);
      expect(sameBytes(a.flowToFrame(i, a.ref(i)), b.flowToFrame(i, b.ref(i)))).toBe(true);
    }
    expect(a.annotations()).toEqual(b.annotations());
  });

  it('gives different frames and ground truth for a different seed', () => {
    const a = createWorld({ seed: 5, width: W, height: H, frameCount: 20 });
    const b = createWorld({ seed: 6, width: W, height: H, frameCount: 20 });
    expect(sameBytes(a.render(10).rgb, b.render(10).rgb)).toBe(false);
    expect(sameBytes(a.render(10).instances, b.render(10).instances)).toBe(false);
    expect(a.annotations()).not.toEqual(b.annotations());
  });

  it('changes pixels but not geometry between renders with and without noise and lighting', () => {
    const noisy = busy.render(50);
    const plain = busy.render(50, clean);
    expect(sameBytes(noisy.instances, plain.instances)).toBe(true);
    const all = new Uint8Array(W * H).fill(1);
    const diff = meanAbsDiff(noisy.rgb, plain.rgb, all).mean;
    expect(diff).toBeGreaterThan(1); // noise σ = 3 plus the lighting gain
    expect(diff).toBeLessThan(40);
  });
});

describe('generated world: ground truth agrees with the pixels', () => {
  it('has a semantic map that is the class of the instance map', () => {
    const classOf = new Map(busy.scene.objects.map((o) => [o.trackId, o.classId]));
    for (const i of [0, 40, 90, 149]) {
      const f = busy.render(i);
      let drawn = 0;
      for (let p = 0; p < W * H; p++) {
        const id = f.instances[p]!;
        expect(f.semantic[p]).toBe(id === 0 ? 0 : classOf.get(id));
        if (id) drawn++;
      }
      expect(drawn).toBeGreaterThan(0);
    }
  });

  it('has boxes and areas equal to the bounding box and pixel count of each instance mask', () => {
    for (const i of [3, 60, 120]) {
      const f = busy.render(i);
      const annotation = busy.annotate(f);
      const ids = new Set(f.instances);
      ids.delete(0);
      expect(annotation.objects.map((o) => o.trackId).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
      for (const o of annotation.objects) {
        let [x0, y0, x1, y1, area] = [W, H, -1, -1, 0];
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            if (f.instances[y * W + x] !== o.trackId) continue;
            area++;
            x0 = Math.min(x0, x);
            x1 = Math.max(x1, x);
            y0 = Math.min(y0, y);
            y1 = Math.max(y1, y);
          }
        }
        expect(o.box).toEqual([x0, y0, x1 - x0 + 1, y1 - y0 + 1]);
        expect(o.area).toBe(area);
      }
    }
  });

  it('draws each object exactly on its mask: instance pixels carry a mix of that object\'s two colours', () => {
    const byId = new Map(busy.scene.objects.map((o) => [o.trackId, o]));
    for (const i of [10, 100]) {
      const f = busy.render(i, clean);
      let checked = 0;
      for (let p = 0; p < W * H; p++) {
        const id = f.instances[p]!;
        if (!id) continue;
        const { colorA: a, colorB: b } = byId.get(id)!;
        // Distance of the pixel's colour from the segment a–b (rounding to bytes moves it by ≤ 0.87).
        const ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
        const ap = [0, 1, 2].map((c) => f.rgb[p * 3 + c]! - a[c]!);
        const len2 = ab[0]! ** 2 + ab[1]! ** 2 + ab[2]! ** 2;
        const t = Math.max(0, Math.min(1, (ap[0]! * ab[0]! + ap[1]! * ab[1]! + ap[2]! * ab[2]!) / len2));
        const dist = Math.hypot(ap[0]! - t * ab[0]!, ap[1]! - t * ab[1]!, ap[2]! - t * ab[2]!);
        expect(dist).toBeLessThan(1);
        checked++;
      }
      expect(checked).toBeGreaterThan(100);
    }
  });

  it('gives visibleFraction 1 to objects nothing covers or cuts, and less to occluded ones', () => {
    let whole = 0;
    let occluded = 0;
    for (const frame of busyAnnotations.frames) {
      for (const o of frame.objects) {
        expect(o.visibleFraction).toBeGreaterThan(0);
        expect(o.visibleFraction).toBeLessThanOrEqual(1);
        const object = busy.scene.objects.find((s) => s.trackId === o.trackId)!;
        const pose = (s: typeof object) => Array.from(s.poses.subarray(frame.index * 4, frame.index * 4 + 4));
        const [x, y, , r] = pose(object);
        const inside = x! - r! > 1 && y! - r! > 1 && x! + r! < W - 2 && y! + r! < H - 2;
        const covered = busy.scene.objects.some((s) => {
          if (s.depth <= object.depth || frame.index < s.birth || frame.index > s.death) return false;
          const [sx, sy, , sr] = pose(s);
          return Math.hypot(sx! - x!, sy! - y!) < sr! + r! + 2;
        });
        if (inside && !covered) {
          expect(o.visibleFraction).toBe(1);
          whole++;
        }
        if (!touchesBorder(o.box) && o.visibleFraction < 0.9) occluded++;
      }
    }
    expect(whole).toBeGreaterThan(50);
    expect(occluded).toBeGreaterThan(5);
  });

  it('shows every class, and objects that enter and leave the frame', () => {
    const classes = new Set(busyAnnotations.tracks.map((t) => t.classId));
    expect([...classes].sort()).toEqual(WORLD_CLASSES.map((c) => c.id));
    const boxOf = (index: number, trackId: number) =>
      busyAnnotations.frames[index]!.objects.find((o) => o.trackId === trackId)!.box;
    const entering = busyAnnotations.tracks.filter((t) => t.firstFrame > 0 && touchesBorder(boxOf(t.firstFrame, t.trackId)));
    const leaving = busyAnnotations.tracks.filter((t) => t.lastFrame < 149 && touchesBorder(boxOf(t.lastFrame, t.trackId)));
    expect(entering.length).toBeGreaterThan(0);
    expect(leaving.length).toBeGreaterThan(0);
    for (const t of busyAnnotations.tracks) {
      const seen = busyAnnotations.frames.filter((f) => f.objects.some((o) => o.trackId === t.trackId)).map((f) => f.index);
      expect([seen[0], seen.at(-1)]).toEqual([t.firstFrame, t.lastFrame]);
    }
  });

  it('draws every object with the area its outline and planned scale give', () => {
    // Each outline's area in its unit frame, measured on a fine grid (independent of the renderer).
    const unitArea = new Map(
      WORLD_CLASSES.map((c) => {
        let n = 0;
        const steps = 400;
        for (let y = 0; y < steps; y++) {
          for (let x = 0; x < steps; x++) if (c.inside(-1 + (2 * (x + 0.5)) / steps, -1 + (2 * (y + 0.5)) / steps)) n++;
        }
        return [c.id, (4 * n) / (steps * steps)];
      }),
    );
    let checked = 0;
    for (const i of [0, 50, 100]) {
      const f = busy.render(i);
      for (const o of busy.scene.objects) {
        const area = f.fullArea.get(o.trackId);
        if (area === undefined) continue;
        const scale = o.poses[i * 4 + 3]!;
        expect(Math.abs(area / (unitArea.get(o.classId)! * scale * scale) - 1)).toBeLessThan(0.12);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('sizes objects at roughly 1/10 to 1/4 of the frame height', () => {
    for (const o of busy.scene.objects) {
      const diameter = 2 * o.poses[o.birth * 4 + 3]!;
      expect(diameter).toBeGreaterThanOrEqual(0.09 * H);
      expect(diameter).toBeLessThanOrEqual(0.27 * H);
    }
  });

  it('draws each frame\'s reference from 0..9 frames back, covering every offset', () => {
    const offsets = new Set<number>();
    for (const f of busyAnnotations.frames) {
      expect(f.ref).toBe(busy.ref(f.index));
      expect(f.ref).toBeLessThanOrEqual(f.index);
      expect(f.ref).toBeGreaterThanOrEqual(Math.max(0, f.index - MAX_REF_OFFSET));
      offsets.add(f.index - f.ref);
    }
    expect([...offsets].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('generated world: flow', () => {
  function warpError(world: World, i: number, k: number) {
    const fi = world.render(i, clean);
    const fk = world.render(k, clean);
    const flow = world.flowToFrame(i, k, fi.instances);
    const warped = warpByFlow(fk.rgb, flow, W, H, { ids: fi.instances, sourceIds: fk.instances });
    const zero = warpByFlow(fk.rgb, new Float32Array(W * H * 2), W, H, { ids: fi.instances, sourceIds: fk.instances });
    // Compare on pixels visible in both frames under the true flow.
    const both = warped.valid;
    return {
      background: meanAbsDiff(warped.image, fi.rgb, both, (p) => fi.instances[p] === 0),
      objects: meanAbsDiff(warped.image, fi.rgb, both, (p) => fi.instances[p] !== 0),
      zeroFlow: meanAbsDiff(zero.image, fi.rgb, both),
    };
  }

  it('is zero from a frame to itself', () => {
    for (const i of [0, 77]) expect(busy.flowToFrame(i, i).every((v) => v === 0)).toBe(true);
  });

  it('warps frame k onto frame i on pixels visible in both (backwards, forwards, up to 9 frames)', () => {
    const hard = createWorld({ seed: 3, width: W, height: H, frameCount: 60, objects: 8, difficulty: 'hard' });
    for (const [i, k] of [
      [20, 11],
      [40, 35],
      [10, 19],
      [50, 49],
    ] as const) {
      const e = warpError(hard, i, k);
      expect(e.background.count).toBeGreaterThan(W * H * 0.5);
      expect(e.objects.count).toBeGreaterThan(100);
      expect(e.background.mean).toBeLessThan(1.5);
      expect(e.objects.mean).toBeLessThan(5);
      // The motion is real: without the flow the same pixels disagree far more.
      expect(e.zeroFlow.mean).toBeGreaterThan(4 * e.background.mean);
    }
  });

  it('is finite everywhere, also for objects that are not drawn in the target frame', () => {
    for (const t of busyAnnotations.tracks.filter((t) => t.firstFrame > 5).slice(0, 3)) {
      const flow = busy.flowToFrame(t.firstFrame, t.firstFrame - 5);
      expect(flow.every(Number.isFinite)).toBe(true);
    }
  });

  it('agrees with the actions: the labelled motion dominates the flow of the object\'s pixels', () => {
    const seen = new Set<string>();
    for (const action of busyAnnotations.actions) {
      // First frame of the window where enough of the object shows.
      const frame = busyAnnotations.frames
        .slice(action.start, action.end)
        .find((f) => (f.objects.find((o) => o.trackId === action.trackId)?.area ?? 0) >= 40);
      if (!frame) continue;
      const ids = busy.render(frame.index).instances;
      const flow = busy.flowToFrame(frame.index, frame.index + 1, ids);
      const pixels: [number, number][] = [];
      for (let p = 0; p < W * H; p++) if (ids[p] === action.trackId) pixels.push([p % W, Math.floor(p / W)]);
      const cx = pixels.reduce((s, [x]) => s + x, 0) / pixels.length;
      const cy = pixels.reduce((s, [, y]) => s + y, 0) / pixels.length;
      let [u, v, cross, dot, r2] = [0, 0, 0, 0, 0];
      for (const [x, y] of pixels) {
        const p = y * W + x;
        const [fu, fv, dx, dy] = [flow[p * 2]!, flow[p * 2 + 1]!, x - cx, y - cy];
        u += fu / pixels.length;
        v += fv / pixels.length;
        cross += dx * fv - dy * fu; // > 0: clockwise on screen (y points down)
        dot += dx * fu + dy * fv; // > 0: growing
        r2 += dx * dx + dy * dy;
      }
      const turn = cross / r2; // radians per frame
      const growth = dot / r2;
      switch (action.action) {
        case 'move_left':
        case 'move_right':
          expect(Math.sign(u)).toBe(action.action === 'move_left' ? -1 : 1);
          expect(Math.abs(u)).toBeGreaterThan(2 * Math.abs(v));
          expect(Math.abs(u)).toBeGreaterThan(0.005 * H);
          break;
        case 'rotate_cw':
        case 'rotate_ccw':
          expect(Math.sign(turn)).toBe(action.action === 'rotate_cw' ? 1 : -1);
          expect(Math.abs(turn)).toBeGreaterThan((2.5 * Math.PI) / 180);
          break;
        case 'approach':
        case 'recede':
          expect(Math.sign(growth)).toBe(action.action === 'approach' ? 1 : -1);
          expect(Math.abs(growth)).toBeGreaterThan(0.008);
          break;
      }
      seen.add(action.action);
    }
    expect([...seen].sort()).toEqual([...ACTIONS].sort());
  });
});

describe('generated world: bad input', () => {
  it('names the parameter that is wrong', () => {
    const bad = (params: object, pattern: RegExp) => {
      try {
        createWorld({ seed: 1, width: W, height: H, frameCount: 10, ...params });
      } catch (err) {
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('INVALID_INPUT');
        expect((err as AppError).message).toMatch(pattern);
        return;
      }
      throw new Error(`accepted ${JSON.stringify(params)}`);
    };
    bad({ width: 0 }, /width.*got 0/);
    bad({ height: 12.5 }, /height.*got 12.5/);
    bad({ frameCount: -3 }, /frameCount.*got -3/);
    bad({ seed: -1 }, /seed.*got -1/);
    bad({ difficulty: 'extreme' }, /difficulty.*extreme/);
    bad({ objects: 1000 }, /objects.*got 1000/);
  });

  it('rejects frames outside the clip', () => {
    const world = createWorld({ seed: 1, width: 32, height: 32, frameCount: 10 });
    expect(() => world.render(10)).toThrow(/frame 10 is outside the clip \(0\.\.9\)/);
    expect(() => world.flowToFrame(2, -1)).toThrow(/target frame -1/);
  });
});
