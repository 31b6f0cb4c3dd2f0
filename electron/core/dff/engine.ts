/**
 * The DFF engine's API for the app and the CLI: start a run over a video, watch its progress, pause,
 * resume, cancel, and resume a run that stopped (cancelled, failed, or killed with its process).
 *
 * Decoding and onnxruntime run in a worker thread (worker.ts); this thread owns the project store and
 * writes each batch of frames in one transaction (store.writeMachineResults, which leaves frames a
 * person verified or edited alone), then the run's frames_done, so a resumed run starts right after the
 * last batch written. A batch written whose frames_done was not (a kill between the two) is redone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { AppError } from '../errors';
import { readManifest } from '../models/load-pack';
import type { InferenceRun, ProjectStore } from '../store';
import { defaultProviderChain } from './providers';
import { active, appError, finishedHandle, RunSession, stopWorker, type RunCallbacks, type RunHandle } from './run-session';
import type { LabellerInput, RunMode, RunParams, RunRequest, WorkerInput, WorkerMessage } from './types';

export type { RunCallbacks, RunHandle, RunTimings } from './run-session';

const BATCH_FRAMES = 16;
const BATCH_MS = 1000;

export async function startRun(store: ProjectStore, request: RunRequest, callbacks: RunCallbacks = {}): Promise<RunHandle> {
  const video = store.getVideo(request.videoId);
  const from = request.from ?? 0;
  const to = request.to ?? video.frameCount;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > video.frameCount || from >= to) {
    throw new AppError('OUT_OF_RANGE', `Frames [${from}, ${to}) are not a range of video ${video.id}, which has ${video.frameCount} frames`, {
      videoId: video.id,
      from,
      to,
    });
  }
  checkMode(request.mode);
  if (request.threads !== undefined && (!Number.isInteger(request.threads) || request.threads < 1)) {
    throw new AppError('INVALID_INPUT', `threads must be a whole number of at least 1, got ${request.threads}`);
  }
  const packDir = path.resolve(request.packDir);
  await readManifest(packDir); // a bad manifest fails here, before a worker starts
  const params: RunParams = {
    videoId: video.id,
    from,
    to,
    mode: request.mode,
    threads: request.threads ?? null,
    providers: request.providers?.length ? request.providers : defaultProviderChain(),
    providerFailures: [],
  };
  return launch(store, packDir, params, null, callbacks);
}

/** Continues a run that is not going on now from the frame after the last batch it wrote. */
export async function resumeRun(store: ProjectStore, runId: number, callbacks: RunCallbacks = {}): Promise<RunHandle> {
  const run = store.getRun(runId);
  if (active.get(store)?.has(runId)) throw new AppError('INVALID_INPUT', `Run ${runId} is going on now; pause or cancel it first`, { runId });
  if (run.status === 'done') throw new AppError('INVALID_INPUT', `Run ${runId} is finished; there is nothing to resume`, { runId });
  const params = paramsOf(run);
  store.getVideo(params.videoId);
  return launch(store, run.packPath, params, run, callbacks);
}

/** Runs that stopped before their last frame (cancelled, failed, paused or killed with their process). */
export function resumableRuns(store: ProjectStore): InferenceRun[] {
  const going = active.get(store);
  return store.listRuns().filter((r) => {
    if (r.status === 'done' || going?.has(r.id)) return false;
    try {
      paramsOf(r);
      return true;
    } catch {
      return false;
    }
  });
}

function checkMode(mode: RunMode): void {
  if (mode?.kind === 'baseline') return;
  if ((mode?.kind === 'fixed' || mode?.kind === 'adaptive') && Number.isInteger(mode.k) && mode.k >= 1) return;
  throw new AppError('INVALID_INPUT', `The run mode must be {kind:'fixed'|'adaptive', k ≥ 1} or {kind:'baseline'}, got ${JSON.stringify(mode)}`);
}

