/**
 * Running DFF from the UI in a real Chromium against the real browser-mode server and the freshly built
 * renderer: open the demo, run DFF k=5 over frames 0–29 with the default pack, see progress and the
 * result, then the frame's boxes and masks drawn over it (pixels change when the layers are toggled)
 * and the timeline strip showing a key frame in the middle of every 5. Screenshots go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../electron/core/app-paths';
import { startServer, type RunningServer } from '../../electron/core/server/server';
import { chromiumMissing, launchBrowser, type TestBrowser } from '../support/browser';

const root = appRoot();
const shots = path.join(root, 'test-results');
const missing = chromiumMissing();
if (missing) console.warn(`test/e2e/dff-ui.test.ts skipped: ${missing}`);

describe.skipIf(missing)('Run DFF from the UI (browser mode)', () => {
  let dir: string;
  let server: RunningServer;
  let browser: TestBrowser;

  const page = () => browser.page;
  const attr = async (testId: string, name: string) => (await page().getAttribute(`[data-testid="${testId}"]`, name)) ?? '';
  const shot = (name: string) => page().screenshot({ path: path.join(shots, `dff-ui-${name}.png`) });
  /** The stage's pixels as raw RGB. */
  const stagePixels = async () => {
    const png = await page().locator('[data-testid="stage"]').screenshot();
    return sharp(png).removeAlpha().raw().toBuffer();
  };
  const changedPixels = (a: Buffer, b: Buffer) => {
    let n = 0;
    for (let i = 0; i < a.length; i += 3) if (Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!) > 30) n++;
    return n;
  };

  beforeAll(async () => {
    // Always build: a renderer left in dist/ by an earlier build would not have this UI.
    execFileSync(path.join(root, 'node_modules', '.bin', 'vite'), ['build', '--config', 'renderer/vite.config.ts'], { cwd: root, stdio: 'pipe' });
    fs.mkdirSync(shots, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-e2e-dff-'));
    server = await startServer({ port: 0, project: null, home: dir });
    browser = await launchBrowser({ width: 1280, height: 800 });
    await page().goto(server.url);
    await page().click('[data-testid="demo-open"]');
    await page().waitForSelector('[data-testid="stage"][data-frame-index="0"][data-loading="false"]', { timeout: 20_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A run may be over in a second: record every progress label the dialog shows from now on. */
  const recordProgressLabels = () =>
    page().evaluate(() => {
      const seen: string[] = ((window as unknown as { __progress: string[] }).__progress = []);
      new MutationObserver(() => {
        const t = document.querySelector('[data-testid="dff-progress-label"]')?.textContent;
        if (t && seen.at(-1) !== t) seen.push(t);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  const progressLabels = () => page().evaluate(() => (window as unknown as { __progress: string[] }).__progress);

  it('before a run: no labels on the frame, the timeline all unlabelled', async () => {
    await page().waitForSelector('[data-testid="overlay-bar"][data-labels-frame="0"]');
    expect(await attr('overlay-bar', 'data-boxes')).toBe('0');
    expect(await attr('timeline', 'data-labelled-count')).toBe('0');
    expect(await attr('timeline', 'data-key-count')).toBe('0');
  });

  it('runs DFF k=5 over frames 0–29 with progress, then draws boxes and masks and marks the key frames', async () => {
    const before = await stagePixels();
    await page().click('[data-testid="top-dff"]');
    await page().waitForSelector('[data-testid="dff-dialog"]');
    // a folder that is not a pack is refused with the reason, and Run waits for a valid pack
    await page().fill('[data-testid="dff-pack"]', path.join(dir, 'not-a-pack'));
    await page().press('[data-testid="dff-pack"]', 'Enter');
    expect(await page().textContent('[data-testid="dff-pack-error"]')).toContain('has no manifest.json');
    expect(await page().isDisabled('[data-testid="dff-start"]')).toBe(true);
    await page().click('[data-testid="dff-pack-default"]');
    await expect.poll(() => page().textContent('[data-testid="dff-dialog"]')).toContain('disc, square, triangle, star, ring, cross');
    expect(await page().textContent('[data-testid="dff-dialog"]')).toContain('actions: move_left, move_right, rotate_cw');
    await shot('dialog');
    expect(await page().inputValue('[data-testid="dff-k"]')).toBe('10');
    await page().fill('[data-testid="dff-k"]', '5');
    await page().fill('[data-testid="dff-to"]', '30');
    await recordProgressLabels();
    await page().click('[data-testid="dff-start"]');
    await page().waitForSelector('[data-testid="dff-result"]', { timeout: 90_000 });
    await shot('result');
    const progress = await progressLabels();
    expect(progress.some((t) => /^\d+ \/ 30 frames · [\d.]+ fps/.test(t)), progress.join(' | ')).toBe(true);
    expect(await page().textContent('[data-testid="dff-result"]')).toContain('30 frames labelled');
    await page().click('[data-testid="dff-dialog-close"]');

    await page().waitForSelector('[data-testid="timeline"][data-labelled-count="30"]');
    expect(await attr('timeline', 'data-key-count')).toBe('6');
    expect(await page().textContent('[data-testid="status-frame-state"]')).toMatch(/^propagated/); // frame 0: its key is frame 2, the middle of 0–4
    await page().waitForFunction(() => Number(document.querySelector('[data-testid="overlay-bar"]')?.getAttribute('data-boxes')) > 0);
    expect(Number(await attr('overlay-bar', 'data-masks'))).toBeGreaterThan(0);
    await page().waitForTimeout(200); // one more paint of the Konva layer
    const both = await stagePixels();
    await shot('overlays');
    await page().locator('[data-testid="timeline"]').screenshot({ path: path.join(shots, 'dff-ui-timeline.png') });

    await page().uncheck('[data-testid="layer-masks"]');
    await page().waitForTimeout(200);
    const boxesOnly = await stagePixels();
    await page().uncheck('[data-testid="layer-boxes"]');
    await page().waitForTimeout(200);
    const none = await stagePixels();
    const total = none.length / 3;
    // Without its layers the stage is the bare frame again; masks tint a large part of it, boxes a few outlines.
    expect(changedPixels(none, before)).toBeLessThan(total * 0.001);
    expect(changedPixels(both, none)).toBeGreaterThan(total * 0.02);
    const boxPixels = changedPixels(boxesOnly, none);
    expect(boxPixels).toBeGreaterThan(200);
    expect(boxPixels).toBeLessThan(changedPixels(both, none));
    await page().check('[data-testid="layer-boxes"]');
    await page().check('[data-testid="layer-masks"]');
  });

  it('clicking the timeline jumps to that frame, whose labels are drawn; frames after the run have none', async () => {
    const box = (await page().locator('[data-testid="timeline"]').boundingBox())!;
    const frameCount = Number((await page().textContent('[data-testid="frame-label"]'))!.match(/\/ (\d+)/)![1]);
    expect(frameCount).toBeGreaterThan(30);
    const clickAt = async (frame: number) => page().mouse.click(box.x + ((frame + 0.5) / frameCount) * box.width, box.y + box.height / 2);
    await clickAt(13);
    await page().waitForSelector('[data-testid="stage"][data-frame-index="13"][data-loading="false"]');
    await page().waitForSelector('[data-testid="overlay-bar"][data-labels-frame="13"]');
    expect(Number(await attr('overlay-bar', 'data-masks'))).toBeGreaterThan(0);
    expect(await page().textContent('[data-testid="status-frame-state"]')).toBe('propagated');
    await shot('frame-13');
    await clickAt(frameCount - 5);
    await page().waitForSelector(`[data-testid="stage"][data-frame-index="${frameCount - 5}"][data-loading="false"]`);
    await page().waitForSelector(`[data-testid="overlay-bar"][data-labels-frame="${frameCount - 5}"]`);
    expect(await attr('overlay-bar', 'data-boxes')).toBe('0');
    expect(await attr('overlay-bar', 'data-masks')).toBe('0');
  });

  it('runs adaptive key frames over frames 30–129: first says it is placing them, then labels with as many keys as k=10', async () => {
    await page().click('[data-testid="top-dff"]');
    await page().waitForSelector('[data-testid="dff-dialog"]');
    await page().click('[data-testid="dff-mode-adaptive"]');
    await page().fill('[data-testid="dff-k"]', '10');
    await page().fill('[data-testid="dff-from"]', '30');
    await page().fill('[data-testid="dff-to"]', '130');
    await recordProgressLabels();
    await page().click('[data-testid="dff-start"]');
    await page().waitForSelector('[data-testid="dff-result"] >> text=Run 2 done', { timeout: 90_000 });
    expect(await page().textContent('[data-testid="dff-result"]')).toContain('100 frames labelled');
    const progress = await progressLabels();
    const planning = progress.findIndex((t) => /^placing key frames: \d+ \/ 100 frames looked at$/.test(t));
    const labelling = progress.findIndex((t) => /^\d+ \/ 100 frames · [\d.]+ fps/.test(t));
    expect(planning, progress.join(' | ')).toBeGreaterThanOrEqual(0);
    expect(labelling, progress.join(' | ')).toBeGreaterThan(planning);
    await page().click('[data-testid="dff-dialog-close"]');
    await page().waitForSelector('[data-testid="timeline"][data-labelled-count="130"]');
    expect(await attr('timeline', 'data-key-count')).toBe(String(6 + 10));
    await page().locator('[data-testid="timeline"]').screenshot({ path: path.join(shots, 'dff-ui-adaptive-timeline.png') });
  });
});
