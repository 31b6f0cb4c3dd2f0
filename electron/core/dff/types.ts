/** The DFF engine's vocabulary: what a run is asked to do, what it reports, how it ends. */
import type { MessagePort } from 'node:worker_threads';
import type { ErrorInfo } from '../../common/errors';
import type { MapTensor } from '../models/decode';
import type { CocoRle } from '../masks/rle';
import type { Box } from '../store';
import type { FlowSummary } from './frame-signals';

/**
 * 'fixed': a key frame every k frames (DFF as in the paper, the key in the middle of its k frames); 'adaptive':
 * as many key frames as fixed k, placed by how the video moves (schedule.ts); 'baseline': the feature
 * network on every frame.
 */
export type RunMode = { kind: 'fixed'; k: number } | { kind: 'adaptive'; k: number } | { kind: 'baseline' };

export interface RunRequest {
  videoId: number;
  /** A model pack folder (manifest.json beside its ONNX files). */
  packDir: string;
  mode: RunMode;
  /** Frames [from, to) of the video; default the whole video. */
  from?: number;
  to?: number;
  /** onnxruntime intra-op threads (default: onnxruntime's own choice). */
  threads?: number;
  /** Execution providers tried in order; the first whose sessions load runs (default: providers.ts defaultProviderChain). */
  providers?: string[];
}

/** What `inference_runs.params` holds: enough to resume the run exactly. */
export interface RunParams {
  videoId: number;
  from: number;
  to: number;
  mode: RunMode;
  threads: number | null;
  providers: string[];
  /** Providers tried before the one that ran, and why each failed. */
  providerFailures: ProviderFailure[];
  /** Adaptive runs, once planned: the first frame of each segment (schedule.ts), so a resumed run cuts the same. */
  plan?: number[];
}

export interface ProviderFailure {
  provider: string;
  error: string;
}

/** A frame that could not be read (corrupt, or past the end of a video that ends early): recorded, then skipped. */
export interface BadFrame {
  frameIdx: number;
  message: string;
}

export type RunStatusNow = 'running' | 'paused';

export interface RunProgress {
  runId: number;
  videoId: number;
  status: RunStatusNow;
  /** 'planning': an adaptive run's first pass (done/total: frames measured); 'frames': labelling. */
  phase: 'planning' | 'frames';
  /** Frames of [from, to) handled so far, by this and earlier sessions of the run (written, skipped or bad). */
  done: number;
  total: number;
  /** Frames per second in this session. */
  fps: number;
  /** Seconds left at the current speed; null until there is a speed. */
  etaS: number | null;
  /** Frames left as they were because a person verified or edited them. */
  skipped: number;
  badFrames: number;
}

export interface RunOutcome {
  runId: number;
  status: 'done' | 'cancelled';
  done: number;
  total: number;
  /** Frames whose machine labels this session wrote. */
  written: number;
  /** Frames a person verified or edited, left untouched. */
  skipped: { frameIdx: number; reason: 'verified' | 'human-edited' }[];
  badFrames: BadFrame[];
  seconds: number;
  fps: number;
}

// ---- labels of one frame, as the worker sends them (class ids are the pack's: 1..C) ----

export interface PackBox {
  classId: number;
  box: Box;
  score: number;
}

export interface PackMask {
  classId: number;
  /** The class's pixels at the video's size. */
  mask: CocoRle;
  /** Mean softmax probability of the class over its pixels (at logit resolution). */
  score: number;
}

export interface FrameLabels {
  frameIdx: number;
  /** True on key frames (features computed from this frame), false on propagated ones. */
  key: boolean;
  /** The key frame whose features this frame's labels come from (itself on key frames). */
  keyIdx: number;
  /** The flow and scale field that propagated it (KEY_FRAME_SUMMARY on key frames). */
  flow: FlowSummary;
  /** How much to trust the frame: mean top-class probability of the segmentation, else mean box score. */
  score: number | null;
  boxes: PackBox[];
  masks: PackMask[];
}

/** A frame's task outputs as plain arrays, on their way from the DFF worker to the labeller. */
export type HeadOutputs = Partial<Record<'segmentation' | 'heatmap' | 'size' | 'offset', MapTensor>>;

export interface FrameOutputs extends Omit<FrameLabels, 'score' | 'boxes' | 'masks'> {
  outputs: HeadOutputs;
}

// ---- the worker protocol ----

/**
 * Two threads run a DFF run: the DFF worker (decode, onnxruntime) sends everything it says to the labeller
 * through a MessagePort; the labeller turns 'outputs' into 'batch' (labels at the video's size) and passes
 * every message on, in order, to the main thread. Control messages go to the DFF worker.
 */
export interface WorkerInput {
  role: 'dff';
  /** Where the DFF worker's messages go: the labeller. */
  labeller: MessagePort;
  packDir: string;
  videoPath: string;
  /** The video's size as the project knows it (labels are written at this size). */
  video: { width: number; height: number };
  from: number;
  to: number;
  /** First frame to write (from, or where an earlier session stopped). */
  start: number;
  /** Adaptive runs planned before (a resumed run): their segment starts; else the worker plans them first. */
  plan?: number[];
  mode: RunMode;
  threads: number | null;
  providers: string[];
  /** A batch is sent when it has this many frames or is this old. */
  batchFrames: number;
  batchMs: number;
}

export interface FrameTimings {
  keyFrames: number;
  keyMs: number;
  propagatedFrames: number;
  propagatedMs: number;
  /** Milliseconds by part, summed over frames: the cost split. */
  parts: CostSplit;
}

/** Where a run's time goes (ms): the adaptive plan's first pass, waiting for decoded frames + making tensors, each network, labels, SQLite. */
export interface CostSplit {
  plan: number;
  decode: number;
  feature: number;
  flow: number;
  warp: number;
  task: number;
  labels: number;
  store: number;
}

export const COST_PARTS = ['plan', 'decode', 'feature', 'flow', 'warp', 'task', 'labels', 'store'] as const satisfies readonly (keyof CostSplit)[];

export function emptyTimings(): FrameTimings {
  return { keyFrames: 0, keyMs: 0, propagatedFrames: 0, propagatedMs: 0, parts: { plan: 0, decode: 0, feature: 0, flow: 0, warp: 0, task: 0, labels: 0, store: 0 } };
}

export interface LabellerInput {
  role: 'labeller';
  packDir: string;
  video: { width: number; height: number };
  /** The DFF worker's messages. */
  from: MessagePort;
}

/** What the DFF worker says (to the labeller): WorkerMessage, with 'outputs' in place of 'batch'. */
export type DffWorkerMessage =
  | Exclude<WorkerMessage, { type: 'batch' }>
  | { type: 'outputs'; frames: FrameOutputs[]; bad: BadFrame[]; next: number; timings: FrameTimings };

/** What the main thread hears (from the labeller). */
export type WorkerMessage =
  | { type: 'ready'; provider: string; providerFailures: ProviderFailure[]; packName: string; packHash: string; classes: PackClass[]; detects: boolean }
  | { type: 'planning'; done: number; total: number }
  | { type: 'plan'; starts: number[] }
  | { type: 'batch'; frames: FrameLabels[]; bad: BadFrame[]; next: number; timings: FrameTimings }
  | { type: 'paused' }
  | { type: 'stopped'; reason: 'cancelled' | 'finished' }
  | { type: 'failed'; error: ErrorInfo };

export type ControlMessage = { type: 'pause' } | { type: 'resume' } | { type: 'cancel' };

export interface PackClass {
  id: number;
  name: string;
  color: [number, number, number];
}
