/**
 * Action suggestions for one video: the pack's action model over sliding clip windows (proposals.ts turns
 * their scores into segments), written to the video's lane as pending suggestions at the end. Accepted,
 * edited and rejected segments are the store's to protect (replaceActionSuggestions); a cancelled or failed
 * run writes nothing.
 *
 * Frames are decoded once, in order, at the model's size (ffmpeg scales) and kept normalised only while a
 * pending window needs them, so memory stays flat with the video's length. onnxruntime-node runs a session
 * on the calling thread: between windows the loop yields a full event-loop turn, so the UI server stays
 * responsive (one window blocks it for one clip's inference, a few ms to tens of ms).
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ActionSuggestResult } from '../../common/action-schemas';
import { defaultPackDir } from '../api/dff';
import type { TaskRunner } from '../api/tasks';
import { readFrames } from '../dff/frame-reader';
import { defaultProviderChain } from '../dff/providers';
import { AppError } from '../errors';
import { loadActionModel, type LoadedActionModel } from '../models/action-model';
import { frameToTensor } from '../models/preprocess';
import type { ProjectStore } from '../store';
import { openFrameSource, type FrameSource } from '../video';
import { clipFrames, clipSpan, FrameVotes, proposeSegments, softmax, windowStarts } from './proposals';

export interface SuggestRequest {
  videoId: number;
  /** Default: models/default. */
  packDir?: string;
  /** Execution providers tried in order (default: every one this platform lists, the best first, the CPU last). */
  providers?: string[];
  /** onnxruntime CPU threads. */
  threads?: number | null;
}

export interface SuggestProgress {
  phase: 'windows';
  /** Clip windows run so far, of `total`. */
  done: number;
  total: number;
  /** Video frames decoded and passed to the model per second. */
  fps: number;
  etaS: number | null;
}

export interface SuggestCallbacks {
  onProgress?: (p: SuggestProgress) => void;
  signal?: AbortSignal;
  /** Least time between two progress reports (default 250 ms); the first and the last are always reported. */
  progressMs?: number;
}

/** A suggestion run with its model loaded and checked, ready to go. */
export interface SuggestRun {
  videoId: number;
  /** 'name version' of the pack. */
  model: string;
  provider: string;
  providerFailures: { provider: string; error: string }[];
  /** Clip windows it will run. */
  windows: number;
  /** Runs once; releases the model whatever happens. */
  run(callbacks?: SuggestCallbacks): Promise<ActionSuggestResult>;
  /** Lets the model go without running (when `run` is never called). */
  release(): Promise<void>;
}

const PROGRESS_MS = 250;

/** Videos of a project with a suggestion run going on now: a second one on the same video is refused. */
const busy = new WeakMap<ProjectStore, Set<number>>();

/**
 * Checks the request and loads the pack's action model (a pack without one, or a graph that does not match its
 * manifest, fails here with an error naming the pack, file and tensor), so a caller can report that at once.
 */
export async function openSuggestRun(store: ProjectStore, request: SuggestRequest): Promise<SuggestRun> {
  const video = store.getVideo(request.videoId);
  const videoPath = store.locateVideo(video.id);
  const going = busy.get(store) ?? new Set<number>();
  busy.set(store, going);
  const refuseBusy = () => {
    if (going.has(video.id)) {
      throw new AppError('INVALID_INPUT', `action suggestions for video ${video.id} are being computed already; wait for that run or cancel it`, {
        videoId: video.id,
      });
    }
  };
  refuseBusy();
  const packDir = path.resolve(request.packDir ?? defaultPackDir());
  const loaded = await loadActionModel(packDir, { providers: request.providers ?? defaultProviderChain(), threads: request.threads });
  let starts: number[];
  try {
    refuseBusy(); // another run may have started while this one loaded
    starts = windowStarts(video.frameCount, loaded.spec);
  } catch (err) {
    await loaded.release();
    throw err;
  }
  going.add(video.id);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    going.delete(video.id);
    await loaded.release();
  };
  let ran = false;
  return {
    videoId: video.id,
    model: loaded.model,
    provider: loaded.provider,
    providerFailures: loaded.providerFailures,
    windows: starts.length,
    release,
    async run(callbacks = {}) {
      if (ran) throw new AppError('INTERNAL', 'a suggestion run runs once');
      ran = true;
      let source: FrameSource | null = null;
      try {
        source = await openFrameSource(videoPath, { cacheBytes: 0 });
        const proposals = await proposeOverVideo(loaded, source, video.id, video.frameCount, starts, callbacks);
        const { signal } = callbacks;
        if (signal?.aborted) throw cancelled(video.id, starts.length, starts.length);
        const { spec } = loaded;
        const ids = store.ensureActionClasses(spec.classes.slice(1).map((c) => ({ name: c.name, color: hex(c.color) })));
        const classId = (index: number) => {
          const id = ids.get(spec.classes[index]!.name); // keyed by the names as given
          if (id === undefined) throw new AppError('INTERNAL', `the project gave no id for action class '${spec.classes[index]!.name}'`);
          return id;
        };
        const { suggested, skipped } = store.replaceActionSuggestions(
          video.id,
          loaded.model,
          proposals.map((p) => ({ start: p.start, end: p.end, classId: classId(p.classIndex), score: p.score })),
        );
        return { videoId: video.id, suggested, skipped, windows: starts.length, model: loaded.model };
      } finally {
        await source?.close();
        await release();
      }
    },
  };
}

