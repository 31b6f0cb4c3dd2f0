/** One session of a DFF run on the main thread: writes the worker's batches, keeps the run row and progress. */
import type { Worker } from 'node:worker_threads';
import type { ErrorInfo } from '../../common/errors';
import { AppError } from '../errors';
import type { InferenceRun, MachineFrameResult, ProjectStore, SkippedFrame } from '../store';
import { projectClassesFor } from './project-classes';
import { COST_PARTS, emptyTimings, type BadFrame, type CostSplit, type RunOutcome, type RunParams, type RunProgress, type RunStatusNow, type WorkerMessage } from './types';

export interface RunCallbacks {
  onProgress?: (p: RunProgress) => void;
  /** Aborting cancels the run (what was written stays; the run can be resumed). */
  signal?: AbortSignal;
  /** A batch (one transaction) holds this many frames at most, or what is done after this many ms. */
  batchFrames?: number;
  batchMs?: number;
}

export interface RunHandle {
  readonly runId: number;
  /** Settles when the run stops: done or cancelled; rejects with an AppError when it fails. */
  readonly done: Promise<RunOutcome>;
  /** Stops after the frame in hand and writes what is done; the worker keeps its place. */
  pause(): void;
  resume(): void;
  cancel(): void;
}

/** What `timings` of a DFF run holds, summed over the sessions of the run. */
export interface RunTimings {
  seconds: number;
  frames: number;
  fps: number;
  keyFrames: number;
  propagatedFrames: number;
  msPerKeyFrame: number | null;
  msPerPropagatedFrame: number | null;
  badFrames: BadFrame[];
  /** Milliseconds by part over all frames (decode, each network, labels, SQLite). */
  partsMs: CostSplit;
}

/** Runs going on in this process, per store: one session per run at a time. */
export const active = new WeakMap<ProjectStore, Set<number>>();

/** One session of a run: from the worker's 'ready' until it stops. */
export class RunSession {
  readonly handle: RunHandle;
  readonly runId: number;
  private readonly classIds: number[];
  private readonly total: number;
  private done: number;
  private status: RunStatusNow = 'running';
  private pauseRequested = false;
  private settled = false;
  private readonly startedAt = Date.now();
  private pausedAt: number | null = null;
  private pausedMs = 0;
  private frames = 0;
  private written = 0;
  private readonly skipped: SkippedFrame[] = [];
  private readonly bad: BadFrame[];
  private readonly timings = emptyTimings();
  private readonly before: RunTimings | null;
  private resolveDone!: (o: RunOutcome) => void;
  private rejectDone!: (e: AppError) => void;

  constructor(
    private readonly store: ProjectStore,
    private readonly threads: RunThreads,
    packDir: string,
    private readonly params: RunParams,
    run: InferenceRun | null,
    ready: Extract<WorkerMessage, { type: 'ready' }>,
    start: number,
    private readonly callbacks: RunCallbacks,
  ) {
    this.classIds = projectClassesFor(store, ready.classes, ready.detects);
    if (run) {
      if (run.packHash !== ready.packHash) {
        throw new AppError(
          'INVALID_INPUT',
          `The model pack at ${packDir} changed since run ${run.id} started (${run.packHash} then, ${ready.packHash} now); start a new run`,
          { runId: run.id },
        );
      }
      this.runId = store.updateRun(run.id, { status: 'running', error: null }).id;
    } else {
      this.runId = store.createRun({
        packName: ready.packName,
        packPath: packDir,
        packHash: ready.packHash,
        params: { ...params, providerFailures: ready.providerFailures },
        executionProvider: ready.provider,
      }).id;
    }
    this.before = run ? timingsOf(run) : null;
    this.bad = [];
    this.total = params.to - params.from;
    this.done = start - params.from;
    let set = active.get(store);
    if (!set) active.set(store, (set = new Set()));
    set.add(this.runId);
    const done = new Promise<RunOutcome>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    done.catch(() => undefined); // a caller that never awaits must not crash the process
    const signal = callbacks.signal;
    if (signal) {
      if (signal.aborted) queueMicrotask(() => this.cancel());
      else signal.addEventListener('abort', () => this.cancel(), { once: true });
    }
    this.handle = {
      runId: this.runId,
      done,
      pause: () => this.pause(),
      resume: () => this.resume(),
      cancel: () => this.cancel(),
    };
  }

  onMessage(m: WorkerMessage): void {
    if (this.settled) return stopWorker(this.threads, m);
    switch (m.type) {
      case 'planning':
        return this.emit({ phase: 'planning', done: m.done, total: m.total });
      case 'plan':
        return this.savePlan(m.starts);
      case 'batch':
        return this.write(m);
      case 'paused':
        if (!this.pauseRequested) return; // resumed before the worker's 'paused' arrived
        this.store.updateRun(this.runId, { status: 'paused' });
        this.status = 'paused';
        this.pausedAt = Date.now();
        return this.emit();
      case 'stopped':
        return this.finish(m.reason === 'finished' ? 'done' : 'cancelled', m);
      case 'failed':
        return this.fail(appError(m.error), m);
      case 'ready':
        return this.fail(new AppError('INTERNAL', 'the DFF worker said ready twice'));
    }
  }

