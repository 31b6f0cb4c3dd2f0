/**
 * A session is one window's state: the project it has open and the frame sources of that project's
 * videos. It glues the project store to the video layer and emits the contract's events to its window.
 * Two sessions opening the same project: the second gets PROJECT_LOCKED from the store.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  events,
  type AppInfo,
  type DialogKind,
  type EventName,
  type EventPayload,
  type FrameInfo,
  type ProjectInfo,
  type Thumbnail,
  type VideoInfo,
} from '../../common/api';
import { appRoot } from '../app-paths';
import { usableProviders } from '../dff/providers';
import { AppError } from '../errors';
import { openProject, type ProjectStore, type Video } from '../store';
import type { AppContext } from './context';
import { defaultPackDir } from './dff';
import { demoProjectPath, prepareDemo } from './demo';
import type { FrameSource } from '../video';
import { encodeFrameJpeg } from '../video';
import { assertSameVideo, JpegCache, newVideoOf, openSource } from './media';
import { TaskRunner } from './tasks';

export interface SessionHost {
  kind: 'electron' | 'browser';
  /** A native file dialog; only the Electron host has one. Resolves null when cancelled. */
  openDialog?: (kind: DialogKind) => Promise<string | null>;
}

export type EventSink = (event: EventName, payload: unknown) => void;

interface OpenProject {
  store: ProjectStore;
  isDemo: boolean;
  /** Opened on first use of each video. */
  sources: Map<number, Promise<FrameSource>>;
  jpegs: JpegCache;
}

const JPEG_QUALITY = 90;
const JPEG_CACHE_BYTES = 64 * 1024 * 1024;

