/** `dff infer`: the DFF engine over one video of a project, headless, with a progress bar. */
import path from 'node:path';
import { appRoot } from '../../app-paths';
import { resumeRun, startRun, type RunHandle } from '../../dff/engine';
import type { RunMode, RunOutcome, RunProgress } from '../../dff/types';
import { AppError } from '../../errors';
import { readManifest } from '../../models/load-pack';
import type { ProjectStore } from '../../store';
import type { Args } from '../args';
import type { CliCommand, CliIO } from '../command';
import { withProject } from './open-project';

const usage = `Usage: npm run dff -- infer --project <file.dffproj> [options]

  --video <id>        which video (default: the project's only video)
  --pack <dir>        model pack folder (default: models/default)
  --k 10              a key frame in the middle of every k frames (default: the pack's keyInterval)
  --adaptive          as many key frames as --k gives, closer together where the video changes fast (a quick
                      first pass measures what the flow cannot explain)
  --baseline          the feature network on every frame (per-frame baseline) instead of DFF
  --from 0 --to N     frames [from, to) only
  --threads N         onnxruntime CPU threads
  --providers a,b     execution providers to try in order (default: cpu)
  --resume <run>      go on with a run that stopped (cancelled, failed or killed) after its last written frame

Frames a person verified or edited are never overwritten. Ctrl-C stops after the frame in hand and keeps what is done.`;

export const inferCommand: CliCommand = {
  name: 'infer',
  summary: 'label a video with a model pack (Deep Feature Flow)',
  usage,
  flags: ['baseline', 'adaptive'],
  async run(args, io) {
    const resume = args.int('resume');
    const request = resume === undefined ? readRequest(args) : null;
    await withProject(args, async (store) => {
      args.rejectUnknown();
      const callbacks = { onProgress: (p: RunProgress) => io.progress(bar(p)), signal: io.signal };
      let handle: RunHandle;
      if (request) {
        const { k, baseline, adaptive, ...rest } = request;
        const mode: RunMode = baseline
          ? { kind: 'baseline' }
          : { kind: adaptive ? 'adaptive' : 'fixed', k: k ?? (await readManifest(request.packDir)).keyInterval };
        handle = await startRun(store, { ...rest, mode, videoId: request.videoId ?? onlyVideo(store) }, callbacks);
      } else handle = await resumeRun(store, resume!, callbacks);
      io.out(`${resume === undefined ? 'Started' : 'Resumed'} run ${handle.runId} (${store.getRun(handle.runId).executionProvider})`);
      const outcome = await handle.done;
      io.progress('');
      report(outcome, io);
      if (outcome.status === 'cancelled') {
        throw new AppError('CANCELLED', `run ${outcome.runId} cancelled after ${outcome.done} of ${outcome.total} frames; resume it with --resume ${outcome.runId}`);
      }
    });
  },
};

function readRequest(args: Args) {
  const baseline = args.flag('baseline') ?? false;
  const adaptive = args.flag('adaptive') ?? false;
  const k = args.int('k');
  if (baseline && k !== undefined) throw new AppError('INVALID_INPUT', '--baseline and --k exclude each other');
  if (baseline && adaptive) throw new AppError('INVALID_INPUT', '--baseline and --adaptive exclude each other');
  const packDir = path.resolve(args.str('pack') ?? path.join(appRoot(), 'models', 'default'));
  const providers = args.str('providers')?.split(',').map((s) => s.trim()).filter(Boolean);
  const video = args.int('video');
  return {
    videoId: video,
    packDir,
    k,
    baseline,
    adaptive,
    from: args.int('from'),
    to: args.int('to'),
    threads: args.int('threads'),
    providers,
  };
}

export function onlyVideo(store: ProjectStore): number {
  const videos = store.listVideos();
  if (videos.length === 1) return videos[0]!.id;
  if (videos.length === 0) throw new AppError('NOT_FOUND', `${store.file} has no video to label`);
  throw new AppError('INVALID_INPUT', `${store.file} has ${videos.length} videos (${videos.map((v) => v.id).join(', ')}): choose one with --video`);
}

function bar(p: RunProgress): string {
  const width = 30;
  const filled = Math.round((width * p.done) / Math.max(p.total, 1));
  const eta = p.etaS === null ? '' : `  ETA ${Math.ceil(p.etaS)} s`;
  const state = p.status === 'paused' ? '  (paused)' : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.done}/${p.total} frames  ${p.fps.toFixed(1)} fps${eta}${state}`;
}

function report(o: RunOutcome, io: CliIO): void {
  io.out(`Run ${o.runId} ${o.status}: ${o.done}/${o.total} frames, ${o.written} written this session, ${o.fps.toFixed(1)} fps`);
  if (o.skipped.length) {
    const shown = o.skipped.slice(0, 20).map((s) => `${s.frameIdx} (${s.reason})`).join(', ');
    io.out(`Left as they were, a person's work: ${o.skipped.length} frame(s): ${shown}${o.skipped.length > 20 ? ', …' : ''}`);
  }
  if (o.badFrames.length) {
    const shown = o.badFrames.slice(0, 10).map((b) => `${b.frameIdx}: ${b.message}`).join('\n  ');
    io.out(`Could not read ${o.badFrames.length} frame(s), which have no labels:\n  ${shown}${o.badFrames.length > 10 ? '\n  …' : ''}`);
  }
}
