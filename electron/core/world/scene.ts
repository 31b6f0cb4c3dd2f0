/**
 * Plans a whole clip from its seed before any pixel is drawn: the camera path over the background, every
 * object's pose in every frame (piecewise-constant motion segments, some of them labelled actions), the
 * lighting, and each frame's reference frame. Rendering and ground truth both read this plan.
 */
import { type Affine, invertAffine, similarity } from './affine';
import { WORLD_CLASSES } from './classes';
import { type DifficultyPreset, DIFFICULTY_PRESETS, type ResolvedParams } from './params';
import { mixSeed, Rng } from './prng';
import { makeBackgroundTexture, type Texture } from './texture';

export const ACTIONS = ['move_left', 'move_right', 'rotate_cw', 'rotate_ccw', 'approach', 'recede'] as const;
export type ActionName = (typeof ACTIONS)[number];

/** Largest key→current offset DFF trains on: ref(i) = i − d, d uniform in 0..MAX_REF_OFFSET. */
export const MAX_REF_OFFSET = 9;

/**
 * Constant per-frame motion from frame `start` to frame `end` (the pose moves by these rates between
 * every pair of consecutive frames in that window). `action` names it when one motion dominates.
 */
export interface MotionSegment {
  start: number;
  end: number;
  action: ActionName | null;
  vx: number; // pixels per frame
  vy: number;
  omega: number; // radians per frame, clockwise on screen
  growth: number; // relative scale change per frame
}

export interface SceneObject {
  trackId: number;
  classId: number;
  /** Larger is nearer: drawn later, on top. */
  depth: number;
  /** First and last frame the object is drawn in (it may still be outside the frame or hidden). */
  birth: number;
  death: number;
  colorA: [number, number, number];
  colorB: [number, number, number];
  patternFreq: number;
  segments: MotionSegment[];
  /** Pose per frame of the whole clip (also outside birth..death, extrapolated): x, y, angle, scale (radius, px). */
  poses: Float64Array;
}

export interface Scene {
  params: ResolvedParams;
  preset: DifficultyPreset;
  texture: Texture;
  /** Per frame: the camera map world → image. */
  camera: Affine[];
  /** Objects sorted far to near (drawing order). */
  objects: SceneObject[];
  /** Per frame: gain per RGB channel. */
  lighting: Float32Array;
  /** Per frame: its reference frame ref(i) = max(0, i − d(i)). */
  refs: Int32Array;
}

/** Local → image map of `object` at frame `t`. */
export function objectTransform(object: SceneObject, t: number): Affine {
  const p = object.poses;
  return similarity(p[t * 4 + 3]!, p[t * 4 + 2]!, p[t * 4]!, p[t * 4 + 1]!);
}

export function isAlive(object: SceneObject, t: number): boolean {
  return t >= object.birth && t <= object.death;
}

const DEG = Math.PI / 180;

function planCamera(p: ResolvedParams, preset: DifficultyPreset, texture: Texture, rng: Rng): Affine[] {
  const { width: W, height: H, frameCount: T } = p;
  const speed = preset.speed;
  const heading = rng.float() * 2 * Math.PI;
  const drift = H * rng.range(0.002, 0.007) * speed;
  const wobble = [0, 1].map(() => ({ amp: H * rng.range(0.04, 0.12) * speed, period: rng.range(60, 200), phase: rng.float() * 7 }));
  const zoom0 = rng.range(0.9, 1.2);
  const zoomAmp = rng.range(0.05, 0.18) * Math.min(speed, 1.2);
  const zoomPeriod = rng.range(80, 240);
  const zoomPhase = rng.float() * 7;
  const rollAmp = rng.range(0, 2.5) * DEG * speed;
  const rollPeriod = rng.range(90, 300);
  const rollPhase = rng.float() * 7;
  const start = [rng.float() * texture.size, rng.float() * texture.size];
  const cx = (W - 1) / 2;
  const cy = (H - 1) / 2;
  const cameras: Affine[] = [];
  for (let t = 0; t < T; t++) {
    const wx = start[0]! + drift * Math.cos(heading) * t + wobble[0]!.amp * Math.sin((2 * Math.PI * t) / wobble[0]!.period + wobble[0]!.phase);
    const wy = start[1]! + drift * Math.sin(heading) * t + wobble[1]!.amp * Math.sin((2 * Math.PI * t) / wobble[1]!.period + wobble[1]!.phase);
    const zoom = zoom0 * Math.exp(zoomAmp * Math.sin((2 * Math.PI * t) / zoomPeriod + zoomPhase));
    const roll = rollAmp * Math.sin((2 * Math.PI * t) / rollPeriod + rollPhase);
    // image = zoom · R(roll) · (world − centre) + image centre
    const m = similarity(zoom, roll, 0, 0);
    cameras.push([m[0], m[1], m[2], m[3], cx - (m[0] * wx + m[1] * wy), cy - (m[2] * wx + m[3] * wy)]);
  }
  return cameras;
}

