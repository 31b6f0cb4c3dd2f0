import { useState } from 'react';
import type { DialogKind, ProjectInfo, VideoInfo } from '../../../electron/common/api';
import { Icon } from './icons';

interface Props {
  project: ProjectInfo | null;
  videos: VideoInfo[];
  selectedId: number | null;
  nativeDialogs: boolean;
  /** Each resolves true on success, which clears the field. */
  onOpenProject: (path: string) => Promise<boolean>;
  onCreateProject: (path: string) => Promise<boolean>;
  onAddVideo: (path: string) => Promise<boolean>;
  onSelectVideo: (id: number) => void;
  onRemoveVideo: (id: number) => void;
  /** Asks the native dialog for a path (Electron only); null when cancelled. */
  browse: (kind: DialogKind) => Promise<string | null>;
}

function fps(v: VideoInfo): string {
  if (!v.fpsDen) return '';
  const f = v.fpsNum / v.fpsDen;
  return `${Number.isInteger(f) ? f : f.toFixed(2)} fps`;
}

/** A path field with its buttons; Enter runs the first action; a successful action clears the field. */
function PathField(props: {
  testId: string;
  placeholder: string;
  actions: Array<{ label: string; testId: string; run: (path: string) => Promise<boolean>; primary?: boolean }>;
  browse?: () => Promise<string | null>;
}) {
  const [path, setPath] = useState('');
  const submit = async (run: (p: string) => Promise<boolean>) => {
    const typed = path.trim();
    if (typed && (await run(typed))) setPath((current) => (current.trim() === typed ? '' : current));
  };
  return (
    <div className="path-field">
      <div className="path-row">
        <input
          type="text"
          spellCheck={false}
          value={path}
          placeholder={props.placeholder}
          data-testid={props.testId}
          onChange={(e) => setPath(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void submit(props.actions[0].run);
          }}
        />
        {props.browse && (
          <button
            className="button"
            title="Browse…"
            onClick={async () => {
              const picked = await props.browse?.();
              if (picked) setPath(picked);
            }}
          >
            …
          </button>
        )}
      </div>
      <div className="button-row">
        {props.actions.map((a) => (
          <button
            key={a.testId}
            className={a.primary ? 'button button-primary' : 'button'}
            data-testid={a.testId}
            disabled={!path.trim()}
            onClick={() => void submit(a.run)}
          >
            {a.label}
          </button>
        ))}
      </div>
    </div>
  );
}

export function Sidebar(p: Props) {
  const [confirmRemove, setConfirmRemove] = useState<number | null>(null);
  return (
    <aside className="sidebar">
      <section className="panel">
        <h2>Project</h2>
        <PathField
          testId="project-path-input"
          placeholder="/path/to/project.dffproj"
          browse={p.nativeDialogs ? () => p.browse('open-project') : undefined}
          actions={[
            { label: 'Open', testId: 'project-open', run: p.onOpenProject, primary: true },
            { label: 'Create', testId: 'project-create', run: p.onCreateProject },
          ]}
        />
      </section>

      <section className="panel panel-grow">
        <h2>
          Videos <span className="count">{p.project ? p.videos.length : ''}</span>
        </h2>
        {p.project ? (
          <>
            <ul className="video-list" data-testid="video-list">
              {p.videos.map((v) => (
                <li
                  key={v.id}
                  className={v.id === p.selectedId ? 'video-item selected' : 'video-item'}
                  data-testid={`video-item-${v.id}`}
                  onClick={() => p.onSelectVideo(v.id)}
                  title={v.path}
                >
                  <div className="video-name">{v.name}</div>
                  <div className="video-meta">
                    {v.width}×{v.height} · {v.frameCount} frames · {fps(v)}
                    {v.isVfr ? ' · VFR' : ''}
                  </div>
                  <button
                    className={confirmRemove === v.id ? 'icon-button danger armed' : 'icon-button danger'}
                    title={confirmRemove === v.id ? 'Click again to remove this video and its labels' : 'Remove video'}
                    data-testid={`video-remove-${v.id}`}
                    onClick={(e) => {
                      e.stopPropagation();
                      if (confirmRemove === v.id) {
                        setConfirmRemove(null);
                        p.onRemoveVideo(v.id);
                      } else setConfirmRemove(v.id);
                    }}
                    onBlur={() => setConfirmRemove(null)}
                  >
                    {confirmRemove === v.id ? 'Remove?' : <Icon name="close" size={12} />}
                  </button>
                </li>
              ))}
              {p.videos.length === 0 && <li className="empty-note">No videos yet: add a file or an image folder below.</li>}
            </ul>
            <PathField
              testId="video-path-input"
              placeholder="/path/to/video.mp4 or image folder"
              browse={p.nativeDialogs ? () => p.browse('video-file') : undefined}
              actions={[{ label: 'Add video', testId: 'video-add', run: p.onAddVideo, primary: true }]}
            />
          </>
        ) : (
          <p className="empty-note">Open or create a project first.</p>
        )}
      </section>
    </aside>
  );
}