let appVersion: string | undefined;
function version(): string {
  if (!appVersion) {
    try {
      appVersion = (JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      appVersion = 'unknown';
    }
  }
  return appVersion;
}

export class Session {
  private open: OpenProject | null = null;
  /** Background tasks (exports, DFF runs) on the open project; closing the project cancels them. */
  readonly tasks: TaskRunner;

  constructor(
    readonly context: AppContext,
    readonly host: SessionHost,
    private readonly sink: EventSink,
  ) {
    this.tasks = new TaskRunner({
      progress: (p) => this.emit('task.progress', p),
      finished: (f) => this.emit('task.finished', f),
    });
  }

  /** Sends an event to this session's window, checked against the contract first. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.sink(event, events[event].parse(payload));
  }

  async appInfo(): Promise<AppInfo> {
    return {
      name: 'DFF Studio',
      version: version(),
      host: this.host.kind,
      nativeDialogs: Boolean(this.host.openDialog),
      ...(await this.context.toolStatus()),
      executionProviders: await usableProviders(path.join(defaultPackDir(), 'warp.onnx')),
      cpuThreads: this.context.dffThreads(),
      home: this.context.home,
    };
  }

  // ---- projects ----

  projectInfo(): ProjectInfo | null {
    if (!this.open) return null;
    const { store, isDemo } = this.open;
    return { path: store.file, name: store.name, videoCount: store.listVideos().length, isDemo };
  }

  /**
   * Opens (or creates) a project for this session. The current project stays open until the new one has
   * opened, so a failed open leaves the window as it was. Opening the project already open is a no-op.
   */
  async openProject(file: string, options: { create?: boolean; isDemo?: boolean } = {}): Promise<ProjectInfo> {
    const abs = path.resolve(file);
    if (this.open && this.open.store.file === abs && !options.create) return this.projectInfo()!;
    const store = openProject(abs, { create: options.create });
    this.closeProject({ silent: true });
    const isDemo = options.isDemo ?? abs === path.resolve(demoProjectPath(this.context.home));
    this.open = { store, isDemo, sources: new Map(), jpegs: new JpegCache(JPEG_CACHE_BYTES) };
    this.context.recent.touch(store.file);
    const info = this.projectInfo()!;
    this.emit('project.changed', { project: info });
    return info;
  }

  closeProject(options: { silent?: boolean } = {}): void {
    const open = this.open;
    if (!open) return;
    void this.tasks.cancelAll();
    this.open = null;
    for (const source of open.sources.values()) void closeSource(source);
    open.store.close();
    if (!options.silent) this.emit('project.changed', { project: null });
  }

  /** Opens the demo project, creating it (and its video) in the app home on first use. */
  async openDemo(): Promise<ProjectInfo> {
    const file = demoProjectPath(this.context.home);
    if (!fs.existsSync(file)) {
      this.demoCreation ??= this.createDemo(file).finally(() => (this.demoCreation = null));
      await this.demoCreation;
    }
    return this.openProject(file, { isDemo: true });
  }

  private demoCreation: Promise<void> | null = null;

  /** Writes the demo project completely or not at all (a half-made one would open empty forever). */
  private async createDemo(file: string): Promise<void> {
    const { video, classes } = prepareDemo(this.context.home);
    const source = await openSource(video, this.context.toolPaths(), this.context.home);
    try {
      const row = await newVideoOf(source.info);
      const store = openProject(file, { create: true });
      try {
        store.addVideo(row);
        for (const c of classes) store.addClass(c);
        store.close();
      } catch (err) {
        store.close();
        for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
        throw err;
      }
    } finally {
      await source.close();
    }
  }

  private requireOpen(): OpenProject {
    if (!this.open) throw new AppError('NO_PROJECT', 'no project is open: open or create one first');
    return this.open;
  }

  /** The open project's store; NO_PROJECT when none is open. */
  get store(): ProjectStore {
    return this.requireOpen().store;
  }

  // ---- videos ----

  /** Probes the file or folder, adds it with all its frames, and keeps its frame source open. */
  async addVideo(file: string): Promise<VideoInfo> {
    const open = this.requireOpen();
    const source = await openSource(path.resolve(file), this.context.toolPaths(), this.context.home);
    let video: Video;
    try {
      const row = await newVideoOf(source.info);
      if (this.open !== open) throw new AppError('NO_PROJECT', `the project was closed while ${file} was being added`);
      video = open.store.addVideo(row);
    } catch (err) {
      await source.close();
      throw err;
    }
    open.sources.set(video.id, Promise.resolve(source));
    const info = toVideoInfo(video);
    this.emit('video.added', { video: info });
    this.emit('project.changed', { project: this.projectInfo() });
    return info;
  }

  listVideos(): VideoInfo[] {
    return this.store.listVideos().map(toVideoInfo);
  }

  async removeVideo(videoId: number): Promise<void> {
    const store = this.store;
    store.getVideo(videoId); // NOT_FOUND before anything changes
    const open = this.open!;
    const source = open.sources.get(videoId);
    open.sources.delete(videoId);
    open.jpegs.dropVideo(videoId);
    if (source) await closeSource(source);
    store.removeVideo(videoId);
    this.emit('video.removed', { videoId });
    this.emit('project.changed', { project: this.projectInfo() });
  }

  // ---- frames ----

  frameInfo(videoId: number, index: number): FrameInfo {
    const store = this.store;
    const video = store.getVideo(videoId);
    const frame = store.getFrame(videoId, index);
    const first = index === 0 ? frame : store.getFrame(videoId, 0);
    return {
      videoId,
      index,
      pts: frame.pts,
      timeS: ((frame.pts - first.pts) * video.timeBaseNum) / video.timeBaseDen,
      state: frame.state,
      score: frame.score,
      codecKeyframe: frame.codecKeyframe,
      dffKey: frame.dffKey,
    };
  }

  /** The JPEG of frame `index` of a video, exactly that frame. */
  async frameJpeg(videoId: number, index: number): Promise<Buffer> {
    const open = this.requireOpen();
    open.store.getFrame(videoId, index); // NOT_FOUND / OUT_OF_RANGE naming the video and index
    const source = await this.source(videoId);
    return open.jpegs.get(videoId, index, async () => encodeFrameJpeg(await source.getFrame(index), JPEG_QUALITY));
  }

  async thumbnails(videoId: number, count: number, width: number): Promise<Thumbnail[]> {
    const source = await this.source(videoId);
    const thumbs = await source.thumbnails({ count, width });
    return thumbs.map((t) => ({ index: t.index, url: `data:image/jpeg;base64,${t.jpeg.toString('base64')}` }));
  }

  /** The frame source of a video, opened on first use and checked against what the project recorded. */
  private source(videoId: number): Promise<FrameSource> {
    const open = this.requireOpen();
    const video = open.store.getVideo(videoId);
    let source = open.sources.get(videoId);
    if (!source) {
      const file = open.store.locateVideo(videoId);
      source = openSource(file, this.context.toolPaths(), this.context.home).then(async (s) => {
        try {
          assertSameVideo(s.info, video);
        } catch (err) {
          await s.close();
          throw err;
        }
        return s;
      });
      open.sources.set(videoId, source);
      // A failed open is not kept, so the next request tries again (e.g. after the file came back).
      source.catch(() => {
        if (open.sources.get(videoId) === source) open.sources.delete(videoId);
      });
    }
    return source;
  }

  async dispose(): Promise<void> {
    this.closeProject({ silent: true });
  }
}

async function closeSource(source: Promise<FrameSource>): Promise<void> {
  try {
    await (await source).close();
  } catch {
    // a source that failed to open has nothing to close
  }
}

export function toVideoInfo(v: Video): VideoInfo {
  return {
    id: v.id,
    path: v.path,
    name: path.basename(v.path),
    kind: v.kind,
    width: v.width,
    height: v.height,
    frameCount: v.frameCount,
    fpsNum: v.fpsNum,
    fpsDen: v.fpsDen,
    durationS: v.durationS,
    codec: v.codec,
    isVfr: v.isVfr,
  };
}