  fail(err: AppError, last?: WorkerMessage): void {
    if (this.settled) return;
    this.settle(last);
    // A locked database would keep this thread waiting out the busy timeout again: the run then stays
    // 'running' in the file, which resumeRun accepts like any stopped run.
    if (err.code !== 'PROJECT_LOCKED') {
      try {
        this.store.updateRun(this.runId, { status: 'failed', error: err.message, timings: this.timingsNow() });
      } catch {
        // the database itself may be what failed: as above
      }
    }
    this.rejectDone(err);
  }

  private savePlan(starts: number[]): void {
    this.params.plan = starts;
    try {
      this.store.updateRun(this.runId, { params: { ...this.store.getRun(this.runId).params as RunParams, plan: starts } });
    } catch (err) {
      this.fail(new AppError('WRITE_FAILED', `Run ${this.runId}'s key plan could not be saved: ${(err as Error).message}`));
    }
  }

  private write(m: Extract<WorkerMessage, { type: 'batch' }>): void {
    const results: MachineFrameResult[] = m.frames.map((f) => ({
      frameIdx: f.frameIdx,
      state: f.key ? 'predicted' : 'propagated',
      score: f.score,
      dffKey: f.key,
      annotations: [
        ...f.boxes.map((b) => ({ classId: this.classIds[b.classId]!, box: b.box, score: b.score })),
        ...f.masks.map((k) => ({ classId: this.classIds[k.classId]!, mask: k.mask, score: k.score })),
      ],
    }));
    const t0 = performance.now();
    try {
      const r = results.length ? this.store.writeMachineResults(this.runId, this.params.videoId, results) : { written: 0, skipped: [] };
      this.written += r.written;
      this.skipped.push(...r.skipped);
      this.bad.push(...m.bad);
      if (m.frames.length) {
        const stats = m.frames.map((f) => ({ frameIdx: f.frameIdx, keyIdx: f.keyIdx, ...f.flow, confidence: f.score }));
        this.store.writeFrameStats(this.runId, this.params.videoId, stats);
      }
      this.store.updateRun(this.runId, { framesDone: m.next - this.params.from });
    } catch (err) {
      return this.fail(writeError(err, this.store.file, this.runId, m, this.done));
    }
    this.timings.parts.store += performance.now() - t0;
    this.done = m.next - this.params.from;
    this.frames += m.frames.length + m.bad.length;
    for (const k of ['keyFrames', 'keyMs', 'propagatedFrames', 'propagatedMs'] as const) this.timings[k] += m.timings[k];
    for (const k of COST_PARTS) this.timings.parts[k] += m.timings.parts[k];
    this.emit();
  }

  private finish(status: 'done' | 'cancelled', last: WorkerMessage): void {
    const timings = this.timingsNow();
    try {
      const error = timings.badFrames.length ? badFramesSummary(timings.badFrames) : null;
      this.store.updateRun(this.runId, { status, timings, error });
    } catch (err) {
      return this.fail(new AppError('WRITE_FAILED', `Run ${this.runId} stopped but its status could not be saved: ${(err as Error).message}`), last);
    }
    this.settle(last);
    this.resolveDone({
      runId: this.runId,
      status,
      done: this.done,
      total: this.total,
      written: this.written,
      skipped: this.skipped,
      badFrames: this.bad,
      seconds: this.activeSeconds(),
      fps: this.fps(),
    });
  }

  private settle(last?: WorkerMessage): void {
    this.settled = true;
    active.get(this.store)?.delete(this.runId);
    stopWorker(this.threads, last);
  }

  private pause(): void {
    if (this.settled || this.pauseRequested) return;
    this.pauseRequested = true;
    this.threads.worker.postMessage({ type: 'pause' });
  }

  private resume(): void {
    if (this.settled || !this.pauseRequested) return;
    this.pauseRequested = false;
    if (this.status === 'paused') {
      this.store.updateRun(this.runId, { status: 'running' });
      this.status = 'running';
      this.pausedMs += Date.now() - (this.pausedAt ?? Date.now());
      this.pausedAt = null;
    }
    this.threads.worker.postMessage({ type: 'resume' });
    this.emit();
  }

  private cancel(): void {
    if (!this.settled) this.threads.worker.postMessage({ type: 'cancel' });
  }

  private activeSeconds(): number {
    const pausedNow = this.pausedAt === null ? 0 : Date.now() - this.pausedAt;
    return (Date.now() - this.startedAt - this.pausedMs - pausedNow) / 1000;
  }

  private fps(): number {
    const s = this.activeSeconds();
    return s > 0 ? this.frames / s : 0;
  }

