import { useEffect, useState } from 'react';
import type { AppInfo, ToolInfo } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';
import { client, errorInfoOf } from '../api/client';
import { Dialog, Field, InlineError } from '../components/Dialog';

function ToolLine({ name, tool, testId }: { name: string; tool: ToolInfo | null; testId: string }) {
  return (
    <div className="tool-line" data-testid={testId}>
      <b>{name}</b>{' '}
      {tool ? (
        <>
          <span data-testid={`${testId}-version`}>{tool.version}</span> <span className="muted">({tool.source})</span>
          <div className="tool-path">{tool.path}</div>
        </>
      ) : (
        <span className="status-bad">not found</span>
      )}
    </div>
  );
}

/** The ffmpeg and ffprobe binaries: blank = automatic. A path that does not run is refused and the old setting stays. */
export function SettingsDialog(props: { info: AppInfo | null; onClose: () => void; onSaved: () => Promise<void> }) {
  const [ffmpeg, setFfmpeg] = useState('');
  const [ffprobe, setFfprobe] = useState('');
  const [threads, setThreads] = useState('');
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    client
      .call('settings.get', {})
      .then((s) => {
        setFfmpeg(s.ffmpegPath ?? '');
        setFfprobe(s.ffprobePath ?? '');
        setThreads(s.dffThreads === null ? '' : String(s.dffThreads));
      })
      .catch((e) => setError(errorInfoOf(e)));
  }, []);

  const save = async () => {
    setBusy(true);
    setSaved(false);
    try {
      const dffThreads = threads.trim() ? Number(threads) : null;
      await client.call('settings.set', { ffmpegPath: ffmpeg.trim() || null, ffprobePath: ffprobe.trim() || null, dffThreads });
      setError(null);
      setSaved(true);
      await props.onSaved();
    } catch (e) {
      setError(errorInfoOf(e));
    } finally {
      setBusy(false);
    }
  };

  const footer = (
    <div className="button-row end">
      {saved && <span className="muted" data-testid="settings-saved">Saved.</span>}
      <button className="button" onClick={props.onClose}>
        Close
      </button>
      <button className="button button-primary" data-testid="settings-save" disabled={busy} onClick={() => void save()}>
        Save
      </button>
    </div>
  );

  return (
    <Dialog title="Settings" testId="settings-dialog" onClose={props.onClose} footer={footer}>
      <h3>Running now</h3>
      <ToolLine name="ffmpeg" tool={props.info?.ffmpeg ?? null} testId="settings-ffmpeg" />
      <ToolLine name="ffprobe" tool={props.info?.ffprobe ?? null} testId="settings-ffprobe" />
      {props.info?.toolError && <InlineError error={props.info.toolError} testId="settings-tool-error" />}
      <h3>Binaries</h3>
      <Field label="ffmpeg path" hint="blank: automatic (DFF_FFMPEG, the bundled binary, then PATH)">
        <input type="text" spellCheck={false} value={ffmpeg} placeholder="automatic" data-testid="settings-ffmpeg-path" onChange={(e) => setFfmpeg(e.target.value)} />
      </Field>
      <Field label="ffprobe path" hint="blank: automatic">
        <input type="text" spellCheck={false} value={ffprobe} placeholder="automatic" data-testid="settings-ffprobe-path" onChange={(e) => setFfprobe(e.target.value)} />
      </Field>
      <h3>DFF runs</h3>
      <Field label="CPU threads" hint={`onnxruntime threads for new runs; blank: one per core${props.info ? ` (now ${props.info.cpuThreads})` : ''}`}>
        <input type="number" min={1} max={256} value={threads} placeholder="automatic" data-testid="settings-dff-threads" onChange={(e) => setThreads(e.target.value)} />
      </Field>
      <InlineError error={error} testId="settings-error" />
    </Dialog>
  );
}
