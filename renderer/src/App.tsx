import { useCallback, useEffect, useRef, useState } from 'react';
import { FRAME_KEY_BIT, FRAME_STATES, type AppInfo, type DialogKind, type MenuCommand, type ProjectInfo, type RecentProject, type VideoInfo } from '../../electron/common/api';
import type { ErrorInfo } from '../../electron/common/errors';
import { client, errorInfoOf } from './api/client';
import { ErrorBanner } from './components/ErrorBanner';
import { actualSizeView, FrameStage, type StageView } from './components/FrameStage';
import { Sidebar } from './components/Sidebar';
import { StatusBar } from './components/StatusBar';
import { Transport } from './components/Transport';
import { Welcome } from './components/Welcome';
import { ExportDialog } from './export/ExportDialog';
import { useExportTask } from './export/useExportTask';
import { ImportDialog } from './import/ImportDialog';
import { SettingsDialog } from './settings/SettingsDialog';
import { frameLoader, useShownFrame } from './frames/useShownFrame';
import { Group } from 'react-konva';
import { DffDialog } from './dff/DffDialog';
import { LabelsOverlay } from './dff/LabelsOverlay';
import { TimelineStrip } from './dff/TimelineStrip';
import { useDffTask } from './dff/useDffTask';
import { useFrameLabels, useFrameStates } from './dff/useFrameResults';

const clamp = (i: number, n: number) => Math.max(0, Math.min(n - 1, i));

