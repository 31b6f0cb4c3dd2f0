/**
 * One open project: an SQLite connection plus the lock that makes its use exclusive. The methods
 * are the store's whole API; the SQL lives in one module per table.
 */
import path from 'node:path';
import type Database from 'better-sqlite3';
import { AppError } from '../errors';
import * as actions from './actions';
import * as annotations from './annotations';
import * as classes from './classes';
import * as frames from './frames';
import * as frameStats from './frame-stats';
import * as journal from './journal';
import type { EditHistory, EditStep } from './journal';
import type { ProjectLock } from './lock';
import { schemaVersion } from './migrations';
import * as runs from './runs';
import * as settings from './settings';
import type {
  ActionClass,
  ActionProposal,
  ActionSegment,
  ActionSegmentPatch,
  ActionSuggestionWrite,
  Annotation,
  AnnotationPatch,
  Frame,
  FrameState,
  HumanAnnotationInput,
  InferenceRun,
  InferenceRunPatch,
  LabelClass,
  LabelClassPatch,
  MachineFrameResult,
  MachineWriteResult,
  NewInferenceRun,
  NewActionSegment,
  NewLabelClass,
  NewVideo,
  Video,
} from './types';
import * as videos from './videos';

export class ProjectStore {
  private connection: Database.Database | null;

  constructor(
    /** Absolute path of the project file. */
    readonly file: string,
    db: Database.Database,
    private readonly lock: ProjectLock,
  ) {
    this.connection = db;
  }

  /** The project's name: its file name without the extension. */
  get name(): string {
    return path.basename(this.file, path.extname(this.file));
  }

  /** The folder holding the project file; video paths are also kept relative to it. */
  get folder(): string {
    return path.dirname(this.file);
  }

  get isOpen(): boolean {
    return this.connection !== null;
  }

  get schemaVersion(): number {
    return schemaVersion(this.db);
  }

  /** Closes the database (checkpointing the WAL into the file) and releases the lock. Safe to call twice. */
  close(): void {
    if (!this.connection) return;
    try {
      this.connection.close();
    } finally {
      this.connection = null;
      this.lock.release();
    }
  }

  // videos and frames
  addVideo(input: NewVideo): Video {
    return videos.addVideo(this.db, this.folder, input);
  }
  getVideo(id: number): Video {
    return videos.getVideo(this.db, id);
  }
  listVideos(): Video[] {
    return videos.listVideos(this.db);
  }
  removeVideo(id: number): void {
    videos.removeVideo(this.db, id);
  }
  /** The video's file or folder as it can be found now (see videos.locateVideo). */
  locateVideo(id: number): string {
    return videos.locateVideo(this.db, this.folder, id);
  }
  getFrame(videoId: number, frameIdx: number): Frame {
    return frames.getFrame(this.db, videoId, frameIdx);
  }
  listFrames(videoId: number, from?: number, to?: number): Frame[] {
    return frames.listFrames(this.db, videoId, from, to);
  }
  setFrameState(videoId: number, frameIdx: number, state: FrameState): Frame {
    return frames.setFrameState(this.db, videoId, frameIdx, state);
  }
  setFrameVerified(videoId: number, frameIdx: number, verified: boolean): Frame {
    return frames.setFrameVerified(this.db, videoId, frameIdx, verified);
  }
  /** Every frame's state code and score as bytes (see frames.frameStateBytes). */
  frameStateBytes(videoId: number): { codes: Buffer; scores: Buffer } {
    return frames.frameStateBytes(this.db, videoId);
  }

  // label classes
  addClass(input: NewLabelClass): LabelClass {
    return classes.addClass(this.db, input);
  }
  updateClass(id: number, patch: LabelClassPatch): LabelClass {
    return classes.updateClass(this.db, id, patch);
  }
  removeClass(id: number): void {
    classes.removeClass(this.db, id);
  }
  getClass(id: number): LabelClass {
    return classes.getClass(this.db, id);
  }
  listClasses(): LabelClass[] {
    return classes.listClasses(this.db);
  }

