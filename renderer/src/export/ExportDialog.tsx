import { useEffect, useState } from 'react';
import type { ClassInfo, ExportSpec, ExportSummary, FrameState, ProjectInfo, VideoInfo } from '../../../electron/common/api';
import { FRAME_STATES } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';
import { client, errorInfoOf } from '../api/client';
import { Dialog, Field, InlineError, plural, TaskProgress } from '../components/Dialog';
import { CityscapesTable } from './CityscapesTable';
import { defaultForm, formOf, selectionOf, specOf, type ExportForm } from './export-form';
import type { useExportTask } from './useExportTask';

type Task = ReturnType<typeof useExportTask>;

const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));

/** Export: format, which frames, format options, destination; a summary first, then progress and the result. */
export function ExportDialog(props: { project: ProjectInfo; videos: VideoInfo[]; task: Task; onClose: () => void }) {
  const { project, videos, task } = props;
  const [form, setForm] = useState<ExportForm>(() => defaultForm(project));
  const [classes, setClasses] = useState<ClassInfo[]>([]);
  const [summary, setSummary] = useState<ExportSummary | null>(null);
  const [summaryError, setSummaryError] = useState<ErrorInfo | null>(null);
  const [last, setLast] = useState<ExportSpec | null>(null);
  const [presets, setPresets] = useState<Record<string, ExportSpec>>({});
  const [presetName, setPresetName] = useState('');
  const [note, setNote] = useState<ErrorInfo | null>(null);
  const set = (patch: Partial<ExportForm>) => setForm((f) => ({ ...f, ...patch }));

  // what the project remembers: its classes, the last export (prefills the form), the presets
  useEffect(() => {
    void (async () => {
      try {
        const [cls, lastSpec, saved] = await Promise.all([
          client.call('class.list', {}),
          client.call('export.lastSpec', {}),
          client.call('export.presetList', {}),
        ]);
        setClasses(cls);
        setLast(lastSpec);
        setPresets(saved);
        if (lastSpec) setForm((f) => formOf(lastSpec, f));
      } catch (e) {
        setNote(errorInfoOf(e));
      }
    })();
  }, []);

  // the summary follows the selection (a short pause so typing a number does not flood the core)
  const selectionKey = JSON.stringify(selectionOf(form));
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      client
        .call('export.summary', { selection: JSON.parse(selectionKey) })
        .then((s) => current && (setSummary(s), setSummaryError(null)))
        .catch((e) => current && setSummaryError(errorInfoOf(e)));
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [selectionKey]);

  // a finished export becomes "the last export"
  const finished = task.state.status === 'done';
  useEffect(() => {
    if (finished) void client.call('export.lastSpec', {}).then(setLast, () => undefined);
  }, [finished]);

  const running = task.state.status === 'running';
  const exportNow = (overwrite = false) => void task.start(specOf(form, overwrite));
  const exportAgain = () => last && void task.start({ ...last, overwrite: false });
  const savePreset = async () => {
    try {
      const spec = await client.call('export.presetSave', { name: presetName.trim(), spec: specOf(form) });
      setPresets((p) => ({ ...p, [presetName.trim()]: spec }));
      setPresetName('');
      setNote(null);
    } catch (e) {
      setNote(errorInfoOf(e));
    }
  };

  const footer = <ExportFooter task={task} canExport={!running && Boolean(form.outDir.trim() && form.name.trim())} onExport={exportNow} onClose={props.onClose} />;

  return (
    <Dialog title="Export training data" testId="export-dialog" onClose={props.onClose} footer={footer} wide>
      <div className="export-grid">
        <div className="export-column">
          <h3>Format</h3>
          <div className="segmented" role="radiogroup">
            {(['coco', 'cityscapes'] as const).map((f) => (
              <button
                key={f}
                role="radio"
                aria-checked={form.format === f}
                data-testid={`export-format-${f}`}
                className={form.format === f ? 'segment selected' : 'segment'}
                onClick={() => set({ format: f, name: form.name.replace(/-(coco|cityscapes)$/, `-${f}`) })}
              >
                {f === 'coco' ? 'COCO' : 'Cityscapes'}
              </button>
            ))}
          </div>

          <h3>Frames</h3>
          <label className="check">
            <input type="checkbox" checked={form.verified} data-testid="export-verified" onChange={(e) => set({ verified: e.target.checked })} /> verified
          </label>
          <label className="check">
            <input type="checkbox" checked={form.corrected} data-testid="export-corrected" onChange={(e) => set({ corrected: e.target.checked })} /> corrected (not yet verified)
          </label>
          <label className="check">
            <input type="checkbox" checked={form.carried} data-testid="export-carried" onChange={(e) => set({ carried: e.target.checked })} /> carried from a correction (not yet reviewed)
          </label>
          <label className="check">
            <input type="checkbox" checked={form.machine} data-testid="export-machine" onChange={(e) => set({ machine: e.target.checked })} /> machine frames with score ≥
            <input type="number" className="num" min={0} max={1} step={0.05} value={form.minScore} disabled={!form.machine} onChange={(e) => set({ minScore: num(e.target.value) })} />
          </label>
          <Field label="Every n-th frame">
            <input type="number" className="num" min={1} step={1} value={form.everyNth} data-testid="export-every-nth" onChange={(e) => set({ everyNth: num(e.target.value) })} />
          </Field>
          <label className="check">
            <input type="checkbox" checked={form.useRange} onChange={(e) => set({ useRange: e.target.checked })} /> only frames
            <input type="number" className="num" min={0} value={form.rangeFrom} disabled={!form.useRange} onChange={(e) => set({ rangeFrom: num(e.target.value) })} />
            to
            <input type="number" className="num" min={0} value={form.rangeTo} disabled={!form.useRange} onChange={(e) => set({ rangeTo: num(e.target.value) })} />
            <span className="muted">(end excluded)</span>
          </label>

          <h3>Validation split</h3>
          <select value={form.validation} data-testid="export-validation" onChange={(e) => set({ validation: e.target.value as ExportForm['validation'] })}>
            <option value="none">none: every frame is training</option>
            <option value="video">by video</option>
            <option value="time-block">by time block</option>
          </select>
          {form.validation === 'video' && (
            <div className="video-picks">
              {videos.map((v) => (
                <label className="check" key={v.id}>
                  <input
                    type="checkbox"
                    checked={form.valVideoIds.includes(v.id)}
                    onChange={(e) => set({ valVideoIds: e.target.checked ? [...form.valVideoIds, v.id] : form.valVideoIds.filter((x) => x !== v.id) })}
                  />
                  {v.name} is validation
                </label>
              ))}
            </div>
          )}
          {form.validation === 'time-block' && (
            <div className="inline-fields">
              <Field label="Block (frames)">
                <input type="number" className="num" min={1} value={form.blockFrames} onChange={(e) => set({ blockFrames: num(e.target.value) })} />
              </Field>
              <Field label="Validation share">
                <input type="number" className="num" min={0.01} max={0.99} step={0.05} value={form.valFraction} onChange={(e) => set({ valFraction: num(e.target.value) })} />
              </Field>
              <Field label="Gap (frames)" hint="training frames this close to validation are dropped">
                <input type="number" className="num" min={1} value={form.gapFrames} onChange={(e) => set({ gapFrames: num(e.target.value) })} />
              </Field>
            </div>
          )}

          <h3>{form.format === 'coco' ? 'COCO options' : 'Cityscapes options'}</h3>
          {form.format === 'coco' ? (
            <>
              <Field label="Masks as">
                <select value={form.segmentation} data-testid="export-segmentation" onChange={(e) => set({ segmentation: e.target.value as ExportForm['segmentation'] })}>
                  <option value="rle">RLE (exact)</option>
                  <option value="polygon">polygons (masks with holes stay RLE)</option>
                </select>
              </Field>
              <Field label="Frame images">
                <select value={form.cocoImages} data-testid="export-images" onChange={(e) => set({ cocoImages: e.target.value as ExportForm['cocoImages'] })}>
                  <option value="none">none</option>
                  <option value="jpeg">JPEG</option>
                  <option value="png">PNG</option>
                </select>
              </Field>
              <label className="check">
                <input type="checkbox" checked={form.predictions} data-testid="export-predictions" onChange={(e) => set({ predictions: e.target.checked })} /> also write the machine's
                predictions as a COCO results file
              </label>
            </>
          ) : (
            <>
              <label className="check">
                <input type="checkbox" checked={form.cityscapesImages} onChange={(e) => set({ cityscapesImages: e.target.checked })} /> write frames as _leftImg8bit.png
              </label>
              <Field label="City name" hint="blank: the project's name">
                <input type="text" value={form.city} placeholder={project.name} onChange={(e) => set({ city: e.target.value })} />
              </Field>
              <h3>Class mapping</h3>
              <CityscapesTable />
            </>
          )}
        </div>

        <div className="export-column">
          <h3>Summary</h3>
          <SummaryView summary={summary} classes={classes} />
          <InlineError error={summaryError} testId="export-summary-error" />

          <h3>Destination</h3>
          <Field label="Folder">
            <input type="text" spellCheck={false} value={form.outDir} data-testid="export-out-dir" onChange={(e) => set({ outDir: e.target.value })} />
          </Field>
          <Field label="Name" hint="the export's own folder inside it">
            <input type="text" spellCheck={false} value={form.name} data-testid="export-name" onChange={(e) => set({ name: e.target.value })} />
          </Field>

          <h3>Saved settings</h3>
          {last && (
            <div className="saved-row">
              <button className="button" data-testid="export-again" disabled={running} onClick={exportAgain} title={`${last.outDir}/${last.name}`}>
                Export again
              </button>
              <span className="muted">
                last: {last.format === 'coco' ? 'COCO' : 'Cityscapes'} → {last.name}
              </span>
            </div>
          )}
          <div className="saved-row">
            <select value="" data-testid="export-preset-load" onChange={(e) => e.target.value && setForm((f) => formOf(presets[e.target.value], f))} disabled={!Object.keys(presets).length}>
              <option value="">{Object.keys(presets).length ? 'Load a preset…' : 'no presets yet'}</option>
              {Object.keys(presets).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
          <div className="saved-row">
            <input type="text" placeholder="preset name" value={presetName} data-testid="export-preset-name" onChange={(e) => setPresetName(e.target.value)} />
            <button className="button" disabled={!presetName.trim()} data-testid="export-preset-save" onClick={() => void savePreset()}>
              Save preset
            </button>
          </div>
          <InlineError error={note} testId="export-note" />
        </div>
      </div>
    </Dialog>
  );
}