function planLighting(p: ResolvedParams, preset: DifficultyPreset, rng: Rng): Float32Array {
  const amp = rng.range(0.08, 0.2) * preset.lighting;
  const period = rng.range(60, 240);
  const phase = rng.float() * 7;
  const tint = [0, 1, 2].map(() => ({ amp: rng.range(0, 0.05) * preset.lighting, period: rng.range(80, 300), phase: rng.float() * 7 }));
  const gains = new Float32Array(p.frameCount * 3);
  for (let t = 0; t < p.frameCount; t++) {
    const g = 1 + amp * Math.sin((2 * Math.PI * t) / period + phase);
    for (let c = 0; c < 3; c++) {
      const k = tint[c]!;
      gains[t * 3 + c] = g * (1 + k.amp * Math.sin((2 * Math.PI * t) / k.period + k.phase));
    }
  }
  return gains;
}

function planRefs(p: ResolvedParams): Int32Array {
  const rng = new Rng(mixSeed(p.seed, 0x5ef));
  const refs = new Int32Array(p.frameCount);
  for (let i = 0; i < p.frameCount; i++) refs[i] = Math.max(0, i - rng.int(0, MAX_REF_OFFSET));
  return refs;
}

interface Pose {
  x: number;
  y: number;
  angle: number;
  scale: number;
}

/** Everything object planning needs to know about the clip. */
class ObjectPlanner {
  readonly W: number;
  readonly H: number;
  readonly T: number;
  readonly speed: number;
  readonly minScale: number;
  readonly maxScale: number;

  constructor(
    p: ResolvedParams,
    preset: DifficultyPreset,
    private readonly rng: Rng,
  ) {
    this.W = p.width;
    this.H = p.height;
    this.T = p.frameCount;
    this.speed = preset.speed;
    this.minScale = 0.045 * p.height;
    this.maxScale = 0.135 * p.height;
  }

  /** Whether a pose's bounding circle overlaps the frame. */
  overlapsFrame(pose: Pose): boolean {
    return pose.x + pose.scale > 0 && pose.x - pose.scale < this.W - 1 && pose.y + pose.scale > 0 && pose.y - pose.scale < this.H - 1;
  }

  /** A small drift added to the dominant motion of labelled segments. */
  private jitter(): Pick<MotionSegment, 'vx' | 'vy' | 'omega'> {
    const { rng, H, speed } = this;
    return { vx: rng.range(-1, 1) * 0.0012 * H * speed, vy: rng.range(-1, 1) * 0.0012 * H * speed, omega: rng.range(-0.4, 0.4) * DEG };
  }

