/**
 * DFF runs as background tasks of a session, and the reads that show their results: a frame's boxes and
 * masks, and every frame's state in one compact string for the timeline.
 */
import path from 'node:path';
import {
  type DffResult,
  type DffStartOptions,
  type FrameAnnotations,
  type FrameStates,
  type PackInfo,
} from '../../common/api';
import { appRoot } from '../app-paths';
import { resumeRun, startRun, type RunHandle } from '../dff/engine';
import type { RunMode, RunOutcome, RunProgress } from '../dff/types';
import { AppError } from '../errors';
import { loadActionModel } from '../models/action-model';
import { loadPack, readManifest } from '../models/load-pack';
import type { ProjectStore } from '../store';
import type { TaskProgress, TaskRunner } from './tasks';

export function defaultPackDir(): string {
  return path.join(appRoot(), 'models', 'default');
}

type Launch = (callbacks: { onProgress: (p: RunProgress) => void; signal: AbortSignal }) => Promise<RunHandle>;

/**
 * Starts the run (the pack loads before this returns, so a bad pack is the call's own error), then hands
 * it to the task runner: cancelling the task cancels the run, which keeps what it wrote and can be resumed.
 */
async function runAsTask(tasks: TaskRunner, label: string, launch: Launch): Promise<{ taskId: string; runId: number }> {
  const controller = new AbortController();
  let report: ((p: TaskProgress) => void) | null = null; // set once the task starts: no event before the reply
  const handle = await launch({
    signal: controller.signal,
    onProgress: (p) => report?.({ phase: p.phase, done: p.done, total: p.total, fps: p.fps, etaS: p.etaS }),
  });
  const taskId = tasks.start('dff', `${label} (run ${handle.runId})`, async (taskReport, signal) => {
    report = taskReport;
    signal.addEventListener('abort', () => controller.abort(), { once: true });
    if (signal.aborted) controller.abort();
    const outcome = await handle.done;
    if (outcome.status === 'cancelled') {
      throw new AppError('CANCELLED', `DFF run ${outcome.runId} was cancelled after ${outcome.done} of ${outcome.total} frames; what it wrote is kept`, {
        runId: outcome.runId,
      });
    }
    return toResult(outcome);
  });
  return { taskId, runId: handle.runId };
}

function toResult(o: RunOutcome): DffResult {
  return {
    runId: o.runId,
    status: o.status,
    done: o.done,
    total: o.total,
    written: o.written,
    skipped: o.skipped.length,
    badFrames: o.badFrames.length,
    fps: o.fps,
  };
}

/** `threads`: onnxruntime CPU threads (the dffThreads setting). */
export async function dffStart(store: ProjectStore, tasks: TaskRunner, input: DffStartOptions, threads?: number) {
  const packDir = path.resolve(input.packDir ?? defaultPackDir());
  let mode: RunMode;
  if (input.mode === 'baseline') {
    if (input.k !== undefined) throw new AppError('INVALID_INPUT', `k (${input.k}) applies to modes 'fixed' and 'adaptive', not 'baseline'`);
    mode = { kind: 'baseline' };
  } else {
    mode = { kind: input.mode, k: input.k ?? (await readManifest(packDir)).keyInterval };
  }
  const label = mode.kind === 'baseline' ? 'Per-frame baseline' : mode.kind === 'fixed' ? `DFF k=${mode.k}` : `DFF adaptive (mean k=${mode.k})`;
  return runAsTask(tasks, label, (callbacks) =>
    startRun(store, { videoId: input.videoId, packDir, mode, from: input.from, to: input.to, threads }, callbacks),
  );
}

/** Loads a pack with full validation (every ONNX file opened and its tensors checked), then lets it go. */
export async function inspectPack(dir?: string): Promise<PackInfo> {
  const packDir = path.resolve(dir ?? defaultPackDir());
  const pack = await loadPack(packDir);
  await pack.release();
  const m = pack.manifest;
  let actions: string[] | null = null;
  if (m.action) {
    const model = await loadActionModel(packDir); // the action model is checked like the DFF networks
    await model.release();
    actions = model.spec.classes.slice(1).map((c) => c.name); // classes[0] is "none"
  }
  return {
    dir: packDir,
    name: m.name,
    version: m.version,
    description: m.description ?? null,
    keyInterval: m.keyInterval,
    inputWidth: m.input.width,
    inputHeight: m.input.height,
    classes: m.classes.map((c) => c.name),
    actions,
    isDefault: packDir === path.resolve(defaultPackDir()),
  };
}

export async function dffResume(store: ProjectStore, tasks: TaskRunner, runId: number) {
  return runAsTask(tasks, 'Resuming DFF', (callbacks) => resumeRun(store, runId, callbacks));
}

export function frameAnnotations(store: ProjectStore, videoId: number, index: number): FrameAnnotations {
  store.getFrame(videoId, index); // NOT_FOUND / OUT_OF_RANGE naming the frame
  const classes = new Map(store.listClasses().map((c) => [c.id, c]));
  const out: FrameAnnotations = { boxes: [], masks: [] };
  for (const a of store.listAnnotations(videoId, index)) {
    const cls = classes.get(a.classId);
    const common = { annotationId: a.id, classId: a.classId, className: cls?.name ?? `class ${a.classId}`, color: cls?.color ?? '#ffffff' };
    if (a.mask) out.masks.push({ ...common, size: a.mask.size, counts: a.mask.counts, score: a.score, source: a.source });
    else out.boxes.push({ ...common, ...a.box, score: a.score, source: a.source, trackId: a.trackId });
  }
  return out;
}

/** Every frame's state, key flag and score, two bytes a frame built by one SQL query (fast at 100 000 frames). */
export function frameStates(store: ProjectStore, videoId: number): FrameStates {
  const { codes, scores } = store.frameStateBytes(videoId);
  return { count: codes.length, codes: codes.toString('base64'), scores: scores.toString('base64') };
}