function SummaryView({ summary, classes }: { summary: ExportSummary | null; classes: ClassInfo[] }) {
  if (!summary) return <div className="muted">counting…</div>;
  const states = FRAME_STATES.filter((s) => summary.framesByState[s]);
  const classRows = classes.map((c) => ({ ...c, objects: summary.objectsByClass[String(c.id)] ?? 0 }));
  return (
    <div className="summary" data-testid="export-summary">
      <div className="summary-total" data-testid="export-summary-frames">
        <b>{summary.frames}</b> {summary.frames === 1 ? 'frame' : 'frames'}: {summary.framesBySplit.train} train, {summary.framesBySplit.val} validation
      </div>
      <table className="data-table">
        <tbody>
          {states.map((s: FrameState) => (
            <tr key={s}>
              <td>{s}</td>
              <td className="n">{summary.framesByState[s]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="data-table" data-testid="export-summary-classes">
        <thead>
          <tr>
            <th>Class</th>
            <th className="n">Objects</th>
          </tr>
        </thead>
        <tbody>
          {classRows.map((c) => (
            <tr key={c.id}>
              <td>
                <span className="swatch" style={{ background: c.color }} />
                {c.name}
              </td>
              <td className="n">{c.objects}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {summary.droppedAsNeighbours > 0 && <div className="muted">{plural(summary.droppedAsNeighbours, 'training frame')} dropped next to validation blocks</div>}
      {summary.boxOnlyObjects > 0 && <div className="muted">{plural(summary.boxOnlyObjects, 'object')} without a mask (box only)</div>}
    </div>
  );
}

/** Export / progress with Cancel / the result or the error (ALREADY_EXISTS offers to overwrite). */
function ExportFooter(props: { task: Task; canExport: boolean; onExport: (overwrite?: boolean) => void; onClose: () => void }) {
  const { state, cancel, reset } = props.task;
  if (state.status === 'running') {
    const p = state.progress;
    const label = p ? `${p.phase} ${p.done} / ${p.total}` : 'starting…';
    return <TaskProgress testId="export" done={p?.done ?? 0} total={p?.total ?? 0} label={label} cancelling={state.cancelling} onCancel={() => void cancel()} />;
  }
  return (
    <div className="export-footer">
      {state.status === 'done' && (
        <div className="export-result" data-testid="export-result">
          <b>Exported</b> {plural(state.result.frames, 'frame')} ({state.result.framesBySplit.train} train, {state.result.framesBySplit.val} val),{' '}
          {plural(state.result.annotations, 'object')}, {plural(state.result.files.length, 'file')} to <code data-testid="export-result-dest">{state.result.dest}</code>
          {state.result.warnings.length > 0 && (
            <ul className="warning-list" data-testid="export-warnings">
              {state.result.warnings.map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {state.status === 'failed' && (
        <InlineError error={state.error} testId="export-error">
          {state.error.code === 'ALREADY_EXISTS' && (
            <button className="button button-danger" data-testid="export-overwrite" onClick={() => void props.task.start({ ...state.spec, overwrite: true })}>
              Overwrite it
            </button>
          )}
        </InlineError>
      )}
      <div className="button-row end">
        <button className="button" onClick={() => (reset(), props.onClose())}>
          Close
        </button>
        <button className="button button-primary" data-testid="export-start" disabled={!props.canExport} onClick={() => props.onExport(false)}>
          Export
        </button>
      </div>
    </div>
  );
}