  /** The segment an object that has entered the frame follows next, starting at frame `start`. */
  nextSegment(start: number, pose: Pose, leaving: boolean): MotionSegment {
    const { rng, W, H, speed } = this;
    if (leaving) {
      // Head for the nearer side edge and keep going until out.
      const dir = pose.x < W / 2 ? -1 : 1;
      const vx = dir * rng.range(0.008, 0.014) * H * speed;
      const distance = dir < 0 ? pose.x + pose.scale : W - pose.x + pose.scale;
      const len = Math.ceil(distance / Math.abs(vx)) + 3;
      return { start, end: start + len, action: dir < 0 ? 'move_left' : 'move_right', ...this.jitter(), vx, growth: 0 };
    }
    const len = rng.int(10, 30);
    const kinds = ['move', 'rotate', 'scale', 'mixed'] as const;
    const kind = kinds[rng.weighted([0.28, 0.24, 0.2, 0.28])]!;
    if (kind === 'move') {
      let dir = rng.sign();
      const v = rng.range(0.007, 0.014) * H * speed;
      const endX = pose.x + dir * v * len;
      if (endX < 0.08 * W || endX > 0.92 * W) dir = -dir;
      return { start, end: start + len, action: dir < 0 ? 'move_left' : 'move_right', ...this.jitter(), vx: dir * v, growth: 0 };
    }
    if (kind === 'rotate') {
      const dir = rng.sign();
      const omega = dir * rng.range(3, 7) * DEG * Math.min(speed, 1.4);
      return { start, end: start + len, action: dir > 0 ? 'rotate_cw' : 'rotate_ccw', ...this.jitter(), omega, growth: 0 };
    }
    if (kind === 'scale') {
      const rate = rng.range(0.012, 0.025) * Math.min(speed, 1.3);
      const grows = pose.scale * (1 + rate) ** len <= this.maxScale;
      const shrinks = pose.scale * (1 - rate) ** len >= this.minScale;
      const preferGrow = rng.float() < 0.5;
      if (grows && (preferGrow || !shrinks)) return { start, end: start + len, action: 'approach', ...this.jitter(), growth: rate };
      if (shrinks) return { start, end: start + len, action: 'recede', ...this.jitter(), growth: -rate };
      // Neither fits between the size limits: fall through to an unlabelled mixed motion.
    }
    const heading = rng.float() * 2 * Math.PI;
    const v = rng.range(0.001, 0.005) * H * speed;
    let vx = v * Math.cos(heading);
    let vy = v * Math.sin(heading);
    const endX = pose.x + vx * len;
    const endY = pose.y + vy * len;
    if (endX < 0.1 * W || endX > 0.9 * W) vx = -vx;
    if (endY < 0.1 * H || endY > 0.9 * H) vy = -vy;
    const growth = rng.range(-0.005, 0.005);
    const keepsSize = pose.scale * (1 + growth) ** len;
    return {
      start,
      end: start + len,
      action: null,
      vx,
      vy,
      omega: rng.range(-1.5, 1.5) * DEG * speed,
      growth: keepsSize > this.maxScale || keepsSize < this.minScale ? 0 : growth,
    };
  }

  /** A pose just outside a random edge and the segment that carries the object fully into the frame. */
  entry(start: number, scale: number): { pose: Pose; segment: MotionSegment } {
    const { rng, W, H, speed } = this;
    const edge = rng.weighted([0.35, 0.35, 0.15, 0.15]); // left, right, top, bottom
    const v = rng.range(0.007, 0.013) * H * speed;
    const angle = rng.float() * 2 * Math.PI;
    const jitter = this.jitter();
    if (edge <= 1) {
      const dir = edge === 0 ? 1 : -1;
      const pose = { x: edge === 0 ? -scale : W - 1 + scale, y: rng.range(0.15, 0.85) * H, angle, scale };
      const len = Math.ceil((2 * scale + 0.05 * W) / v) + rng.int(0, 10);
      return { pose, segment: { start, end: start + len, action: dir > 0 ? 'move_right' : 'move_left', ...jitter, vx: dir * v, growth: 0 } };
    }
    const dir = edge === 2 ? 1 : -1;
    const pose = { x: rng.range(0.15, 0.85) * W, y: edge === 2 ? -scale : H - 1 + scale, angle, scale };
    const len = Math.ceil((2 * scale + 0.05 * H) / v) + rng.int(0, 10);
    return { pose, segment: { start, end: start + len, action: null, ...jitter, vy: dir * v, growth: 0 } };
  }

