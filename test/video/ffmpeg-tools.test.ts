import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { passthroughArgs, resolveFfmpegTools } from '../../electron/core/video/ffmpeg-tools';
import { expectAppError } from './helpers';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-tools-'));

afterEach(() => {
  delete process.env.DFF_FFMPEG;
  delete process.env.DFF_FFPROBE;
});

describe('resolveFfmpegTools', () => {
  it('uses the bundled npm binaries by default and reports their versions', async () => {
    const { ffmpeg, ffprobe } = await resolveFfmpegTools();
    expect(ffmpeg.source).toBe('bundled');
    expect(ffmpeg.path).toContain(path.join('node_modules', '@ffmpeg-installer'));
    expect(ffmpeg.version).toMatch(/\S/);
    expect(ffprobe.source).toBe('bundled');
    expect(ffprobe.path).toContain(path.join('node_modules', '@ffprobe-installer'));
  });

  it('prefers a configured path, then DFF_FFMPEG / DFF_FFPROBE', async () => {
    const system = fs.existsSync('/usr/bin/ffmpeg') && fs.existsSync('/usr/bin/ffprobe');
    if (!system) return; // nothing else to point at on this machine
    process.env.DFF_FFMPEG = '/usr/bin/ffmpeg';
    const fromEnv = await resolveFfmpegTools();
    expect([fromEnv.ffmpeg.source, fromEnv.ffmpeg.path, fromEnv.ffprobe.source]).toEqual(['env', '/usr/bin/ffmpeg', 'bundled']);
    expect(fromEnv.ffmpeg.release).not.toBeNull();
    const configured = await resolveFfmpegTools({ ffprobePath: '/usr/bin/ffprobe' });
    expect([configured.ffprobe.source, configured.ffprobe.path]).toEqual(['settings', '/usr/bin/ffprobe']);
    expect(passthroughArgs(fromEnv.ffmpeg)).toEqual(
      fromEnv.ffmpeg.release![0] > 5 || (fromEnv.ffmpeg.release![0] === 5 && fromEnv.ffmpeg.release![1] >= 1)
        ? ['-fps_mode', 'passthrough']
        : ['-vsync', 'passthrough'],
    );
  });

  it('fails with TOOL_MISSING naming a configured path that is missing, does not run, or is the wrong tool', async () => {
    const missing = path.join(scratch, 'no-ffmpeg');
    await expectAppError(resolveFfmpegTools({ ffmpegPath: missing }), 'TOOL_MISSING', missing);

    const broken = path.join(scratch, 'broken-ffmpeg');
    fs.writeFileSync(broken, 'not a program');
    fs.chmodSync(broken, 0o755);
    await expectAppError(resolveFfmpegTools({ ffmpegPath: broken }), 'TOOL_MISSING', /does not run: .*broken-ffmpeg/);

    const { ffprobe } = await resolveFfmpegTools();
    await expectAppError(resolveFfmpegTools({ ffmpegPath: ffprobe.path }), 'TOOL_MISSING', /is not ffmpeg/);

    process.env.DFF_FFPROBE = missing;
    await expectAppError(resolveFfmpegTools(), 'TOOL_MISSING', /DFF_FFPROBE.*no-ffmpeg/);
  });
});
