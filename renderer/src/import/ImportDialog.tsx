import { useState } from 'react';
import type { ImportCocoOptions, ImportResult, VideoInfo } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';
import { client, errorInfoOf } from '../api/client';
import { Dialog, Field, InlineError, plural } from '../components/Dialog';

type Match = NonNullable<ImportCocoOptions['match']>;

/** COCO dataset or results file → machine pre-labels on one video; shows what was written, skipped or rejected. */
export function ImportDialog(props: { videos: VideoInfo[]; currentVideoId: number | null; onClose: () => void }) {
  const [file, setFile] = useState('');
  const [imagesFrom, setImagesFrom] = useState('');
  const [videoId, setVideoId] = useState<number | null>(props.currentVideoId ?? props.videos[0]?.id ?? null);
  const [match, setMatch] = useState<Match>('auto');
  const [minScore, setMinScore] = useState(0);
  const [createClasses, setCreateClasses] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);

  const run = async () => {
    if (videoId === null) return;
    setBusy(true);
    setResult(null);
    setError(null);
    try {
      const input: ImportCocoOptions = { file: file.trim(), videoId, match, minScore, createClasses, ...(imagesFrom.trim() ? { imagesFrom: imagesFrom.trim() } : {}) };
      setResult(await client.call('import.coco', input));
    } catch (e) {
      setError(errorInfoOf(e));
    } finally {
      setBusy(false);
    }
  };

  const footer = (
    <div className="button-row end">
      <button className="button" onClick={props.onClose}>
        Close
      </button>
      <button className="button button-primary" data-testid="import-start" disabled={busy || !file.trim() || videoId === null} onClick={() => void run()}>
        {busy ? 'Importing…' : 'Import'}
      </button>
    </div>
  );

  return (
    <Dialog title="Import COCO pre-labels" testId="import-dialog" onClose={props.onClose} footer={footer}>
      <Field label="COCO file" hint="a dataset (object) or results (array) JSON file">
        <input type="text" spellCheck={false} value={file} data-testid="import-file" placeholder="/path/to/instances.json" onChange={(e) => setFile(e.target.value)} />
      </Field>
      <Field label="Images from" hint="for a results file: the dataset its image_id and category_id refer to (optional)">
        <input type="text" spellCheck={false} value={imagesFrom} data-testid="import-images-from" onChange={(e) => setImagesFrom(e.target.value)} />
      </Field>
      <Field label="Onto video">
        <select value={videoId ?? ''} data-testid="import-video" onChange={(e) => setVideoId(Number(e.target.value))}>
          {props.videos.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Match images by">
        <select value={match} data-testid="import-match" onChange={(e) => setMatch(e.target.value as Match)}>
          <option value="auto">frame index, else the number in the file name</option>
          <option value="frame-index">frame index (frame_id / frame_index)</option>
          <option value="file-name">the number in the file name</option>
        </select>
      </Field>
      <Field label="Minimum score" hint="annotations below it are left out; those without a score are kept">
        <input type="number" className="num" min={0} max={1} step={0.05} value={minScore} data-testid="import-min-score" onChange={(e) => setMinScore(Number(e.target.value))} />
      </Field>
      <label className="check">
        <input type="checkbox" checked={createClasses} onChange={(e) => setCreateClasses(e.target.checked)} /> add categories the project lacks as new classes
      </label>
      <p className="muted">Imported labels are machine pre-labels: frames a person verified or edited are never changed.</p>

      {result && (
        <div className="import-result" data-testid="import-result">
          <div>
            <b>Imported</b> a COCO {result.kind} file: {plural(result.framesWritten, 'frame')} written, {plural(result.annotations, 'annotation')} read
            {result.createdClasses.length > 0 && <>, new classes: {result.createdClasses.join(', ')}</>}.
          </div>
          {result.skipped.length > 0 && (
            <div data-testid="import-skipped">
              {plural(result.skipped.length, 'frame')} kept as they were (a person's work):
              <ul className="problem-list">
                {result.skipped.slice(0, 50).map((s) => (
                  <li key={s.frameIdx}>
                    frame {s.frameIdx}: {s.reason === 'verified' ? 'verified' : 'edited by a person'}
                  </li>
                ))}
                {result.skipped.length > 50 && <li>… and {result.skipped.length - 50} more</li>}
              </ul>
            </div>
          )}
        </div>
      )}
      <InlineError error={error} testId="import-error" />
    </Dialog>
  );
}
