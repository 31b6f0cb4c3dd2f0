/**
 * The demo project: `<home>/demo/demo.dffproj` with a copy of `resources/demo/demo.mp4` beside it, made on
 * first use. Until that clip exists in resources/, a small testsrc2 clip (a frame counter on every frame)
 * generated with ffmpeg stands in for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from '../app-paths';
import { AppError } from '../errors';
import { runTool, lastLine } from '../video/run-tool';

export const DEMO_PROJECT_FILE = 'demo.dffproj';

export function demoDir(home: string): string {
  return path.join(home, 'demo');
}

export function demoProjectPath(home: string): string {
  return path.join(demoDir(home), DEMO_PROJECT_FILE);
}

/** The bundled demo clip, when this build has one. */
export function bundledDemoVideo(): string | null {
  const file = path.join(appRoot(), 'resources', 'demo', 'demo.mp4');
  return fs.existsSync(file) ? file : null;
}

/** Puts the demo clip into the demo folder (copy of the bundled one, or generated) and returns its path. */
export async function prepareDemoVideo(home: string, ffmpegPath: string): Promise<string> {
  const dir = demoDir(home);
  fs.mkdirSync(dir, { recursive: true });
  const bundled = bundledDemoVideo();
  if (bundled) {
    const target = path.join(dir, 'demo.mp4');
    fs.copyFileSync(bundled, target);
    return target;
  }
  const target = path.join(dir, 'demo-testsrc2.mp4');
  if (fs.existsSync(target)) return target;
  const tmp = path.join(dir, `demo-testsrc2.${process.pid}.tmp.mp4`);
  // 10 s at 30 fps, 640×360, a keyframe every 60 frames: enough to scrub, seek and see the counter move.
  const run = await runTool(ffmpegPath, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=10',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-g', '60', '-pix_fmt', 'yuv420p',
    tmp,
  ]);
  if (run.code !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new AppError('INTERNAL', `could not generate the demo video with ${ffmpegPath}: ${lastLine(run.stderr)}`);
  }
  fs.renameSync(tmp, target);
  return target;
}
