/**
 * The first UI in a real Chromium against the real browser-mode server and the BUILT renderer:
 * open the demo, create a project, add a video, step and scrub with the keyboard, and check that the
 * pixels on the stage are the frame the stage says it shows. Screenshots go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../electron/core/app-paths';
import { startServer, type RunningServer } from '../../electron/core/server/server';
import { openFrameSource, toRgb, type FrameSource } from '../../electron/core/video';
import { chromiumMissing, launchBrowser, type TestBrowser } from '../support/browser';
import { fixture } from '../support/videos';

const root = appRoot();
const shots = path.join(root, 'test-results');
const missing = chromiumMissing();
if (missing) console.warn(`test/e2e/first-ui.test.ts skipped: ${missing}`);

/** `npm test` builds the renderer first; run alone, build it when there is none. */
function ensureRendererBuilt(): void {
  if (fs.existsSync(path.join(root, 'dist', 'renderer', 'index.html'))) return;
  execFileSync(path.join(root, 'node_modules', '.bin', 'vite'), ['build', '--config', 'renderer/vite.config.ts'], { cwd: root, stdio: 'pipe' });
}

function meanAbsDiff(a: Buffer, b: Buffer): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

describe.skipIf(missing)('first UI in Chromium (browser mode)', () => {
  let home: string;
  let server: RunningServer;
  let browser: TestBrowser;
  let clip: string;
  let reference: FrameSource;

  const page = () => browser.page;
  const stage = () => page().locator('[data-testid="stage"]');

  async function waitForFrame(index: number): Promise<void> {
    await page().waitForSelector(`[data-testid="stage"][data-frame-index="${index}"][data-loading="false"]`, { timeout: 20_000 });
  }

  async function shot(name: string): Promise<void> {
    await page().screenshot({ path: path.join(shots, `first-ui-${name}.png`) });
  }

  /** At 100 % the stage draws the frame unscaled at whole-pixel offsets: crop exactly that rectangle. */
  async function shownPixels(width: number, height: number): Promise<Buffer> {
    const box = (await stage().boundingBox())!;
    const x = Number(await stage().getAttribute('data-image-x'));
    const y = Number(await stage().getAttribute('data-image-y'));
    expect(await stage().getAttribute('data-image-scale')).toBe('1.0000');
    const png = await page().screenshot({ clip: { x: box.x + x, y: box.y + y, width, height } });
    return sharp(png).removeAlpha().raw().toBuffer();
  }

  /** The stage's pixels are frame n: close to its decode (JPEG noise) and clearly not its neighbours. */
  async function expectShowsFrame(n: number): Promise<void> {
    const pixels = await shownPixels(320, 240);
    const dSame = meanAbsDiff(pixels, toRgb(await reference.getFrame(n)).data);
    expect(dSame, `stage vs frame ${n}`).toBeLessThan(4.5);
    for (const m of [n - 1, n + 1].filter((i) => i >= 0 && i < 90)) {
      const dOther = meanAbsDiff(pixels, toRgb(await reference.getFrame(m)).data);
      expect(dOther, `stage shows frame ${n}, not ${m}`).toBeGreaterThan(dSame + 2);
    }
  }

  beforeAll(async () => {
    ensureRendererBuilt();
    fs.mkdirSync(shots, { recursive: true });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-e2e-'));
    clip = await fixture('cfr.mp4'); // testsrc2 320×240, 90 frames at 25 fps, frame counter drawn on each
    reference = await openFrameSource(clip);
    server = await startServer({ port: 0, project: null, home });
    browser = await launchBrowser({ width: 1280, height: 800 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await reference?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('starts on the welcome screen with the tools in the status bar', async () => {
    await page().goto(server.url);
    await page().waitForSelector('[data-testid="welcome"]');
    await expect.poll(() => page().textContent('[data-testid="status-ffmpeg"]')).toMatch(/^ffmpeg \S+ \((bundled|env|path|settings)\)$/);
    await shot('welcome');
  });

  it('opens the demo project and shows its first frame', async () => {
    await page().click('[data-testid="demo-open"]');
    await waitForFrame(0);
    expect(await page().textContent('[data-testid="project-title"]')).toContain('demo');
    expect(await page().textContent('[data-testid="frame-label"]')).toMatch(/^frame 0 \/ \d+ · 00:00\.000$/);
    await shot('demo');
  });

  it('creates a project and adds a video by typing their paths', async () => {
    const project = path.join(home, 'projects', 'e2e.dffproj');
    await page().fill('[data-testid="project-path-input"]', project);
    await page().click('[data-testid="project-create"]');
    await expect.poll(() => page().textContent('[data-testid="project-title"]')).toContain('e2e');
    await page().waitForSelector('[data-testid="stage-note"]');
    await page().fill('[data-testid="video-path-input"]', clip);
    await page().click('[data-testid="video-add"]');
    await page().waitForSelector('[data-testid="video-list"] li.selected');
    expect(await page().textContent('[data-testid="video-list"]')).toContain('cfr.mp4');
    await waitForFrame(0);
    expect(await page().textContent('[data-testid="frame-label"]')).toBe('frame 0 / 90 · 00:00.000');
  });

  it('steps with the arrow keys and shows exactly the frame it says', async () => {
    await page().locator('body').click({ position: { x: 5, y: 795 } }); // focus the page, not a text field
    for (let i = 0; i < 5; i++) await page().keyboard.press('ArrowRight');
    await waitForFrame(5);
    expect(await page().textContent('[data-testid="frame-label"]')).toBe('frame 5 / 90 · 00:00.200');
    await shot('frame-5-fit');
    await page().keyboard.press('1'); // 100 %: one frame pixel per screen pixel
    await expectShowsFrame(5);
    await shot('frame-5-actual-size');
  });

  it('jumps with End, Home, Shift+arrows and the slider', async () => {
    await page().keyboard.press('End');
    await waitForFrame(89);
    expect(await page().textContent('[data-testid="frame-label"]')).toBe('frame 89 / 90 · 00:03.560');
    await expectShowsFrame(89);
    await page().keyboard.press('ArrowRight'); // already the last frame: stays
    await page().keyboard.press('Home');
    await waitForFrame(0);
    await expectShowsFrame(0);
    await page().keyboard.press('Shift+ArrowRight');
    await page().keyboard.press('Shift+ArrowRight');
    await page().keyboard.press('ArrowLeft');
    await waitForFrame(19);
    await expectShowsFrame(19);
    await page().locator('[data-testid="slider"]').fill('42');
    await waitForFrame(42);
    await expectShowsFrame(42);
    await page().keyboard.press('0'); // back to fit
    await expect.poll(() => stage().getAttribute('data-view')).toBe('fit');
    await shot('frame-42-fit');
  });

  it('shows an error banner over the stage for a bad path, and dismisses it', async () => {
    const bad = path.join(home, 'no-such-video.mp4');
    await page().fill('[data-testid="video-path-input"]', bad);
    await page().click('[data-testid="video-add"]');
    const banner = page().locator('[data-testid="error-banner"]');
    await banner.waitFor();
    expect(await page().textContent('[data-testid="error-code"]')).toBe('NOT_FOUND');
    expect(await page().textContent('[data-testid="error-message"]')).toContain(bad);
    await shot('error-banner');
    await page().click('[data-testid="error-dismiss"]');
    await banner.waitFor({ state: 'detached' });
    // the project and the frame on screen are untouched
    expect(await page().textContent('[data-testid="frame-label"]')).toBe('frame 42 / 90 · 00:01.680');

    await page().fill('[data-testid="project-path-input"]', path.join(home, 'missing.dffproj'));
    await page().click('[data-testid="project-open"]');
    await banner.waitFor();
    expect(await page().textContent('[data-testid="error-code"]')).toBe('NOT_FOUND');
    await page().keyboard.press('Escape');
    await banner.waitFor({ state: 'detached' });
  });

  it('closes the project and offers it again under recent projects', async () => {
    await page().click('[data-testid="project-close"]');
    await page().waitForSelector('[data-testid="welcome"]');
    const recent = page().locator('[data-testid="welcome"] .recent');
    await recent.waitFor();
    expect(await recent.locator('.recent-name').allTextContents()).toEqual(['e2e', 'demo']);
    expect(await page().textContent('[data-testid="project-title"]')).toBe('no project open');
    await shot('recent');
    await page().locator('[data-testid="welcome"] .recent button:has(.recent-name:text-is("e2e"))').click();
    await waitForFrame(0); // reopened at its first video, first frame
    expect(await page().textContent('[data-testid="frame-label"]')).toBe('frame 0 / 90 · 00:00.000');
  });

  it('ran without page errors or CSP violations', () => {
    expect(browser.problems).toEqual([]);
  });
});
