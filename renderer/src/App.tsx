import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { FRAME_KEY_BIT, FRAME_STATES, type AppInfo, type DialogKind, type MenuCommand, type ProjectInfo, type RecentProject, type VideoInfo } from '../../electron/common/api';
import type { ErrorInfo } from '../../electron/common/errors';
import { client, errorInfoOf } from './api/client';
import { ErrorBanner } from './components/ErrorBanner';
import { actualSizeView, FrameStage, type StageView } from './components/FrameStage';
import { Sidebar } from './components/Sidebar';
import { LiveStatusBar } from './components/LiveStatusBar';
import { Transport } from './components/Transport';
import { Welcome } from './components/Welcome';
import { ExportDialog } from './export/ExportDialog';
import { useExportTask } from './export/useExportTask';
import { ImportDialog } from './import/ImportDialog';
import { SettingsDialog } from './settings/SettingsDialog';
import { frameLoader, labelsCache, useShownFrame } from './frames/useShownFrame';
import { Group } from 'react-konva';
import { DffTaskHost } from './dff/DffTaskHost';
import { EditorLayer } from './editor/EditorLayer';
import { EditorSidePanel } from './editor/EditorSidePanel';
import { EditorToolbar, LayerToggles, PendingBanner } from './editor/EditorToolbar';
import { HelpPanel } from './editor/HelpPanel';
import { useEditor } from './editor/useEditor';
import { useEditorKeys } from './editor/useEditorKeys';
import { Timeline } from './timeline/Timeline';
import { ActionLane, type LaneGeometry } from './action-lane/ActionLane';
import { useActionLane } from './action-lane/useActionLane';
import { VisualisePanel } from './visualise/VisualisePanel';
import { scoreOf, useFrameStates } from './timeline/frame-states';

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
  const [visualiseOpen, setVisualiseOpen] = useState(false);
  const exportTask = useExportTask();
  /** Moves when a DFF run wrote labels (at most once a second while it runs). */
  const [dffRevision, setDffRevision] = useState(0);
  const dffResults = useCallback((revision: number) => {
    labelsCache.clear();
    setDffRevision(revision);
  }, []);
  const closeDialog = useCallback(() => setDialog(null), []);
  /** Where each video was left, so switching back returns there. */
  const positions = useRef(new Map<number, number>());
  const projectPath = useRef<string | null>(null);

  const video = videos.find((v) => v.id === videoId) ?? null;
  const { shown, loading } = useShownFrame(video, index, setError);
  /** Moves after each action-lane edit: the editor re-reads its undo/redo labels. */
  const [laneRevision, setLaneRevision] = useState(0);
  const laneChanged = useCallback(() => setLaneRevision((r) => r + 1), []);
  const editor = useEditor({ projectPath: project?.path ?? null, video, index: shown && shown.videoId === video?.id ? shown.index : null, onError: setError, onSeek: setIndex, outsideRevision: dffRevision + laneRevision });
  const actionLane = useActionLane({ videoId: video?.id ?? null, outsideRevision: editor.revision, onError: setError, onChanged: laneChanged });
  useEditorKeys(editor, video);
  const frameStates = useFrameStates(video?.id ?? null, dffRevision + editor.revision, setError);
  const stateCodes = frameStates?.codes ?? null;
  // The frame's info was fetched with its image (or cached); state, key flag and score come from frameStates.
  const code = shown && stateCodes && shown.videoId === video?.id ? stateCodes[shown.index] : undefined;
  const frameInfo = shown
    ? code === undefined
      ? shown.info
      : { ...shown.info, state: FRAME_STATES[code & 0x7f]!, dffKey: (code & FRAME_KEY_BIT) !== 0, score: scoreOf(frameStates!.scores[shown.index]!) }
    : null;

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
      labelsCache.clear();
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
  const renderLane = useCallback((g: LaneGeometry) => <ActionLane lane={actionLane} onSeek={seek} {...g} />, [actionLane, seek]);

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

  // the editor drawn over the frame; a new function only when what it draws changed (FrameStage is memoised on it)
  const overlayScale = shown && video ? shown.image.width / video.width : 1; // labels are in the video's pixels
  const videoWidth = video?.width ?? 0;
  const videoHeight = video?.height ?? 0;
  const overlay = useMemo(
    () =>
      editor.labels && videoWidth > 0
        ? (scale: number) => (
            <Group scaleX={overlayScale} scaleY={overlayScale}>
              <EditorLayer editor={editor} width={videoWidth} height={videoHeight} scale={scale * overlayScale} />
            </Group>
          )
        : undefined,
    [editor, videoWidth, videoHeight, overlayScale],
  );

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
            {video && (
              <button className={`button${visualiseOpen ? ' button-on' : ''}`} data-testid="top-visualise" title="Flow and feature warp for the frame on screen" onClick={() => setVisualiseOpen((o) => !o)}>
                Inside DFF
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
        {video && <EditorToolbar editor={editor} onHelp={() => editor.setHelpOpen(!editor.helpOpen)} />}
        <div className="editor-row">
        <FrameStage
          frame={shown}
          loading={loading}
          view={view}
          onViewChange={setView}
          interactive={editor.labels !== null}
          overlay={shown ? overlay : undefined}
        >
          <PendingBanner editor={editor} />
          {editor.helpOpen && <HelpPanel onClose={() => editor.setHelpOpen(false)} />}
          <ErrorBanner error={error} onDismiss={() => setError(null)} />
          {!project && <Welcome recent={recent} onOpenDemo={() => void openDemo()} onOpen={(p) => void openProject(p)} />}
          {project && !video && (
            <div className="stage-note" data-testid="stage-note">
              {videos.length ? 'Select a video on the left.' : 'This project has no videos yet: add a video file or an image folder on the left.'}
            </div>
          )}
        </FrameStage>
        {video && <EditorSidePanel editor={editor} onError={setError} />}
        </div>
        {visualiseOpen && video && shown && (
          <VisualisePanel video={video} index={shown.index} image={shown.image} onError={setError} onClose={() => setVisualiseOpen(false)} />
        )}
        {video && (
          <div className="results-bar" data-testid="overlay-bar" data-boxes={editor.labels?.annotations.filter((a) => a.rle === null).length ?? 0} data-masks={editor.labels?.annotations.filter((a) => a.rle !== null).length ?? 0} data-labels-frame={editor.labels?.index ?? ''}>
            <LayerToggles editor={editor} />
          </div>
        )}
        {video && <Timeline count={video.frameCount} states={frameStates} index={index} shownIndex={shown?.index ?? null} onSeek={seek} lane={renderLane} />}
        {video && <Transport video={video} index={index} shown={shown} onSeek={seek} />}
      </main>

      <LiveStatusBar info={info} project={project} frame={frameInfo} busy={busy} />

      {dialog === 'export' && project && <ExportDialog project={project} videos={videos} task={exportTask} onClose={closeDialog} />}
      <DffTaskHost video={video} open={dialog === 'dff'} onClose={closeDialog} onResults={dffResults} />
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