  private emit(planning?: { phase: 'planning'; done: number; total: number }): void {
    const fps = planning ? 0 : this.fps();
    this.callbacks.onProgress?.({
      runId: this.runId,
      videoId: this.params.videoId,
      status: this.status,
      phase: 'frames',
      done: this.done,
      total: this.total,
      ...planning,
      fps,
      etaS: fps > 0 ? (this.total - this.done) / fps : null,
      skipped: this.skipped.length,
      badFrames: (this.before?.badFrames.length ?? 0) + this.bad.length,
    });
  }

  /** This session's figures added to those of the sessions before. */
  private timingsNow(): RunTimings {
    const b = this.before;
    const seconds = (b?.seconds ?? 0) + this.activeSeconds();
    const frames = (b?.frames ?? 0) + this.frames;
    const keyFrames = (b?.keyFrames ?? 0) + this.timings.keyFrames;
    const propagatedFrames = (b?.propagatedFrames ?? 0) + this.timings.propagatedFrames;
    const keyMs = (b?.msPerKeyFrame ?? 0) * (b?.keyFrames ?? 0) + this.timings.keyMs;
    const propMs = (b?.msPerPropagatedFrame ?? 0) * (b?.propagatedFrames ?? 0) + this.timings.propagatedMs;
    return {
      seconds,
      frames,
      fps: seconds > 0 ? frames / seconds : 0,
      keyFrames,
      propagatedFrames,
      msPerKeyFrame: keyFrames ? keyMs / keyFrames : null,
      msPerPropagatedFrame: propagatedFrames ? propMs / propagatedFrames : null,
      badFrames: [...(b?.badFrames ?? []), ...this.bad],
      partsMs: Object.fromEntries(COST_PARTS.map((k) => [k, (b?.partsMs?.[k] ?? 0) + this.timings.parts[k]])) as unknown as CostSplit,
    };
  }
}

/**
 * Lets a worker end by itself, never by terminate() (which, inside an onnxruntime call, can take the
 * process down): after its last message (stopped/failed) it has released its sessions and decoders and
 * closes its port, so the thread ends; before that it is asked to cancel and ends after the frame in
 * hand. unref: a worker still finishing never keeps the process alive.
 */
export function stopWorker({ worker, labeller }: RunThreads, last?: WorkerMessage): void {
  if (last?.type !== 'stopped' && last?.type !== 'failed') worker.postMessage({ type: 'cancel' });
  worker.unref();
  labeller.unref();
}

/** A run's threads: the DFF worker (control messages go there) and the labeller (its messages come from there). */
export interface RunThreads {
  worker: Worker;
  labeller: Worker;
}

export function finishedHandle(run: InferenceRun, params: RunParams): RunHandle {
  const t = timingsOf(run);
  const outcome: RunOutcome = {
    runId: run.id,
    status: 'done',
    done: params.to - params.from,
    total: params.to - params.from,
    written: 0,
    skipped: [],
    badFrames: [],
    seconds: 0,
    fps: t?.fps ?? 0,
  };
  const noop = () => undefined;
  return { runId: run.id, done: Promise.resolve(outcome), pause: noop, resume: noop, cancel: noop };
}

function timingsOf(run: InferenceRun): RunTimings | null {
  const t = run.timings as Partial<RunTimings> | null;
  if (!t || typeof t !== 'object' || typeof t.seconds !== 'number') return null;
  return { fps: 0, frames: 0, keyFrames: 0, propagatedFrames: 0, msPerKeyFrame: null, msPerPropagatedFrame: null, badFrames: [], ...t } as RunTimings;
}

function badFramesSummary(bad: BadFrame[]): string {
  const shown = bad.slice(0, 5).map((b) => `${b.frameIdx} (${b.message})`);
  return `${bad.length} frame(s) could not be read and have no labels: ${shown.join('; ')}${bad.length > 5 ? '; …' : ''}`;
}

function writeError(err: unknown, file: string, runId: number, m: Extract<WorkerMessage, { type: 'batch' }>, done: number): AppError {
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error).message;
  const frames = m.frames.length ? `frames ${m.frames[0]!.frameIdx}–${m.frames[m.frames.length - 1]!.frameIdx}` : 'its progress';
  const kept = `the ${done} frame(s) handled before are kept; resume run ${runId} to go on`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new AppError('PROJECT_LOCKED', `Run ${runId} stopped: ${file} is locked by another program (${message}) and ${frames} could not be written; ${kept}`, {
      runId,
      file,
    });
  }
  if (err instanceof AppError) return new AppError(err.code, `Run ${runId} stopped writing ${frames}: ${message}; ${kept}`, { runId });
  return new AppError('WRITE_FAILED', `Run ${runId} stopped: writing ${frames} to ${file} failed (${message}); ${kept}`, { runId, file });
}

export function appError(info: ErrorInfo): AppError {
  return new AppError(info.code, info.message, info.details);
}
