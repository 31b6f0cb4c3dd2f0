/**
 * The flow and feature-warp visualisers in a real Chromium: the demo project after a real DFF run (k=5 over
 * frames 0–29, default pack: keys 2, 7, 12, …), the panel opened from the toolbar on propagated frame 13. Every picture must
 * show structure (not a flat fill), the key frame index must be the run's, the channel picker must change the
 * feature pictures, and on the key frame itself the warp error must be smaller. Screenshots in test-results/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPackDir } from '../../electron/core/api/dff';
import { appRoot } from '../../electron/core/app-paths';
import { startRun } from '../../electron/core/dff/engine';
import { startServer, type RunningServer } from '../../electron/core/server/server';
import { chromiumMissing, launchBrowser, type TestBrowser } from '../support/browser';
import { buildRendererTo } from '../support/renderer-build';

const shots = path.join(appRoot(), 'test-results');
const missing = chromiumMissing();
if (missing) console.warn(`test/e2e/visualise.test.ts skipped: ${missing}`);

const TILES = ['vis-flow', 'vis-arrows', 'vis-key-feature', 'vis-warped-feature', 'vis-current-feature', 'vis-scale', 'vis-warp-error'];

describe.skipIf(missing)('Flow and feature-warp visualisers (browser mode)', () => {
  let home: string;
  let rendererDir: string;
  let server: RunningServer;
  let browser: TestBrowser;
  const page = () => browser.page;
  const at = (i: number) => page().waitForSelector(`[data-testid="stage"][data-frame-index="${i}"][data-loading="false"]`, { timeout: 20_000 });
  const panelAt = (attrs: string) => page().waitForSelector(`[data-testid="visualise-panel"]${attrs}[data-busy="false"]`, { timeout: 60_000 });
  /** A tile's canvas as raw RGB. */
  const tilePixels = async (testId: string) => {
    const png = await page().locator(`[data-testid="${testId}"] canvas`).screenshot();
    return sharp(png).removeAlpha().raw().toBuffer();
  };
  const distinctColours = (rgb: Buffer) => {
    const seen = new Set<number>();
    for (let i = 0; i < rgb.length; i += 3) seen.add((rgb[i]! << 16) | (rgb[i + 1]! << 8) | rgb[i + 2]!);
    return seen.size;
  };
  const meanAbsDiff = (a: Buffer, b: Buffer) => {
    let d = 0;
    for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! - b[i]!);
    return d / a.length;
  };
  const errorMax = async () => Number(await page().textContent('[data-testid="vis-warp-error"] [data-role="max"]'));

  beforeAll(async () => {
    rendererDir = buildRendererTo('dff-e2e-visualise');
    fs.mkdirSync(shots, { recursive: true });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-e2e-visualise-'));
    server = await startServer({ port: 0, project: null, home, rendererDir });
    await server.session.openDemo();
    const store = server.session.store;
    const videoId = store.listVideos()[0]!.id;
    const run = await startRun(store, { videoId, packDir: defaultPackDir(), mode: { kind: 'fixed', k: 5 }, from: 0, to: 30 }, {
      onProgress: () => {},
      signal: new AbortController().signal,
    });
    expect((await run.done).status).toBe('done');
    browser = await launchBrowser({ width: 1280, height: 800 });
    await page().goto(server.url);
    await at(0);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const d of [home, rendererDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  let channel0: Buffer;
  let error13 = 0;

  it('shows the flow to its key and the feature warp for a propagated frame', async () => {
    await page().keyboard.press('Shift+ArrowRight');
    for (let i = 0; i < 3; i++) await page().keyboard.press('ArrowRight');
    await at(13);
    await page().click('[data-testid="top-visualise"]');
    await panelAt('[data-frame="13"][data-channel="0"]');
    expect(await page().getAttribute('[data-testid="visualise-panel"]', 'data-key-index')).toBe('12');
    const summary = await page().textContent('[data-testid="vis-summary"]');
    expect(summary).toMatch(/frame 13 · flow to key frame 12 · max flow [\d.]+ px/);
    await page().waitForTimeout(200);
    await page().locator('[data-testid="visualise-panel"]').screenshot({ path: path.join(shots, 'visualise-frame13.png') });
    for (const id of TILES) expect(distinctColours(await tilePixels(id)), id).toBeGreaterThan(20);
    expect(await page().textContent('[data-testid="vis-wheel"]')).toMatch(/rim [\d.]+ px/);
    channel0 = await tilePixels('vis-key-feature');
    error13 = await errorMax();
    expect(error13).toBeGreaterThan(0);
  });

  it('the channel picker shows another channel', async () => {
    await page().fill('[data-testid="vis-channel"]', '7');
    await panelAt('[data-frame="13"][data-channel="7"]');
    await page().waitForTimeout(200);
    const channel7 = await tilePixels('vis-key-feature');
    expect(meanAbsDiff(channel0, channel7)).toBeGreaterThan(10);
    expect(await page().textContent('[data-testid="vis-key-feature"] figcaption')).toBe('key 12 · ch 7');
    await page().locator('[data-testid="visualise-panel"]').screenshot({ path: path.join(shots, 'visualise-channel7.png') });
    await page().fill('[data-testid="vis-channel"]', '0');
    await panelAt('[data-frame="13"][data-channel="0"]');
  });

  it('follows the frame on screen; on the key frame itself the warp error is smaller', async () => {
    await page().evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page().keyboard.press('Shift+K');
    await at(12);
    await panelAt('[data-frame="12"]');
    expect(await page().textContent('[data-testid="vis-summary"]')).toContain('a key frame');
    expect(await errorMax()).toBeLessThan(error13);
    await page().click('[data-testid="vis-close"]');
    expect(await page().locator('[data-testid="visualise-panel"]').count()).toBe(0);
    expect(browser.problems).toEqual([]);
  });
});
