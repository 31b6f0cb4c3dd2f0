import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpegTools } from '../../electron/core/video/ffmpeg-tools';
import { frameByteLength } from '../../electron/core/video/frame';
import { type FrameTransport, RawFrameReader } from '../../electron/core/video/raw-frame-reader';
import { decodeAllFrames, fixture } from '../support/videos';
import { eventually, expectAppError, ffmpegChildren } from './helpers';

const FRAME_BYTES = frameByteLength('yuv420p', 320, 240);
const onLinux = process.platform === 'linux';

let ffmpegPath: string;
let longGop: string;
beforeAll(async () => {
  ffmpegPath = (await resolveFfmpegTools()).ffmpeg.path;
  longGop = await fixture('long-gop.mp4');
});

const rawArgs = (file: string, extra: string[] = []) => [
  '-hide_banner', '-nostdin', '-v', 'error', '-i', file, ...extra,
  '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-avioflags', 'direct', 'pipe:1',
];

function reader(file: string, options: { fifo: boolean; extra?: string[]; frameBytes?: number }): RawFrameReader {
  return new RawFrameReader(ffmpegPath, rawArgs(file, options.extra), options.frameBytes ?? FRAME_BYTES, `${path.basename(file)} from frame 0`, {
    fifo: options.fifo,
  });
}

async function readAll(r: RawFrameReader): Promise<Buffer[]> {
  const frames: Buffer[] = [];
  for (let data = await r.next(); data; data = await r.next()) frames.push(data);
  return frames;
}

/** Runs fn with os.tmpdir() pointing at a fresh empty folder, which it returns for inspection. */
async function withPrivateTmp(fn: (tmp: string) => Promise<void>): Promise<string> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-reader-tmp-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    await fn(tmp);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  return tmp;
}

const openFds = () => fs.readdirSync('/proc/self/fd').length;

describe.each([
  { fifo: true, expected: (process.platform === 'win32' ? 'stdout' : 'fifo') as FrameTransport },
  { fifo: false, expected: 'stdout' as FrameTransport },
])('RawFrameReader (fifo: $fifo)', ({ fifo, expected }) => {
  it(`delivers every frame byte-exactly, each in its own buffer, over ${expected}`, async () => {
    const reference = await decodeAllFrames(longGop, 'yuv420p', 320, 240);
    let seenOnDisk: string[] = [];
    let frames: Buffer[] = [];
    let transport: FrameTransport | null = null;
    const tmp = await withPrivateTmp(async (dir) => {
      const r = reader(longGop, { fifo });
      const first = await r.next();
      seenOnDisk = fs.readdirSync(dir); // the FIFO's name is gone once both ends are open
      frames = [first!, ...(await readAll(r))];
      transport = r.transport;
      expect(r.finished).toBe(true);
      expect(r.delivered).toBe(reference.length);
    });
    expect(transport).toBe(expected);
    expect(seenOnDisk).toEqual([]);
    expect(fs.readdirSync(tmp)).toEqual([]);
    fs.rmdirSync(tmp);
    expect(frames.length).toBe(reference.length);
    // Compared only after all were read: a reused buffer would show as earlier frames overwritten.
    frames.forEach((frame, i) => expect(frame.equals(reference[i]!), `frame ${i}`).toBe(true));
    expect(new Set(frames.map((f) => f.buffer)).size).toBe(frames.length);
    expect(frames.every((f) => f.byteOffset === 0 && f.length === FRAME_BYTES)).toBe(true);
  });

  it.runIf(onLinux)('pauses ffmpeg while frames are not asked for, and resumes where it stopped', async () => {
    const r = reader(longGop, { fifo });
    await r.next();
    const [pid] = ffmpegChildren();
    const written = () => Number(/wchar: (\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
    // Unpaused, ffmpeg writes all 300 frames of 320x240 in well under this time; paused, it
    // blocks once the queued frames and the pipe (64 KiB) are full.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(written()).toBeLessThan(6 * FRAME_BYTES);
    expect((await readAll(r)).length).toBe(299);
  });

  it('reports ffmpeg failing with the last line of its stderr', async () => {
    const missing = path.join(os.tmpdir(), 'dff-no-such-video.mp4');
    const r = reader(missing, { fifo });
    await expectAppError(r.next(), 'DECODE_FAILED', /ffmpeg failed decoding dff-no-such-video\.mp4 from frame 0: .*No such file or directory/);
    await r.kill();
  });

  it('reports output that stops mid-frame, naming the bytes received', async () => {
    const r = reader(longGop, { fifo, frameBytes: FRAME_BYTES * 2 + 1, extra: ['-frames:v', '5'] });
    await r.next();
    await r.next();
    await expectAppError(r.next(), 'DECODE_FAILED', `ended mid-frame decoding long-gop.mp4 from frame 0 (${FRAME_BYTES - 2} of ${FRAME_BYTES * 2 + 1} bytes)`);
  });

  it('reports an ffmpeg that does not start', async () => {
    const r = new RawFrameReader('/nonexistent/ffmpeg', rawArgs(longGop), FRAME_BYTES, 'long-gop.mp4 from frame 0', { fifo });
    await expectAppError(r.next(), 'DECODE_FAILED', /ffmpeg did not start for long-gop\.mp4 from frame 0: .*ENOENT/);
    await r.kill();
  });
});

describe('RawFrameReader cleanup', () => {
  it.runIf(onLinux)('leaves no FIFO, fd or ffmpeg behind after many starts, kills and failures', async () => {
    const missing = path.join(os.tmpdir(), 'dff-no-such-video.mp4');
    await readAll(reader(longGop, { fifo: true, extra: ['-frames:v', '2'] })); // first spawn opens Node's own fds
    const fdsBefore = openFds();
    const tmp = await withPrivateTmp(async () => {
      for (let i = 0; i < 10; i++) {
        const whole = reader(longGop, { fifo: true, extra: ['-frames:v', '3'] });
        expect((await readAll(whole)).length).toBe(3);
        const brokenOff = reader(longGop, { fifo: true }); // paused mid-file with a full pipe, then killed
        await brokenOff.next();
        await brokenOff.kill();
        expect(await brokenOff.next()).toBe(null);
        await reader(longGop, { fifo: true }).kill(); // killed before ffmpeg even started
        const failing = reader(missing, { fifo: true });
        await expectAppError(failing.next(), 'DECODE_FAILED');
        await failing.kill();
        expect(whole.transport).toBe('fifo');
      }
    });
    expect(fs.readdirSync(tmp)).toEqual([]);
    fs.rmdirSync(tmp);
    expect(await eventually(() => ffmpegChildren().length === 0)).toBe(true);
    expect(openFds()).toBe(fdsBefore);
  });
});