/**
 * `action.suggest`: loads the model first (a pack without one is the call's own error), then runs as a background
 * task of kind 'actions' (progress in windows, cancel through the task). `threads`: the dffThreads setting.
 */
export async function startSuggestTask(
  store: ProjectStore,
  tasks: TaskRunner,
  input: { videoId: number; packDir?: string },
  threads?: number,
): Promise<{ taskId: string }> {
  const run = await openSuggestRun(store, { ...input, threads });
  const label = `Suggesting actions on video ${run.videoId} (${run.model})`;
  return { taskId: tasks.start('actions', label, (report, signal) => run.run({ onProgress: report, signal }), run.release) };
}

/** Loads the model, runs it over the video and writes the suggestions: openSuggestRun + run. */
export async function suggestActions(store: ProjectStore, request: SuggestRequest, callbacks: SuggestCallbacks = {}): Promise<ActionSuggestResult> {
  const run = await openSuggestRun(store, request);
  return run.run(callbacks);
}

function cancelled(videoId: number, done: number, total: number): AppError {
  return new AppError('CANCELLED', `action suggestions for video ${videoId} were cancelled after ${done} of ${total} windows; nothing was written`, {
    videoId,
  });
}

const hex = (rgb: readonly number[]) => `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** Decodes the video once and runs every window as soon as its last frame is in; returns the proposals. */
async function proposeOverVideo(
  model: LoadedActionModel,
  source: FrameSource,
  videoId: number,
  frameCount: number,
  starts: number[],
  { onProgress, signal, progressMs = PROGRESS_MS }: SuggestCallbacks,
) {
  const { spec, session } = model;
  const T = spec.clipLength;
  const K = spec.classes.length;
  const plane = spec.width * spec.height;
  const input = { ...spec, layout: 'NCHW' as const };
  const clip = new Float32Array(3 * T * plane);
  const clipTensor = new ort.Tensor('float32', clip, [1, 3, T, spec.height, spec.width]);
  const votes = new FrameVotes(frameCount, K, spec);
  const buffer = new Map<number, Float32Array>(); // normalised (3, H, W) frames a pending window still needs
  const lastOf = (w: number) => Math.min(starts[w]! + clipSpan(spec) - 1, frameCount - 1);
  let next = 0; // the first window not run yet
  let decoded = 0;
  let previous: Float32Array | null = null;
  let bad = 0;
  const t0 = performance.now();
  let toldAt = -Infinity;
  const tell = (force: boolean) => {
    const now = performance.now();
    if (!onProgress || (!force && now - toldAt < progressMs)) return;
    toldAt = now;
    const s = (now - t0) / 1000;
    onProgress({ phase: 'windows', done: next, total: starts.length, fps: s > 0 ? decoded / s : 0, etaS: next ? ((starts.length - next) * s) / next : null });
  };

  const runWindow = async (w: number) => {
    for (const [t, f] of clipFrames(starts[w]!, frameCount, spec).entries()) {
      const frame = buffer.get(f)!;
      for (let c = 0; c < 3; c++) clip.set(frame.subarray(c * plane, (c + 1) * plane), (c * T + t) * plane);
    }
    const out = await session.run({ [spec.inputs.clip]: clipTensor });
    const logits = out[spec.outputs.logits]!.data as Float32Array;
    if (logits.length !== K || !logits.every(Number.isFinite)) {
      throw new AppError(
        'INVALID_INPUT',
        `${spec.file}: output '${spec.outputs.logits}' gave ${logits.length} value(s)${logits.length === K ? ' that are not all finite' : ''} for the window at frame ${starts[w]}, the manifest has ${K} action classes`,
        { file: path.join(model.dir, spec.file), tensor: spec.outputs.logits, frame: starts[w] },
      );
    }
    votes.add(starts[w]!, softmax(logits));
  };

  tell(true);
  for await (const r of readFrames(source, 0, frameCount, { width: spec.width, height: spec.height })) {
    if (signal?.aborted) throw cancelled(videoId, next, starts.length);
    // a frame that does not decode repeats the one before it (the dataset's mean colour before the first)
    if (!('rgb' in r) && ++bad === frameCount) {
      throw new AppError('DECODE_FAILED', `none of the ${frameCount} frames of video ${videoId} could be decoded (${r.error})`, { videoId });
    }
    const frame: Float32Array = 'rgb' in r ? (frameToTensor(r.rgb, spec.width, spec.height, input).data as Float32Array) : (previous ?? new Float32Array(3 * plane));
    previous = frame;
    decoded++;
    if (r.frameIdx >= starts[next]!) buffer.set(r.frameIdx, frame);
    while (next < starts.length && lastOf(next) <= r.frameIdx) {
      await runWindow(next);
      next++;
      for (const f of buffer.keys()) if (next === starts.length || f < starts[next]!) buffer.delete(f);
      tell(next === starts.length);
      await new Promise((resolve) => setImmediate(resolve)); // let the UI server and others have a turn
      if (signal?.aborted) throw cancelled(videoId, next, starts.length);
    }
    if (next === starts.length) break;
  }
  if (next < starts.length) throw new AppError('INTERNAL', `the video's frames ended before window ${next} of ${starts.length} could run`, { videoId });
  return proposeSegments(votes.means(), frameCount, K, spec.minSegmentFrames);
}
