import { useEffect, useRef, useState } from 'react';
import { formatTime, type PackInfo, type VideoInfo } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';
import { client, errorInfoOf } from '../api/client';
import { Dialog, Field, InlineError, plural, TaskProgress } from '../components/Dialog';
import type { DffTask } from './useDffTask';

/** The default pack's key interval (models/default/manifest.json keyInterval); the core uses the pack's own when k is left out. */
const DEFAULT_K = 10;

const MODE_LABELS = { fixed: 'Key every k', adaptive: 'Adaptive keys', baseline: 'Per-frame' } as const;

/**
 * Run DFF on the video on screen with the bundled default pack: a key frame in the middle of every k frames,
 * adaptive key frames (as many, closer together where the video changes fast), or the per-frame baseline; an optional frame range. Progress with fps and ETA, Cancel, then the outcome.
 */
export function DffDialog(props: { video: VideoInfo; task: DffTask; onClose: () => void }) {
  const { video, task } = props;
  const [mode, setMode] = useState<'fixed' | 'adaptive' | 'baseline'>('fixed');
  const [k, setK] = useState(DEFAULT_K);
  const [from, setFrom] = useState(0);
  const [to, setTo] = useState(video.frameCount);
  const running = task.state.status === 'running';
  const kTouched = useRef(false);
  // a pack the user picks brings its own k; the one remembered from last time does not undo a k typed meanwhile
  const pack = usePackChoice((packK, picked) => {
    if (picked || !kTouched.current) setK(packK);
  });
  const valid = pack.info !== null && Number.isInteger(k) && k >= 1 && from >= 0 && to <= video.frameCount && from < to;

  const runNow = () =>
    void task.start({ videoId: video.id, mode, ...(mode !== 'baseline' ? { k } : {}), from, to, ...(pack.info && !pack.info.isDefault ? { packDir: pack.info.dir } : {}) });

  return (
    <Dialog title={`Run DFF on ${video.name}`} testId="dff-dialog" onClose={props.onClose} footer={<DffFooter task={task} canRun={!running && valid} onRun={runNow} onClose={props.onClose} />}>
      <Field label="Model pack" hint={pack.info ? `${pack.info.name} ${pack.info.version} · ${pack.info.inputWidth}×${pack.info.inputHeight} · ${pack.info.classes.join(', ')}${pack.info.actions ? ` · actions: ${pack.info.actions.join(', ')}` : ''}` : 'checking…'}>
        <input
          className="path"
          placeholder="the bundled default pack"
          value={pack.typed}
          data-testid="dff-pack"
          onChange={(e) => pack.setTyped(e.target.value)}
          onBlur={() => pack.typed.trim() !== pack.chosen && pack.choose(pack.typed)}
          onKeyDown={(e) => e.key === 'Enter' && pack.choose(pack.typed)}
        />
        {pack.canBrowse && (
          <button data-testid="dff-pack-browse" onClick={() => void pack.browse()}>
            Browse…
          </button>
        )}
        {pack.typed && (
          <button data-testid="dff-pack-default" onClick={() => pack.choose('')}>
            Default
          </button>
        )}
        {pack.error && <InlineError error={pack.error} testId="dff-pack-error" />}
      </Field>
      <Field label="Mode">
        <div className="segmented" role="radiogroup">
          {(['fixed', 'adaptive', 'baseline'] as const).map((m) => (
            <button key={m} role="radio" aria-checked={mode === m} data-testid={`dff-mode-${m}`} className={mode === m ? 'segment selected' : 'segment'} onClick={() => setMode(m)}>
              {MODE_LABELS[m]}
            </button>
          ))}
        </div>
      </Field>
      {mode !== 'baseline' && (
        <Field label="k" hint={mode === 'fixed' ? 'frames that share one key frame (the middle one)' : 'mean frames per key frame; a first pass places them where the video changes fast'}>
          <input type="number" min={1} value={k} data-testid="dff-k" onChange={(e) => { kTouched.current = true; setK(Number(e.target.value)); }} />
        </Field>
      )}
      <Field label="Frames" hint={`[from, to) of ${plural(video.frameCount, 'frame')}`}>
        <input type="number" min={0} value={from} data-testid="dff-from" onChange={(e) => setFrom(Number(e.target.value))} />
        {' – '}
        <input type="number" min={1} max={video.frameCount} value={to} data-testid="dff-to" onChange={(e) => setTo(Number(e.target.value))} />
      </Field>
    </Dialog>
  );
}