  /**
   * Simulates one object born at `birth` over the whole clip. Returns null when it never overlaps the
   * frame while alive (such an object would have no pixels, so it gets no track).
   */
  simulate(birth: number, inFrameAtBirth: boolean): Omit<SceneObject, 'trackId' | 'depth'> | null {
    const { rng, T, W, H } = this;
    const classId = rng.int(1, WORLD_CLASSES.length);
    const scale = rng.range(0.05, 0.125) * H;
    let pose: Pose;
    let segment: MotionSegment;
    if (inFrameAtBirth) {
      pose = { x: rng.range(scale, W - scale), y: rng.range(scale, H - scale), angle: rng.float() * 2 * Math.PI, scale };
      segment = this.nextSegment(birth, pose, false);
    } else {
      ({ pose, segment } = this.entry(birth, scale));
    }
    const segments = [segment];
    const poses = new Float64Array(T * 4);
    const maxAge = rng.int(60, 200);
    let entered = false;
    let death = T - 1;
    let dead = false;
    for (let t = birth; t < T; t++) {
      poses.set([pose.x, pose.y, pose.angle, pose.scale], t * 4);
      const visible = this.overlapsFrame(pose);
      if (!dead) {
        if (visible) entered = true;
        else if (entered) {
          death = t - 1;
          dead = true;
        }
      }
      if (t === segment.end && !dead) {
        segment = this.nextSegment(t, pose, t - birth >= maxAge);
        segments.push(segment);
      }
      pose = {
        x: pose.x + segment.vx,
        y: pose.y + segment.vy,
        angle: pose.angle + segment.omega,
        scale: pose.scale * (1 + segment.growth),
      };
    }
    if (!entered) return null;
    // After death the last segment simply continues (the poses there only serve the flow).
    segments[segments.length - 1]!.end = Math.max(segments[segments.length - 1]!.end, T - 1);
    // Before birth: the first segment's motion, run backwards.
    const first = segments[0]!;
    for (let t = birth - 1; t >= 0; t--) {
      const n = t + 1;
      poses[t * 4] = poses[n * 4]! - first.vx;
      poses[t * 4 + 1] = poses[n * 4 + 1]! - first.vy;
      poses[t * 4 + 2] = poses[n * 4 + 2]! - first.omega;
      poses[t * 4 + 3] = poses[n * 4 + 3]! / (1 + first.growth);
    }
    const nominal = WORLD_CLASSES[classId - 1]!.color;
    const base =
      rng.float() < 0.3 ? WORLD_CLASSES[rng.int(0, WORLD_CLASSES.length - 1)]!.color : nominal; // colour alone must not give the class away
    const colorA = base.map((c) => Math.max(0, Math.min(255, c + rng.range(-30, 30)))) as [number, number, number];
    const luminance = 0.3 * colorA[0] + 0.59 * colorA[1] + 0.11 * colorA[2];
    const colorB = colorA.map((c) => (luminance > 110 ? c * 0.3 : c * 0.3 + 0.7 * 235)) as [number, number, number];
    return { classId, birth, death, colorA, colorB, patternFreq: rng.range(0.8, 1.25), segments, poses };
  }
}

function planObjects(p: ResolvedParams, preset: DifficultyPreset, rng: Rng): SceneObject[] {
  const planner = new ObjectPlanner(p, preset, rng);
  const planned: Omit<SceneObject, 'trackId'>[] = [];
  for (let slot = 0; slot < p.objects; slot++) {
    const startsInFrame = rng.float() < 0.7;
    let birth = startsInFrame ? 0 : rng.int(0, Math.min(p.frameCount - 1, 30));
    let inFrame = startsInFrame;
    while (birth < p.frameCount) {
      const object = planner.simulate(birth, inFrame);
      const depth = rng.float();
      if (object) planned.push({ ...object, depth });
      if (!object || object.death >= p.frameCount - 1) break;
      birth = object.death + 1 + rng.int(0, 20);
      inFrame = false;
    }
  }
  // Track ids in order of birth (then depth), drawing order far to near.
  planned.sort((a, b) => a.birth - b.birth || a.depth - b.depth);
  const objects = planned.map((o, i) => ({ ...o, trackId: i + 1 }));
  return objects.sort((a, b) => a.depth - b.depth);
}

export function planScene(params: ResolvedParams): Scene {
  const preset = DIFFICULTY_PRESETS[params.difficulty];
  const size = 2 ** Math.ceil(Math.log2(Math.max(params.width, params.height) * 1.6));
  const texture = makeBackgroundTexture(size, params.height * 0.5, new Rng(mixSeed(params.seed, 0x7e7)));
  return {
    params,
    preset,
    texture,
    camera: planCamera(params, preset, texture, new Rng(mixSeed(params.seed, 0xca3))),
    objects: planObjects(params, preset, new Rng(mixSeed(params.seed, 0x0b1))),
    lighting: planLighting(params, preset, new Rng(mixSeed(params.seed, 0x119))),
    refs: planRefs(params),
  };
}

/** Image → world map of the camera at frame t. */
export function cameraInverse(scene: Scene, t: number): Affine {
  return invertAffine(scene.camera[t]!);
}