function isTextField(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el instanceof HTMLInputElement) return el.type !== 'range';
  return el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement || el.isContentEditable;
}

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [project, setProject] = useState<ProjectInfo | null>(null);
  const [recent, setRecent] = useState<RecentProject[]>([]);
  const [videos, setVideos] = useState<VideoInfo[]>([]);
  const [videoId, setVideoId] = useState<number | null>(null);
  const [index, setIndex] = useState(0);
  const [view, setView] = useState<StageView>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'export' | 'import' | 'settings' | 'dff' | null>(null);
  const exportTask = useExportTask();
  const dffTask = useDffTask();
  const [layers, setLayers] = useState({ boxes: true, masks: true });
  const closeDialog = useCallback(() => setDialog(null), []);
  /** Where each video was left, so switching back returns there. */
  const positions = useRef(new Map<number, number>());
  const projectPath = useRef<string | null>(null);

  const video = videos.find((v) => v.id === videoId) ?? null;
  const { shown, loading } = useShownFrame(video, index, setError);
  const labels = useFrameLabels(shown?.videoId ?? null, shown?.index ?? null, dffTask.revision, setError);
  const stateCodes = useFrameStates(video?.id ?? null, dffTask.revision, setError);
  // The frame's info was fetched with its image; a run since then changed its state.
  const code = shown && stateCodes && shown.videoId === video?.id ? stateCodes[shown.index] : undefined;
  const frameInfo = shown ? (code === undefined ? shown.info : { ...shown.info, state: FRAME_STATES[code & 0x7f]!, dffKey: (code & FRAME_KEY_BIT) !== 0 }) : null;

  /** Runs a call-using action with a busy label; failures go to the banner. */
  const run = useCallback(async <T,>(label: string, fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(label);
    try {
      const value = await fn();
      return value;
    } catch (err) {
      setError(errorInfoOf(err));
      return undefined;
    } finally {
      setBusy(null);
    }
  }, []);

  const refreshProject = useCallback(async () => {
    const [current, list, rec] = await Promise.all([
      client.call('project.current', {}),
      client.call('video.list', {}).catch(() => [] as VideoInfo[]),
      client.call('project.recent', {}),
    ]);
    const switched = (current?.path ?? null) !== projectPath.current;
    projectPath.current = current?.path ?? null;
    setProject(current);
    setVideos(current ? list : []);
    setRecent(rec);
    if (switched) {
      frameLoader.clear();
      positions.current.clear();
      setIndex(0);
      setView(null);
      setVideoId(list[0]?.id ?? null);
    } else {
      setVideoId((prev) => (list.some((v) => v.id === prev) ? prev : (list[0]?.id ?? null)));
    }
  }, []);

  // first load and core events
  useEffect(() => {
    void run('Connecting…', async () => {
      setInfo(await client.call('app.info', {}));
      await refreshProject();
    });
    const offs = [
      client.on('project.changed', () => void refreshProject().catch((e) => setError(errorInfoOf(e)))),
      client.on('video.added', ({ video: v }) => {
        setVideos((vs) => (vs.some((x) => x.id === v.id) ? vs : [...vs, v]));
      }),
      client.on('video.removed', ({ videoId: id }) => {
        setVideos((vs) => vs.filter((x) => x.id !== id));
        setVideoId((cur) => (cur === id ? null : cur));
      }),
      client.on('task.progress', (p) => setBusy(`${p.label} ${Math.round((100 * p.done) / Math.max(1, p.total))}%`)),
      client.on('task.finished', () => setBusy(null)),
      client.on('error', (e) => setError(e)),
    ];
    return () => offs.forEach((off) => off());
  }, [run, refreshProject]);

  // pick the first video when none is selected
  useEffect(() => {
    if (videoId === null && videos.length > 0) setVideoId(videos[0].id);
  }, [videos, videoId]);

  const selectVideo = useCallback(
    (id: number) => {
      if (videoId !== null) positions.current.set(videoId, index);
      setVideoId(id);
      setIndex(positions.current.get(id) ?? 0);
      setView(null);
    },
    [videoId, index],
  );

  const seek = useCallback((i: number) => video && setIndex(clamp(Math.round(i), video.frameCount)), [video]);

  /** Actions the user starts: true when they worked (the banner shows why not). */
  const openProject = async (path: string) =>
    (await run('Opening project…', async () => {
      await client.call('project.open', { path });
      setError(null);
      return true;
    })) ?? false;
  const createProject = async (path: string) =>
    (await run('Creating project…', async () => {
      await client.call('project.create', { path });
      setError(null);
      return true;
    })) ?? false;
  const openDemo = () =>
    run('Opening the demo…', async () => {
      await client.call('demo.open', {});
      setError(null);
    });
  const addVideo = async (path: string) =>
    (await run('Adding video…', async () => {
      const v = await client.call('video.add', { path });
      setVideos((vs) => (vs.some((x) => x.id === v.id) ? vs : [...vs, v]));
      selectVideo(v.id);
      setError(null);
      return true;
    })) ?? false;
  const removeVideo = (id: number) => run('Removing video…', () => client.call('video.remove', { videoId: id }));
  const browse = async (kind: DialogKind) => (await run('Waiting for the dialog…', () => client.call('dialog.open', { kind })))?.path ?? null;

  // native menu (Electron)
  const menuRef = useRef<(c: MenuCommand) => void>(() => {});
  menuRef.current = (command: MenuCommand) => {
    const withDialog = async (kind: DialogKind, then: (p: string) => unknown) => {
      const picked = await browse(kind);
      if (picked) await then(picked);
    };
    if (command === 'open-demo') void openDemo();
    else if (command === 'open-project') void withDialog('open-project', openProject);
    else if (command === 'create-project') void withDialog('create-project', createProject);
    else if (command === 'add-video-file') void withDialog('video-file', addVideo);
    else if (command === 'add-image-folder') void withDialog('image-folder', addVideo);
    else if (command === 'close-project') void run('Closing project…', () => client.call('project.close', {}));
    else if (command === 'settings') setDialog('settings');
    else if (project) setDialog(command === 'export' ? 'export' : 'import');
    else setError({ code: 'NO_PROJECT', message: 'no project is open: open or create one before exporting or importing' });
  };
  useEffect(() => client.on('menu.command', ({ command }) => menuRef.current(command)), []);

  // keyboard: ←/→ one frame, Shift ten, Home/End, 1 = 100 %, 0 = fit, Esc dismisses the banner
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.key === 'Escape') {
        setError(null);
        return;
      }
      if (isTextField(e.target) || e.ctrlKey || e.metaKey || e.altKey || !video) return;
      const step = e.shiftKey ? 10 : 1;
      let next: number | null = null;
      if (e.key === 'ArrowRight') next = index + step;
      else if (e.key === 'ArrowLeft') next = index - step;
      else if (e.key === 'Home') next = 0;
      else if (e.key === 'End') next = video.frameCount - 1;
      else if (e.key === '1' && shown) {
        const stage = document.querySelector('[data-testid="stage"]');
        if (stage) setView(actualSizeView(stage.clientWidth, stage.clientHeight, shown.image.width, shown.image.height));
      } else if (e.key === '0' || e.key === 'f') setView(null);
      else return;
      e.preventDefault();
      if (next !== null) seek(next);
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [video, index, seek, shown]);

  return (
    <div className="app">
      <header className="top-bar">
        <span className="brand">DFF Studio</span>
        <span className="project-title" data-testid="project-title" title={project?.path}>
          {project ? project.name : 'no project open'}
          {project?.isDemo && <span className="tag">demo</span>}
        </span>
        <span className="top-spacer" />
        {project && (
          <>
            {video && (
              <button className="button" data-testid="top-dff" onClick={() => setDialog('dff')}>
                Run DFF…
              </button>
            )}
            <button className="button" data-testid="top-import" onClick={() => setDialog('import')}>
              Import…
            </button>
            <button className="button" data-testid="top-export" onClick={() => setDialog('export')}>
              Export…
            </button>
          </>
        )}
        <button className="button" data-testid="top-settings" onClick={() => setDialog('settings')}>
          Settings
        </button>
        <button className="button" data-testid="top-demo-open" onClick={() => void openDemo()}>
          Demo
        </button>
        {project && (
          <button className="button" data-testid="project-close" onClick={() => void run('Closing project…', () => client.call('project.close', {}))}>
            Close project
          </button>
        )}
      </header>

      <Sidebar
        project={project}
        videos={videos}
        selectedId={videoId}
        nativeDialogs={info?.nativeDialogs ?? false}
        onOpenProject={openProject}
        onCreateProject={createProject}
        onAddVideo={addVideo}
        onSelectVideo={selectVideo}
        onRemoveVideo={(id) => void removeVideo(id)}
        browse={browse}
      />

      <main className="main">
        <FrameStage
          frame={shown}
          loading={loading}
          view={view}
          onViewChange={setView}
          overlay={
            labels && video && shown
              ? (scale) => {
                  const r = shown.image.width / video.width; // labels are in the video's pixels
                  return (
                    <Group scaleX={r} scaleY={r}>
                      <LabelsOverlay labels={labels} width={video.width} height={video.height} scale={scale * r} boxes={layers.boxes} masks={layers.masks} />
                    </Group>
                  );
                }
              : undefined
          }
        >
          <ErrorBanner error={error} onDismiss={() => setError(null)} />
          {!project && <Welcome recent={recent} onOpenDemo={() => void openDemo()} onOpen={(p) => void openProject(p)} />}
          {project && !video && (
            <div className="stage-note" data-testid="stage-note">
              {videos.length ? 'Select a video on the left.' : 'This project has no videos yet: add a video file or an image folder on the left.'}
            </div>
          )}
        </FrameStage>
        {video && (
          <div className="results-bar" data-testid="overlay-bar" data-boxes={labels?.boxes.length ?? 0} data-masks={labels?.masks.length ?? 0} data-labels-frame={labels ? shown?.index : ''}>
            <label className="check">
              <input type="checkbox" data-testid="layer-boxes" checked={layers.boxes} onChange={(e) => setLayers((l) => ({ ...l, boxes: e.target.checked }))} /> boxes
            </label>
            <label className="check">
              <input type="checkbox" data-testid="layer-masks" checked={layers.masks} onChange={(e) => setLayers((l) => ({ ...l, masks: e.target.checked }))} /> masks
            </label>
            <TimelineStrip frameCount={video.frameCount} codes={stateCodes} index={index} onSeek={seek} />
          </div>
        )}
        {video && <Transport video={video} index={index} shown={shown} onSeek={seek} />}
      </main>

      <StatusBar info={info} project={project} frame={frameInfo} busy={busy} />

      {dialog === 'export' && project && <ExportDialog project={project} videos={videos} task={exportTask} onClose={closeDialog} />}
      {dialog === 'dff' && video && <DffDialog video={video} task={dffTask} onClose={closeDialog} />}
      {dialog === 'import' && project && (
        <ImportDialog videos={videos} currentVideoId={videoId} onClose={closeDialog} />
      )}
      {dialog === 'settings' && (
        <SettingsDialog
          info={info}
          onClose={closeDialog}
          onSaved={async () => {
            setInfo(await client.call('app.info', {}));
          }}
        />
      )}
    </div>
  );
}
