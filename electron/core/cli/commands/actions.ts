/** `dff actions`: the pack's action model over one video of a project; its proposals become suggestions on the lane. */
import path from 'node:path';
import { openSuggestRun, type SuggestProgress } from '../../actions/suggest';
import { defaultPackDir } from '../../api/dff';
import type { CliCommand } from '../command';
import { onlyVideo } from './infer';
import { withProject } from './open-project';

const usage = `Usage: npm run dff -- actions --project <file.dffproj> [options]

  --video <id>        which video (default: the project's only video)
  --pack <dir>        model pack folder with an action model (default: models/default)
  --threads N         onnxruntime CPU threads
  --providers a,b     execution providers to try in order (default: the best this machine lists, then cpu)

Replaces the video's pending suggestions; segments a person accepted, edited or rejected are kept, and a
suggestion overlapping one of them (same class) is not made again. Ctrl-C stops and writes nothing.`;

export const actionsCommand: CliCommand = {
  name: 'actions',
  summary: 'suggest action segments on a video with the pack’s action model',
  usage,
  flags: [],
  async run(args, io) {
    const video = args.int('video');
    const packDir = path.resolve(args.str('pack') ?? defaultPackDir());
    const threads = args.int('threads');
    const providers = args.str('providers')?.split(',').map((s) => s.trim()).filter(Boolean);
    await withProject(args, async (store) => {
      args.rejectUnknown();
      const run = await openSuggestRun(store, { videoId: video ?? onlyVideo(store), packDir, threads, providers });
      io.out(`Suggesting actions on video ${run.videoId} with ${run.model} (${run.provider}): ${run.windows} clip windows`);
      const result = await run.run({ onProgress: (p) => io.progress(bar(p)), signal: io.signal });
      io.progress('');
      io.out(
        `Suggested ${result.suggested} action segment(s) on video ${result.videoId}` +
          (result.skipped ? `; ${result.skipped} left out where a person already accepted, edited or rejected that stretch` : ''),
      );
    });
  },
};

function bar(p: SuggestProgress): string {
  const width = 30;
  const filled = Math.round((width * p.done) / Math.max(p.total, 1));
  const eta = p.etaS === null ? '' : `  ETA ${Math.ceil(p.etaS)} s`;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.done}/${p.total} windows  ${p.fps.toFixed(1)} fps${eta}`;
}
