/**
 * The timeline in a real Chromium against the browser-mode server: the demo project with frame states
 * written in a known pattern (a key every 10 frames over 0–279, 0–59 verified, 75 corrected, low scores at
 * 137 and 203, 280–299 unlabelled). Checks the drawn colours, zoom by keys and wheel (the frame under the
 * pointer stays put), drag-scrub landing on the frame under the pointer, the jumps, and the playhead kept in
 * view. Screenshots go to test-results/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../electron/core/app-paths';
import { startServer, type RunningServer } from '../../electron/core/server/server';
import { STATE_COLORS, LANES, LOW_COLOR } from '../../renderer/src/timeline/draw';
import { chromiumMissing, launchBrowser, type TestBrowser } from '../support/browser';
import { writeStatePattern } from '../support/frame-states';
import { buildRendererTo } from '../support/renderer-build';

const shots = path.join(appRoot(), 'test-results');
const missing = chromiumMissing();
if (missing) console.warn(`test/e2e/timeline.test.ts skipped: ${missing}`);

const LOW = new Map([
  [137, 0.2],
  [203, 0.35],
]);

describe.skipIf(missing)('Timeline (browser mode)', () => {
  let home: string;
  let rendererDir: string;
  let server: RunningServer;
  let browser: TestBrowser;
  const page = () => browser.page;
  const timeline = () => page().locator('[data-testid="timeline"]');
  const attr = async (name: string) => (await page().getAttribute('[data-testid="timeline"]', name)) ?? '';
  const view = async () => ({ start: Number(await attr('data-view-start')), span: Number(await attr('data-view-span')) });
  const at = (i: number) => page().waitForSelector(`[data-testid="stage"][data-frame-index="${i}"][data-loading="false"]`, { timeout: 20_000 });
  const shot = (name: string) => page().locator('[data-testid="timeline-panel"]').screenshot({ path: path.join(shots, `timeline-${name}.png`) });
  /** Page x of the middle of frame f in the current view. */
  const xOf = async (f: number) => {
    const box = (await timeline().boundingBox())!;
    const v = await view();
    return box.x + ((f + 0.5 - v.start) / v.span) * box.width;
  };
  const statesY = async () => (await timeline().boundingBox())!.y + LANES.ruler + LANES.keys + LANES.states / 2;
  const blur = () => page().evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

  beforeAll(async () => {
    rendererDir = buildRendererTo('dff-e2e-timeline');
    fs.mkdirSync(shots, { recursive: true });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-e2e-timeline-'));
    server = await startServer({ port: 0, project: null, home, rendererDir });
    await server.session.openDemo();
    const store = server.session.store;
    const videoId = store.listVideos()[0]!.id;
    writeStatePattern(store, videoId, {
      count: 280,
      k: 10,
      scoreOf: (i) => LOW.get(i) ?? 0.9,
      verified: Array.from({ length: 60 }, (_, i) => i),
      corrected: [75],
    });
    browser = await launchBrowser({ width: 1280, height: 800 });
    await page().goto(server.url);
    await at(0);
    await page().waitForSelector('[data-testid="timeline"][data-labelled-count="280"]');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const d of [home, rendererDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  it('draws every frame in its state colour, key frames counted, low scores marked', async () => {
    expect(await attr('data-key-count')).toBe('28');
    expect(await view()).toEqual({ start: 0, span: 300 });
    await page().waitForTimeout(100);
    await shot('fit');
    const box = (await timeline().boundingBox())!;
    const png = await timeline().screenshot();
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const rgbAt = (x: number, y: number) => {
      const i = (Math.round(y) * info.width + Math.round(x)) * 3;
      return [data[i]!, data[i + 1]!, data[i + 2]!];
    };
    const hex = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    const xMid = (f: number) => ((f + 0.5) / 300) * box.width;
    const y = LANES.ruler + LANES.keys + LANES.states - 3; // the bottom of the state lane: a column's main state
    expect(rgbAt(xMid(33), y)).toEqual(hex(STATE_COLORS.verified));
    expect(rgbAt(xMid(75), y)).toEqual(hex(STATE_COLORS.corrected));
    expect(rgbAt(xMid(101), y)).toEqual(hex(STATE_COLORS.propagated));
    expect(rgbAt(xMid(290), y)).toEqual(hex(STATE_COLORS.unlabelled));
    // the score lane's bottom row is red where a frame is below the threshold (0.5), not elsewhere
    const scoreBottom = info.height - 1;
    expect(rgbAt(xMid(137), scoreBottom)).toEqual(hex(LOW_COLOR));
    expect(rgbAt(xMid(203), scoreBottom)).toEqual(hex(LOW_COLOR));
    expect(rgbAt(xMid(170), scoreBottom)).not.toEqual(hex(LOW_COLOR));
    const legend = await page().textContent('[data-testid="timeline-legend"]');
    for (const s of Object.keys(STATE_COLORS)) expect(legend).toContain(s);
  });

  it('zooms in and out with + and -, keeps the frame under the pointer when zooming with the wheel, and fits again', async () => {
    expect(await page().textContent('[data-testid="timeline-zoom"]')).toMatch(/^1\.0×/);
    await page().keyboard.press('+');
    expect((await view()).span).toBeCloseTo(150, 1);
    expect(await page().textContent('[data-testid="timeline-zoom"]')).toMatch(/^2\.0×/);
    await page().keyboard.press('-');
    expect((await view()).span).toBeCloseTo(300, 1);

    const x = await xOf(200);
    await page().mouse.move(x, await statesY());
    await page().mouse.wheel(0, -400);
    await page().waitForFunction(() => Number(document.querySelector('[data-testid="timeline"]')?.getAttribute('data-view-span')) < 200);
    const v = await view();
    const box = (await timeline().boundingBox())!;
    const under = v.start + ((x - box.x) / box.width) * v.span;
    expect(under).toBeGreaterThan(199.5);
    expect(under).toBeLessThan(201.5);
    expect(v.span).toBeCloseTo(300 / Math.exp(0.8), 0);

    for (let i = 0; i < 8; i++) await page().keyboard.press('+'); // down to single frames: the zoom limit
    const zoomed = await view();
    expect(zoomed.span).toBeLessThan(50);
    expect(await page().textContent('[data-testid="timeline-zoom"]')).toMatch(/24 px\/frame/);
    await page().waitForTimeout(100);
    await shot('single-frames');
    await page().click('[data-testid="timeline-fit"]');
    expect(await view()).toEqual({ start: 0, span: 300 });
  });

  it('drag-scrubs: the playhead follows the pointer at once and the frame under the pointer is shown on release', async () => {
    await page().keyboard.press('Home');
    await at(0);
    await page().keyboard.press('+');
    await page().keyboard.press('+'); // 75 frames in view, ~13 px a frame
    const y = await statesY();
    await page().mouse.move(await xOf(10), y);
    await page().mouse.down();
    const stops = [14, 19, 26, 33, 41, 52];
    for (const f of stops) {
      await page().mouse.move(await xOf(f), y, { steps: 3 });
      expect(await attr('data-playhead')).toBe(String(f));
    }
    await page().mouse.up();
    await at(52);
    expect(await page().textContent('[data-testid="frame-label"]')).toMatch(/^frame 52 \//);
    expect(await attr('data-playhead')).toBe('52');
  });

  it('jumps to the next and previous key, unreviewed and low-confidence frame', async () => {
    await page().keyboard.press('Home');
    await at(0);
    await page().click('[data-testid="jump-next-key"]');
    await at(10);
    await page().keyboard.press('k');
    await at(20);
    await page().keyboard.press('Shift+K');
    await at(10);
    await page().keyboard.press('u'); // 0–59 are verified
    await at(60);
    await page().keyboard.press('Shift+U');
    await page().waitForSelector('[data-testid="timeline-note"]:has-text("no unreviewed frame")');
    expect(await page().textContent('[data-testid="timeline-note"]')).toContain('before frame 60');
    await page().keyboard.press('Shift+ArrowRight');
    await at(70);
    for (let i = 0; i < 4; i++) await page().keyboard.press('ArrowRight');
    await at(74);
    await page().click('[data-testid="jump-next-unreviewed"]'); // 75 is corrected
    await at(76);
    await page().keyboard.press('l');
    await at(137);
    await page().click('[data-testid="jump-next-low"]');
    await at(203);
    await page().keyboard.press('l');
    await page().waitForSelector('[data-testid="timeline-note"]:has-text("no low-confidence frame after frame 203")');
    await page().fill('[data-testid="low-threshold"]', '0.3');
    await blur();
    await page().click('[data-testid="jump-prev-low"]');
    await at(137);
    await page().keyboard.press('End');
    await at(299);
    await page().keyboard.press('Shift+L'); // 203 (0.35) is not below 0.3
    await at(137);
    await page().fill('[data-testid="low-threshold"]', '0.5');
    await blur();
  });

  it('keeps the playhead in view when stepping with the keyboard while zoomed in', async () => {
    await page().keyboard.press('Home');
    await at(0);
    for (let i = 0; i < 8; i++) await page().keyboard.press('+');
    const inView = async (f: number) => {
      const v = await view();
      return f >= v.start && f + 1 <= v.start + v.span;
    };
    expect(await inView(0)).toBe(true);
    expect(await inView(100)).toBe(false);
    for (let i = 0; i < 10; i++) await page().keyboard.press('Shift+ArrowRight');
    await at(100);
    expect(await inView(100)).toBe(true);
    await page().keyboard.press('End');
    await at(299);
    expect(await inView(299)).toBe(true);
    await page().waitForTimeout(100);
    await shot('end-zoomed');
    await page().keyboard.press('Home');
    await at(0);
    expect((await view()).start).toBe(0);
    expect(browser.problems).toEqual([]);
  });
});
