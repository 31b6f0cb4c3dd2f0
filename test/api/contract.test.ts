/** The small pure parts of the contract that both hosts and the renderer rely on. */
import { describe, expect, it } from 'vitest';
import { formatTime, framePath, parseFramePath } from '../../electron/common/api';

describe('frame paths', () => {
  it('round-trips a frame path and rejects malformed ones with a reason', () => {
    expect(framePath(3, 120)).toBe('/frames/3/120.jpg');
    expect(parseFramePath(framePath(3, 120))).toEqual({ videoId: 3, index: 120 });
    expect(parseFramePath('/index.html')).toBeNull();
    expect(parseFramePath('/frames/3/-1.jpg')).toEqual({ error: expect.stringContaining("bad frame index '-1'") });
    expect(parseFramePath('/frames/0/1.jpg')).toEqual({ error: expect.stringContaining("bad video id '0'") });
    expect(parseFramePath('/frames/3/1e3.jpg')).toEqual({ error: expect.stringContaining("bad frame index '1e3'") });
    expect(parseFramePath('/frames/3/99999999999999999999.jpg')).toEqual({ error: expect.stringContaining('bad frame index') });
  });
});

describe('formatTime', () => {
  it('shows mm:ss.mmm, hours only past an hour, rounded to the millisecond', () => {
    expect(formatTime(0)).toBe('00:00.000');
    expect(formatTime(4.1)).toBe('00:04.100');
    expect(formatTime(1001 / 30000)).toBe('00:00.033');
    expect(formatTime(59.9996)).toBe('01:00.000');
    expect(formatTime(3725.5)).toBe('1:02:05.500');
    expect(formatTime(-0.01)).toBe('00:00.000');
  });
});

describe('the contract stays importable by the renderer', () => {
  it('imports nothing but zod and its own common/ files (no Node modules)', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const dir = path.resolve(import.meta.dirname, '../../electron/common');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      const specifiers = [...source.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
      for (const s of specifiers) expect(s === 'zod' || /^\.\/[\w-]+$/.test(s), `${file} imports ${s}`).toBe(true);
    }
  });
});