  // annotations
  addHumanAnnotation(input: HumanAnnotationInput): Annotation {
    return annotations.addHumanAnnotation(this.db, input);
  }
  updateAnnotation(id: number, patch: AnnotationPatch): Annotation {
    return annotations.updateAnnotation(this.db, id, patch);
  }
  deleteAnnotation(id: number): void {
    annotations.deleteAnnotation(this.db, id);
  }
  getAnnotation(id: number): Annotation {
    return annotations.getAnnotation(this.db, id);
  }
  listAnnotations(videoId: number, frameIdx: number): Annotation[] {
    return annotations.listAnnotations(this.db, videoId, frameIdx);
  }
  listAnnotationsInRange(videoId: number, from?: number, to?: number): Annotation[] {
    return annotations.listAnnotationsInRange(this.db, videoId, from, to);
  }
  writeMachineResults(runId: number, videoId: number, results: MachineFrameResult[]): MachineWriteResult {
    return annotations.writeMachineResults(this.db, runId, videoId, results);
  }
  nextTrackId(videoId: number): number {
    return annotations.nextTrackId(this.db, videoId);
  }
  addCarriedAnnotation(input: annotations.CarriedAnnotationInput): Annotation {
    return annotations.addCarriedAnnotation(this.db, input);
  }
  /** The frame's machine and carried labels become the person's, and the frame is verified; returns how many rows. */
  acceptFrame(videoId: number, frameIdx: number): number {
    return annotations.acceptFrame(this.db, videoId, frameIdx);
  }

  // action classes and segments (actions.ts); the segment edits are recorded steps, the suggestion write is not
  listActionClasses(): ActionClass[] {
    return actions.listActionClasses(this.db);
  }
  addActionClass(name: string, color?: string): ActionClass {
    return actions.addActionClass(this.db, name, color);
  }
  /** Name as given → id, matching names case-insensitively and adding the missing classes. */
  ensureActionClasses(classes: { name: string; color: string }[]): Map<string, number> {
    return actions.ensureActionClasses(this.db, classes);
  }
  listActionSegments(videoId: number, includeRejected?: boolean): ActionSegment[] {
    return actions.listActionSegments(this.db, videoId, includeRejected);
  }
  getActionSegment(id: number): ActionSegment {
    return actions.getActionSegment(this.db, id);
  }
  createActionSegment(input: NewActionSegment): ActionSegment {
    return actions.createActionSegment(this.db, input);
  }
  updateActionSegment(id: number, patch: ActionSegmentPatch): ActionSegment {
    return actions.updateActionSegment(this.db, id, patch);
  }
  /** Returns the segment as it was before (a machine one is now rejected; a person's one is gone). */
  deleteActionSegment(id: number): ActionSegment {
    return actions.deleteActionSegment(this.db, id);
  }
  acceptActionSegment(id: number): ActionSegment {
    return actions.acceptActionSegment(this.db, id);
  }
  rejectActionSegment(id: number): ActionSegment {
    return actions.rejectActionSegment(this.db, id);
  }
  replaceActionSuggestions(videoId: number, model: string, proposals: ActionProposal[]): ActionSuggestionWrite {
    return actions.replaceActionSuggestions(this.db, videoId, model, proposals);
  }

  // undo/redo journal (see journal.ts)
  /** Runs fn in one transaction, journalled as one undoable step; nested calls join the outer step. */
  recordEdit<T>(label: string, videoId: number | null, fn: () => T): T {
    return journal.recordEdit(this.db, label, videoId, fn);
  }
  undoEdit(): EditStep | null {
    return journal.undoEdit(this.db);
  }
  redoEdit(): EditStep | null {
    return journal.redoEdit(this.db);
  }
  editHistory(): EditHistory {
    return journal.editHistory(this.db);
  }

  // inference runs
  createRun(input: NewInferenceRun): InferenceRun {
    return runs.createRun(this.db, input);
  }
  updateRun(id: number, patch: InferenceRunPatch): InferenceRun {
    return runs.updateRun(this.db, id, patch);
  }
  getRun(id: number): InferenceRun {
    return runs.getRun(this.db, id);
  }
  listRuns(): InferenceRun[] {
    return runs.listRuns(this.db);
  }

  // per-frame flow/scale summaries of DFF runs (frame-stats.ts)
  writeFrameStats(runId: number, videoId: number, rows: readonly Omit<frameStats.FrameStats, 'runId'>[]): void {
    frameStats.writeFrameStats(this.db, runId, videoId, rows);
  }
  listFrameStats(videoId: number, from: number, to: number): frameStats.FrameStats[] {
    return frameStats.listFrameStats(this.db, videoId, from, to);
  }

  // settings
  getSetting(key: string): unknown {
    return settings.getSetting(this.db, key);
  }
  setSetting(key: string, value: unknown): void {
    settings.setSetting(this.db, key, value);
  }

  private get db(): Database.Database {
    if (!this.connection) throw new AppError('NO_PROJECT', `Project ${this.file} is closed`, { file: this.file });
    return this.connection;
  }
}
