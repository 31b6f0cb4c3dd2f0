/** `dff export`: COCO or Cityscapes from a project, with the frame selection on the command line. */
import { FRAME_STATES } from '../../store';
import { setCityscapesMapping } from '../../export/cityscapes-map';
import type { ExportProgress } from '../../export/export-context';
import { checkExportSpec, getExportPreset, lastExport, saveExportPreset } from '../../export/export-spec';
import { runExport } from '../../export/run-export';
import { summarizeSelection, type FrameSelection } from '../../export/selection';
import type { Args } from '../args';
import type { CliCommand, CliIO } from '../command';
import { AppError } from '../../errors';
import { withProject } from './open-project';

const usage = `Usage: npm run dff -- export --project <file.dffproj> --format coco|cityscapes --out <dir> --name <name> [options]

Start from saved settings:    --preset <name> | --again (the last export)      save them: --save-preset <name>
Frames:   --videos 1,2  --verified/--no-verified  --corrected  --carried  --min-score 0.8 (machine frames at or above)
          --every 5  --range 100:500 (frames [from, to))
Validation split: --val-videos 3,4   or   --val-blocks 300 --val-fraction 0.2 [--val-gap 10]
COCO:     --segmentation rle|polygon  --images none|jpeg|png  --jpeg-quality 95  --predictions (results files too)
Cityscapes: --city <name>  --no-images  --map 3=person,4=26 (class id = Cityscapes label; saved in the project)
Other:    --overwrite (replace an existing export of that name)  --summary (print the summary, write nothing)`;

function selectionFrom(args: Args, base: FrameSelection): FrameSelection {
  const sel: FrameSelection = { ...base };
  const videos = args.ints('videos');
  if (videos) sel.videoIds = videos;
  const verified = args.flag('verified');
  if (verified !== undefined) sel.verified = verified;
  const corrected = args.flag('corrected');
  if (corrected !== undefined) sel.corrected = corrected;
  const carried = args.flag('carried');
  if (carried !== undefined) sel.carried = carried;
  const minScore = args.num('min-score');
  if (minScore !== undefined) sel.machineMinScore = minScore;
  const every = args.int('every');
  if (every !== undefined) sel.everyNth = every;
  const range = args.str('range');
  if (range !== undefined) {
    const m = range.match(/^(\d+):(\d+)$/);
    if (!m) throw new AppError('INVALID_INPUT', `--range must be from:to (frames [from, to)), got "${range}"`);
    sel.range = { from: Number(m[1]), to: Number(m[2]) };
  }
  const valVideos = args.ints('val-videos');
  const valBlocks = args.int('val-blocks');
  if (valVideos && valBlocks !== undefined) throw new AppError('INVALID_INPUT', '--val-videos and --val-blocks cannot be used together');
  if (valVideos) sel.validation = { by: 'video', videoIds: valVideos };
  if (valBlocks !== undefined) {
    const fraction = args.num('val-fraction') ?? 0.2;
    const gap = args.int('val-gap');
    sel.validation = { by: 'time-block', blockFrames: valBlocks, fraction, ...(gap !== undefined ? { gapFrames: gap } : {}) };
  } else if (args.has('val-fraction') || args.has('val-gap')) {
    throw new AppError('INVALID_INPUT', '--val-fraction and --val-gap go with --val-blocks');
  }
  return sel;
}

function printSummary(io: CliIO, s: ReturnType<typeof summarizeSelection>, classNames: Map<number, string>): void {
  io.out(`Frames: ${s.frames} (train ${s.framesBySplit.train}, val ${s.framesBySplit.val})${s.droppedAsNeighbours ? `, ${s.droppedAsNeighbours} dropped next to validation blocks` : ''}`);
  io.out(`  by state: ${FRAME_STATES.filter((st) => s.framesByState[st]).map((st) => `${st} ${s.framesByState[st]}`).join(', ') || 'none'}`);
  const objects = Object.entries(s.objectsByClass).filter(([, n]) => n > 0);
  io.out(`Objects: ${objects.map(([id, n]) => `${classNames.get(Number(id)) ?? id} ${n}`).join(', ') || 'none'}${s.boxOnlyObjects ? ` (${s.boxOnlyObjects} without a mask)` : ''}`);
}

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'write COCO or Cityscapes training data from a project',
  usage,
  flags: ['again', 'verified', 'corrected', 'carried', 'predictions', 'overwrite', 'summary'],
  async run(args, io) {
    await withProject(args, async (store) => {
      const presetName = args.str('preset');
      const again = args.flag('again');
      const base = presetName ? getExportPreset(store, presetName) : again ? lastExport(store) : null;
      if (again && !base) throw new AppError('NOT_FOUND', 'This project has no earlier export to make again');
      const format = args.str('format') ?? base?.format;
      if (format !== 'coco' && format !== 'cityscapes') throw new AppError('INVALID_INPUT', `--format must be coco or cityscapes, got ${JSON.stringify(format ?? null)}`);
      const spec: Record<string, unknown> = { ...(base?.format === format ? base : {}), format };
      for (const [opt, key] of [['out', 'outDir'], ['name', 'name'], ['city', 'city'], ['segmentation', 'segmentation']] as const) {
        const v = args.str(opt);
        if (v !== undefined) spec[key] = v;
      }
      const overwrite = args.flag('overwrite');
      if (overwrite !== undefined) spec.overwrite = overwrite;
      if (format === 'coco') {
        const images = args.str('images');
        if (images !== undefined) spec.images = images;
        const q = args.int('jpeg-quality');
        if (q !== undefined) spec.jpegQuality = q;
        const predictions = args.flag('predictions');
        if (predictions !== undefined) spec.predictions = predictions;
      } else {
        const images = args.str('images');
        if (images !== undefined) {
          if (images !== 'png' && images !== 'none') throw new AppError('INVALID_INPUT', '--images for Cityscapes is png or none');
          spec.images = images === 'png';
        }
        const map = args.str('map');
        if (map !== undefined) {
          const entries: Record<string, string> = {};
          for (const pair of map.split(',')) {
            const m = pair.match(/^\s*(\d+)\s*=\s*(.+?)\s*$/);
            if (!m) throw new AppError('INVALID_INPUT', `--map takes classId=label pairs separated by commas, got "${pair}"`);
            entries[m[1]] = m[2];
          }
          setCityscapesMapping(store, entries);
        }
      }
      spec.selection = selectionFrom(args, (base?.selection ?? {}) as FrameSelection);
      const summaryOnly = args.flag('summary');
      const savePreset = args.str('save-preset');
      args.rejectUnknown();

      const classNames = new Map(store.listClasses().map((c) => [c.id, c.name]));
      printSummary(io, summarizeSelection(store, spec.selection as FrameSelection), classNames);
      if (summaryOnly) return;
      const checked = checkExportSpec(spec);
      if (savePreset) {
        saveExportPreset(store, savePreset, checked);
        io.out(`Saved these settings as preset "${savePreset}"`);
      }
      const started = Date.now();
      const result = await runExport(store, checked, {
        signal: io.signal,
        onProgress: (p: ExportProgress) => io.progress(`${p.phase} ${p.done}/${p.total} (${Math.floor((100 * p.done) / Math.max(1, p.total))}%)`),
      });
      io.progress('');
      io.out(`Exported ${result.frames} frames, ${result.annotations} annotations to ${result.dest} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      for (const w of result.warnings) io.out(`warning: ${w}`);
    });
  },
};