function DffFooter(props: { task: DffTask; canRun: boolean; onRun: () => void; onClose: () => void }) {
  const { state, cancel, reset, resume } = props.task;
  if (state.status === 'running') {
    const p = state.progress;
    const speed = p?.fps ? ` · ${p.fps.toFixed(1)} fps` : '';
    const eta = p?.etaS != null ? ` · ${formatTime(p.etaS)} left` : '';
    const label = !p ? 'loading the pack…' : p.phase === 'planning' ? `placing key frames: ${p.done} / ${p.total} frames looked at` : `${p.done} / ${p.total} frames${speed}${eta}`;
    return <TaskProgress testId="dff" done={p?.done ?? 0} total={p?.total ?? 0} label={label} cancelling={state.cancelling} onCancel={() => void cancel()} />;
  }
  return (
    <div className="export-footer">
      {state.status === 'done' && (
        <div className="export-result" data-testid="dff-result">
          <b>Run {state.result.runId} done:</b> {plural(state.result.written, 'frame')} labelled at {state.result.fps.toFixed(1)} fps
          {state.result.skipped > 0 && <>, {plural(state.result.skipped, 'frame')} a person had checked left as they were</>}
          {state.result.badFrames > 0 && <>, {plural(state.result.badFrames, 'frame')} unreadable</>}
        </div>
      )}
      {state.status === 'failed' && (
        <InlineError error={state.error} testId="dff-error">
          {state.runId !== null && (
            <button className="button" data-testid="dff-resume" onClick={() => void resume(state.runId!)}>
              Resume run {state.runId}
            </button>
          )}
        </InlineError>
      )}
      <div className="button-row end">
        <button className="button" onClick={() => (reset(), props.onClose())}>
          Close
        </button>
        <button className="button button-primary" data-testid="dff-start" disabled={!props.canRun} onClick={props.onRun}>
          Run
        </button>
      </div>
    </div>
  );
}

const PACK_KEY = 'dff.packDir';

/**
 * The pack a run will use: the bundled default or a folder the user chose (remembered in localStorage). Every
 * choice is validated by the core (`pack.inspect`) before Run is possible; k follows the pack's key interval.
 */
function usePackChoice(adoptK: (k: number, picked: boolean) => void) {
  const [typed, setTyped] = useState(() => localStorage.getItem(PACK_KEY) ?? '');
  const [info, setInfo] = useState<PackInfo | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [canBrowse, setCanBrowse] = useState(false);
  const latest = useRef(0); // only the last choice counts when answers come back out of order

  const choose = async (dir: string, picked = true) => {
    const trimmed = dir.trim();
    const ask = ++latest.current;
    setTyped(trimmed);
    setError(null);
    setInfo(null);
    try {
      const pack = await client.call('pack.inspect', trimmed ? { dir: trimmed } : {});
      if (ask !== latest.current) return;
      setInfo(pack);
      adoptK(pack.keyInterval, picked);
      if (trimmed) localStorage.setItem(PACK_KEY, trimmed);
      else localStorage.removeItem(PACK_KEY);
    } catch (err) {
      if (ask === latest.current) setError(errorInfoOf(err));
    }
  };

  const browse = async () => {
    const { path } = await client.call('dialog.open', { kind: 'pack-folder' });
    if (path) chooseNow(path);
  };

  useEffect(() => {
    setChosen(typed);
    void choose(typed, false);
    client.call('app.info', {}).then((a) => setCanBrowse(a.nativeDialogs), () => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, with the remembered pack
  }, []);

  const [chosen, setChosen] = useState<string | null>(null);
  const chooseNow = (dir: string) => {
    setChosen(dir.trim());
    void choose(dir);
  };
  return { typed, setTyped, chosen, info, error, canBrowse, choose: chooseNow, browse };
}
