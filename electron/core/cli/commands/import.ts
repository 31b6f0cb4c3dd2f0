/** `dff import`: a COCO dataset or results file as pre-labels on one video of a project. */
import { importCoco } from '../../import/coco-import';
import type { CliCommand } from '../command';
import { withProject } from './open-project';

const usage = `Usage: npm run dff -- import --project <file.dffproj> --file <coco.json> --video <id> [options]

  --images-from <dataset.json>   for a results file: the dataset its image_id and category_id refer to
  --match auto|frame-index|file-name   how images find their frame (default auto: frame_id, else the number in file_name)
  --coco-video <id>              which video of a multi-video COCO file
  --min-score 0.5                leave out results below this score
  --create-classes               add categories the project lacks as classes

Imported labels are machine pre-labels: frames a person verified or edited are left as they are and listed.`;

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'bring COCO labels or results into a project as pre-labels',
  usage,
  flags: ['create-classes'],
  async run(args, io) {
    await withProject(args, async (store) => {
      const input = {
        file: args.required('file'),
        videoId: Number(args.required('video')),
        imagesFrom: args.str('images-from'),
        match: args.str('match') as 'auto' | undefined,
        cocoVideoId: args.int('coco-video'),
        minScore: args.num('min-score'),
        createClasses: args.flag('create-classes'),
      };
      args.rejectUnknown();
      const r = await importCoco(store, input);
      io.out(`Imported ${r.annotations} annotations from a COCO ${r.kind} file onto ${r.framesWritten} frames (run ${r.runId})`);
      if (r.createdClasses.length) io.out(`New classes: ${r.createdClasses.join(', ')}`);
      if (r.skipped.length) {
        const shown = r.skipped.slice(0, 20).map((s) => `${s.frameIdx} (${s.reason})`).join(', ');
        io.out(`Left as they were, a person's work: ${r.skipped.length} frame(s): ${shown}${r.skipped.length > 20 ? ', …' : ''}`);
      }
    });
  },
};
