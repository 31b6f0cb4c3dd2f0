/**
 * Action segments in an export. Only accepted segments leave the project (suggestions and rejected ones
 * never do), all of them for each exported video (a video with at least one selected frame), whatever
 * frame range the selection had. Seconds: start = start_frame / fps, end = (end_frame + 1) / fps (the
 * end of the last frame), with fps = the video's nominal rate.
 *
 * actions.json, written beside the annotations by every export (COCO: annotations/actions.json; Cityscapes:
 * actions.json beside gtFine/), in the layout of ActivityNet 1.3:
 *   {version, taxonomy: [{nodeName, nodeId, parentName, parentId}] (a 'Root' node 0, then every action
 *    class with its class id), database: {<video folder name, as in COCO's file_name>: {subset, duration (s),
 *    fps, frames, resolution 'WxH', annotations: [{segment: [start s, end s], segmentFrames: [start, end],
 *    label, score (null for a person's), source}]}}}
 * subset: 'training' or 'validation' when all the video's exported frames are in that split, 'mixed' when
 * a time-block split put them in both (ActivityNet tools, which filter by subset, then leave the video out).
 */
import type { ActionSegment, ProjectStore, Video } from '../store';
import { videoFolders, type ExportContext } from './export-context';
import { writeWhole } from './output-folder';

/** Where actions.json goes in an export of each format. */
export const ACTIONS_FILE = { coco: 'annotations/actions.json', cityscapes: 'actions.json' } as const;

/** One entry of a COCO `videos[].actions` list. */
export interface CocoVideoAction {
  id: number;
  category: string;
  start_frame: number;
  end_frame: number;
  segment: [number, number];
  score: number | null;
  source: ActionSegment['source'];
}

export interface ActivityNetAnnotation {
  segment: [number, number];
  segmentFrames: [number, number];
  label: string;
  score: number | null;
  source: ActionSegment['source'];
}

export interface ActivityNetVideo {
  subset: 'training' | 'validation' | 'mixed';
  duration: number;
  fps: number;
  frames: number;
  resolution: string;
  annotations: ActivityNetAnnotation[];
}

export interface ActivityNetDocument {
  version: string;
  taxonomy: Array<{ nodeName: string; nodeId: number; parentName: string | null; parentId: number | null }>;
  database: Record<string, ActivityNetVideo>;
}

const fpsOf = (v: Video) => v.fpsNum / v.fpsDen;

/** The segment's first frame's start and last frame's end, in seconds. */
export function segmentSeconds(s: Pick<ActionSegment, 'start' | 'end'>, fps: number): [number, number] {
  return [s.start / fps, (s.end + 1) / fps];
}

const accepted = (store: ProjectStore, videoId: number) => store.listActionSegments(videoId).filter((s) => s.status === 'accepted');

/** The video's accepted segments for its COCO `videos` entry; classNames: action class id → name. */
export function cocoVideoActions(store: ProjectStore, video: Video, classNames: ReadonlyMap<number, string>): CocoVideoAction[] {
  return accepted(store, video.id).map((s) => ({
    id: s.id,
    category: classNames.get(s.classId)!,
    start_frame: s.start,
    end_frame: s.end,
    segment: segmentSeconds(s, fpsOf(video)),
    score: s.score,
    source: s.source,
  }));
}

/** actions.json's content for the videos of the exported frames. */
export function activityNetDocument(ctx: Pick<ExportContext, 'store' | 'frames'>): ActivityNetDocument {
  const { store, frames } = ctx;
  const classes = store.listActionClasses();
  const names = new Map(classes.map((c) => [c.id, c.name]));
  const all = store.listVideos();
  const folders = videoFolders(all);
  const splits = new Map<number, Set<string>>();
  for (const f of frames) {
    let s = splits.get(f.videoId);
    if (!s) splits.set(f.videoId, (s = new Set()));
    s.add(f.split);
  }
  const database: Record<string, ActivityNetVideo> = {};
  for (const video of all) {
    const used = splits.get(video.id);
    if (!used) continue;
    const fps = fpsOf(video);
    database[folders.get(video.id)!] = {
      subset: used.size > 1 ? 'mixed' : used.has('val') ? 'validation' : 'training',
      duration: video.frameCount / fps,
      fps,
      frames: video.frameCount,
      resolution: `${video.width}x${video.height}`,
      annotations: accepted(store, video.id).map((s) => ({
        segment: segmentSeconds(s, fps),
        segmentFrames: [s.start, s.end],
        label: names.get(s.classId)!,
        score: s.score,
        source: s.source,
      })),
    };
  }
  return {
    version: 'VERSION 1.3',
    taxonomy: [
      { nodeName: 'Root', nodeId: 0, parentName: null, parentId: null },
      ...classes.map((c) => ({ nodeName: c.name, nodeId: c.id, parentName: 'Root', parentId: 0 })),
    ],
    database,
  };
}

/** Writes actions.json into the export; returns its path relative to the export folder. */
export async function writeActionsJson(ctx: ExportContext, format: keyof typeof ACTIONS_FILE): Promise<string> {
  const rel = ACTIONS_FILE[format];
  await writeWhole(await ctx.out.file(rel), `${JSON.stringify(activityNetDocument(ctx), null, 1)}\n`);
  return rel;
}
