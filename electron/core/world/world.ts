/**
 * The generated video world: a deterministic synthetic clip (from a seed) with exact ground truth for every
 * frame. This is the entry point; the files beside it are its parts.
 */
import { annotateFrame, finishAnnotations, type ClipAnnotations, type FrameAnnotation } from './annotations';
import { WORLD_CLASSES } from './classes';
import { flowBetween } from './flow';
import { resolveParams, type ResolvedParams, type WorldParams } from './params';
import { renderFrame, renderIds, type RenderedFrame, type RenderOptions } from './render';
import { planScene, type Scene } from './scene';

export const WORLD_FORMAT = 'dff-world/1';

export interface WorldClassInfo {
  id: number;
  name: string;
  color: [number, number, number];
  hasInstances: true;
}

export interface World {
  params: ResolvedParams;
  scene: Scene;
  classes: WorldClassInfo[];
  /** ref(i): the reference frame of frame i's flow file. */
  ref(i: number): number;
  /** Frame i with its instance and semantic maps. */
  render(i: number, options?: RenderOptions): RenderedFrame;
  /**
   * Flow from frame i to frame k at full resolution (u, v interleaved): pixel p of frame i shows the scene
   * point at p + M(p) in frame k. Pass frame i's instance map if you have it, to skip re-rendering it.
   */
  flowToFrame(i: number, k: number, instancesOfI?: Uint16Array): Float32Array;
  /** Boxes, areas and visibility of the objects in a rendered frame. */
  annotate(frame: RenderedFrame): FrameAnnotation;
  /** Tracks and actions from every frame's annotation (in order), plus those frames. */
  finish(frames: FrameAnnotation[]): ClipAnnotations;
  /** Renders every frame's id maps and returns the clip's full annotations. */
  annotations(): ClipAnnotations;
}

/** The class table written to meta.json: ids 1..C (0 is background and not listed). */
export function classTable(): WorldClassInfo[] {
  return WORLD_CLASSES.map((c) => ({ id: c.id, name: c.name, color: [...c.color], hasInstances: true }));
}

export function createWorld(params: WorldParams): World {
  const resolved = resolveParams(params);
  const scene = planScene(resolved);
  const checkIndex = (what: string, i: number) => {
    if (!Number.isInteger(i) || i < 0 || i >= resolved.frameCount) {
      throw new RangeError(`${what} ${i} is outside the clip (0..${resolved.frameCount - 1})`);
    }
  };
  return {
    params: resolved,
    scene,
    classes: classTable(),
    ref(i) {
      checkIndex('frame', i);
      return scene.refs[i]!;
    },
    render: (i, options) => renderFrame(scene, i, options),
    flowToFrame(i, k, instancesOfI) {
      checkIndex('frame', i);
      checkIndex('target frame', k);
      return flowBetween(scene, instancesOfI ?? renderIds(scene, i).instances, i, k);
    },
    annotate: (frame) => annotateFrame(scene, frame.index, frame.instances, frame.fullArea),
    finish: (frames) => finishAnnotations(scene, frames),
    annotations() {
      const frames: FrameAnnotation[] = [];
      for (let i = 0; i < resolved.frameCount; i++) {
        const ids = renderIds(scene, i);
        frames.push(annotateFrame(scene, i, ids.instances, ids.fullArea));
      }
      return finishAnnotations(scene, frames);
    },
  };
}