function paramsOf(run: InferenceRun): RunParams {
  const p = run.params as Partial<RunParams> | null;
  const ok =
    p && typeof p === 'object' && Number.isInteger(p.videoId) && Number.isInteger(p.from) && Number.isInteger(p.to) && Array.isArray(p.providers);
  if (!ok) throw new AppError('INVALID_INPUT', `Run ${run.id} was not made by the DFF engine (its parameters lack a video and frame range)`, { runId: run.id });
  checkMode(p.mode as RunMode);
  if (p.plan !== undefined && !(Array.isArray(p.plan) && p.plan[0] === p.from && p.plan.every((s, i) => Number.isInteger(s) && (i === 0 || s > p.plan![i - 1]!) && s < p.to!))) {
    throw new AppError('INVALID_INPUT', `Run ${run.id} has a damaged key plan (segment starts must rise from frame ${p.from} below ${p.to})`, { runId: run.id });
  }
  const q = p as RunParams;
  return { ...q, threads: q.threads ?? null, providerFailures: q.providerFailures ?? [] };
}

/** The worker: the bundled one beside this file in a packaged app, else the TypeScript source through tsx. */
function workerUrl(): URL {
  const bundled = new URL('./dff-worker.cjs', import.meta.url);
  return fs.existsSync(fileURLToPath(bundled)) ? bundled : new URL('./worker-entry.mjs', import.meta.url);
}

function launch(store: ProjectStore, packDir: string, params: RunParams, run: InferenceRun | null, callbacks: RunCallbacks): Promise<RunHandle> {
  const start = params.from + (run?.framesDone ?? 0);
  if (run && start >= params.to) {
    store.updateRun(run.id, { status: 'done' });
    return Promise.resolve(finishedHandle(run, params));
  }
  const videoPath = store.locateVideo(params.videoId);
  const video = store.getVideo(params.videoId);
  const channel = new MessageChannel();
  const input: WorkerInput = {
    role: 'dff',
    labeller: channel.port1,
    packDir,
    videoPath,
    video: { width: video.width, height: video.height },
    from: params.from,
    to: params.to,
    start,
    plan: params.plan,
    mode: params.mode,
    threads: params.threads,
    providers: params.providers,
    batchFrames: callbacks.batchFrames ?? BATCH_FRAMES,
    batchMs: callbacks.batchMs ?? BATCH_MS,
  };
  return new Promise<RunHandle>((resolve, reject) => {
    // trackUnmanagedFds off: the video layer's FIFO fds are opened with fs.openSync but closed by libuv (a
    // net.Socket), so a tracking worker would close those numbers again on exit, when they belong to others.
    const worker = new Worker(workerUrl(), { workerData: input, transferList: [channel.port1], trackUnmanagedFds: false });
    const labellerInput: LabellerInput = { role: 'labeller', packDir, video: input.video, from: channel.port2 };
    const labeller = new Worker(workerUrl(), { workerData: labellerInput, transferList: [channel.port2] });
    const threads = { worker, labeller };
    let session = null as RunSession | null;
    let refused = false;
    const refuse = (err: AppError, last?: WorkerMessage) => {
      refused = true;
      stopWorker(threads, last);
      reject(err);
    };
    // every message comes through the labeller, in the order the DFF worker sent it
    labeller.on('message', (m: WorkerMessage) => {
      if (session) return session.onMessage(m);
      if (refused) return stopWorker(threads, m);
      if (m.type === 'failed') return refuse(appError(m.error), m);
      if (m.type !== 'ready') return refuse(new AppError('INTERNAL', `the DFF worker sent '${m.type}' before it was ready`));
      try {
        session = new RunSession(store, threads, packDir, params, run, m, start, callbacks);
        resolve(session.handle);
      } catch (err) {
        refuse(err instanceof AppError ? err : new AppError('INTERNAL', (err as Error).message));
      }
    });
    for (const [name, thread] of [['DFF worker', worker], ['DFF labeller', labeller]] as const) {
      thread.on('error', (err) => {
        const e = new AppError('INTERNAL', `the ${name} failed: ${err.message}`);
        if (session) session.fail(e);
        else refuse(e);
      });
    }
    // the labeller ends after the DFF worker's last message (its port closes then): a run that has not
    // settled by then lost its worker
    labeller.on('exit', (code) => {
      const e = new AppError('INTERNAL', `the DFF worker stopped unexpectedly (exit code ${code})`);
      if (session) session.fail(e);
      else reject(e);
    });
  });
}

