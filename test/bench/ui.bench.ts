/**
 * UI responsiveness benchmark: `npm run bench:ui` (tsx test/bench/ui.bench.ts). Debian's Chromium on the
 * browser-mode server with a renderer built for this run. Prints one table:
 *  1. → pressed to the next frame drawn with its overlays, 720p frames already in the renderer's cache,
 *     p50/p95 (goal p95 ≤ 50 ms); baseline in the same run: cached frames that have no labels.
 *  2. The timeline at 100 000 frames (a project built with the store: states, keys and scores): the draw
 *     itself, and key press → redrawn for zoom steps (goal ≤ 100 ms); the state query against the old
 *     read (an object per frame) as baseline; a jump across the 100k video (click → frame on screen).
 *  3. Long tasks (PerformanceObserver 'longtask', ≥ 50 ms) in the renderer while DFF runs over the demo from
 *     the UI and the user steps through frames (goal: none).
 *  4. Renderer JS heap after stepping through the whole labelled demo twice (after GC; goal: no growth).
 * Parts can be picked: `npm run bench:ui -- step timeline demo` (1, 2, 3 + 4); none named runs them all.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { FRAME_KEY_BIT, FRAME_STATES } from '../../electron/common/api';
import { defaultPackDir, frameStates } from '../../electron/core/api/dff';
import { startRun } from '../../electron/core/dff/engine';
import { startServer, type RunningServer } from '../../electron/core/server/server';
import type { ProjectStore } from '../../electron/core/store';
import { chromiumMissing, launchBrowser, type TestBrowser } from '../support/browser';
import { writeStatePattern } from '../support/frame-states';
import { buildRendererTo } from '../support/renderer-build';
import { ffmpeg, fixture } from '../support/videos';

const missing = chromiumMissing();
if (missing) {
  console.error(`bench:ui needs Chromium: ${missing}`);
  process.exit(1);
}

const PARTS = ['step', 'timeline', 'demo'] as const;
const picked = process.argv.slice(2);
const unknown = picked.filter((p) => !(PARTS as readonly string[]).includes(p));
if (unknown.length) {
  console.error(`bench:ui: unknown part ${unknown.join(', ')}; the parts are ${PARTS.join(', ')}`);
  process.exit(1);
}
const runs = (part: (typeof PARTS)[number]) => picked.length === 0 || picked.includes(part);

const rows: string[][] = [];
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const row = (metric: string, value: string, goal = '', met = '') => {
  rows.push([metric, value, goal, met]);
  console.log(`  ${metric}: ${value}`);
};

const rendererDir = buildRendererTo('dff-bench-ui');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-bench-ui-'));

async function withApp(name: string, setup: (server: RunningServer) => Promise<void>, body: (b: TestBrowser, server: RunningServer) => Promise<void>) {
  const home = path.join(work, name);
  fs.mkdirSync(home, { recursive: true });
  const server = await startServer({ port: 0, project: null, home, rendererDir });
  const browser = await launchBrowser({ width: 1280, height: 800 });
  try {
    await setup(server);
    await browser.page.addInitScript('window.__name = (f) => f;'); // tsx keeps function names with a helper the page lacks
    await browser.page.addInitScript(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
      const l = window as unknown as { __loaf: string[] };
      l.__loaf = [];
      new PerformanceObserver((list) =>
        list.getEntries().forEach((e) => {
          const f = e as PerformanceEntry & { blockingDuration: number; scripts: Array<{ duration: number; invoker: string; sourceFunctionName: string; sourceCharPosition: number }> };
          if (f.blockingDuration > 0) {
            const scripts = f.scripts.map((x) => `${x.invoker}/${x.sourceFunctionName}@${x.sourceCharPosition}:${x.duration.toFixed(0)}ms`).join(', ');
            l.__loaf.push(`${f.duration.toFixed(0)} ms frame (blocking ${f.blockingDuration.toFixed(0)}): ${scripts}`);
          }
        }),
      ).observe({ type: 'long-animation-frame', buffered: true });
    });
    await browser.page.goto(server.url);
    await frameShown(browser.page, 0);
    await body(browser, server);
    if (browser.problems.length) console.warn(`  page problems: ${browser.problems.join(' | ')}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

const frameShown = (page: Page, i: number, timeout = 60_000) =>
  page.waitForSelector(`[data-testid="stage"][data-frame-index="${i}"][data-loading="false"]`, { timeout });

async function dffRun(store: ProjectStore, videoId: number, k: number, from: number, to: number) {
  const run = await startRun(store, { videoId, packDir: defaultPackDir(), mode: { kind: 'fixed', k }, from, to }, {
    onProgress: () => {},
    signal: new AbortController().signal,
  });
  const outcome = await run.done;
  if (outcome.status !== 'done') throw new Error(`DFF run ended ${outcome.status}`);
}

/**
 * In the page: presses → n times from frame `from`, each time until the stage shows the next frame with its
 * labels fetched and one animation frame has run (Konva draws in it). Returns ms per step.
 */
function stepTimes(page: Page, from: number, n: number): Promise<number[]> {
  return page.evaluate(
    async ({ from, n }) => {
      const stage = document.querySelector('[data-testid="stage"]')!;
      const bar = document.querySelector('[data-testid="overlay-bar"]')!;
      const ready = (i: number) =>
        stage.getAttribute('data-frame-index') === String(i) && stage.getAttribute('data-loading') === 'false' && bar.getAttribute('data-labels-frame') === String(i);
      const times: number[] = [];
      for (let k = 1; k <= n; k++) {
        const target = from + k;
        const t0 = performance.now();
        window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
        await new Promise<void>((resolve) => {
          const obs = new MutationObserver(() => check());
          const check = () => {
            if (!ready(target)) return;
            obs.disconnect();
            requestAnimationFrame(() => resolve());
          };
          obs.observe(document.body, { attributes: true, subtree: true, attributeFilter: ['data-frame-index', 'data-loading', 'data-labels-frame'] });
          check();
        });
        times.push(performance.now() - t0);
      }
      return times;
    },
    { from, n },
  );
}

async function stepThrough(page: Page, from: number, to: number) {
  for (let i = from + 1; i <= to; i++) {
    await page.keyboard.press('ArrowRight');
    await frameShown(page, i);
  }
}

// ---- 1. stepping through cached 720p frames with overlays -----------------------------------------------
// DFF labels frames 0–STEPS; frames after them have no labels: stepping there is the baseline without overlays.
// The first visit goes to 2 × STEPS + 1 and prefetches 4 frames past it: 2 × STEPS + 6 frames stay within the
// renderer's cache of 64 (more would evict the first frames, and the measured steps would wait for the core).
// ROUNDS passes over the same frames, so that p95 does not rest on one or two samples.
const STEPS = 28;
const ROUNDS = 3;
if (runs('step')) {
  console.log(`1. stepping through ${STEPS} cached 720p frames, ${ROUNDS} times`);
  await withApp(
    'step',
    async (server) => {
      await server.session.openProject(path.join(work, 'step.dffproj'), { create: true });
      const video = await server.session.addVideo(await fixture('bench-720p.mp4'));
      await dffRun(server.session.store, video.id, 10, 0, STEPS + 1);
    },
    async ({ page }) => {
      const t0 = performance.now();
      await stepThrough(page, 0, 2 * STEPS + 1); // first visit: decoded by the core, then cached in the renderer
      const firstVisit = (performance.now() - t0) / (2 * STEPS + 1);
      const withOverlays: number[] = [];
      const bare: number[] = [];
      let boxes = 0;
      let masks = 0;
      for (let r = 0; r < ROUNDS; r++) {
        await page.keyboard.press('Home');
        await frameShown(page, 0);
        withOverlays.push(...(await stepTimes(page, 0, STEPS)));
        boxes = Number(await page.getAttribute('[data-testid="overlay-bar"]', 'data-boxes'));
        masks = Number(await page.getAttribute('[data-testid="overlay-bar"]', 'data-masks'));
        bare.push(...(await stepTimes(page, STEPS, STEPS)));
      }
      const p95 = quantile(withOverlays, 0.95);
      row(`→ to frame + overlays drawn, cached 720p, p50 (frame ${STEPS}: ${boxes} boxes, ${masks} masks)`, ms(quantile(withOverlays, 0.5)));
      row('→ to frame + overlays drawn, cached 720p, p95', ms(p95), '≤ 50 ms', p95 <= 50 ? 'yes' : 'NO');
      row('  baseline: cached frames without labels, p50 / p95', `${ms(quantile(bare, 0.5))} / ${ms(quantile(bare, 0.95))}`, '', `overlays ×${(quantile(withOverlays, 0.5) / quantile(bare, 0.5)).toFixed(2)}`);
      row('  first visit (core decodes the 720p frame), mean per step', ms(firstVisit));
    },
  );

}

// ---- 2. the timeline at 100 000 frames ---------------------------------------------------------------
const N = 100_000;
if (runs('timeline')) {
  console.log(`2. timeline at ${N} frames`);
  const longVideo = path.join(os.tmpdir(), 'dff-bench-ui-videos', `testsrc-${N}.mp4`);
  if (!fs.existsSync(longVideo)) {
    fs.mkdirSync(path.dirname(longVideo), { recursive: true });
    const tmp = `${longVideo}.${process.pid}.mp4`;
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x36:rate=25', '-frames:v', String(N), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '250', '-pix_fmt', 'yuv420p', tmp]);
    fs.renameSync(tmp, longVideo);
}
await withApp(
  'long',
  async (server) => {
    await server.session.openProject(path.join(work, 'long.dffproj'), { create: true });
    const video = await server.session.addVideo(longVideo);
    const store = server.session.store;
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    writeStatePattern(store, video.id, {
      count: N - 5000,
      k: 10,
      scoreOf: () => 0.3 + 0.7 * rand(),
      verified: Array.from({ length: 3000 }, (_, i) => i),
      corrected: Array.from({ length: 200 }, (_, i) => 3000 + i * 37),
    });
    // the state query, against reading every frame as an object (the previous implementation)
    const sql: number[] = [];
    const objects: number[] = [];
    for (let r = 0; r < 5; r++) {
      let t = performance.now();
      frameStates(store, video.id);
      sql.push(performance.now() - t);
      t = performance.now();
      const frames = store.listFrames(video.id);
      const codes = new Uint8Array(frames.length);
      for (const f of frames) codes[f.idx] = FRAME_STATES.indexOf(f.state) | (f.dffKey ? FRAME_KEY_BIT : 0);
      Buffer.from(codes).toString('base64');
      objects.push(performance.now() - t);
    }
    row('video.frameStates at 100k frames (one SQL query), median of 5', ms(quantile(sql, 0.5)), '', `×${(quantile(objects, 0.5) / quantile(sql, 0.5)).toFixed(1)} faster`);
    row('  baseline: an object per frame (previous read), median of 5', ms(quantile(objects, 0.5)));
  },
  async ({ page }) => {
    await page.waitForSelector(`[data-testid="timeline"][data-labelled-count="${N - 5000}"]`, { timeout: 60_000 });
    const zoom = await page.evaluate(async () => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="timeline"]')!;
      const fit = document.querySelector<HTMLButtonElement>('[data-testid="timeline-fit"]')!;
      // resolves as the draw (in its animation frame) marks the canvas
      const nextDraw = (before: string | undefined) =>
        new Promise<void>((resolve) => {
          const obs = new MutationObserver(() => {
            if (canvas.dataset.drawn === before) return;
            obs.disconnect();
            resolve();
          });
          obs.observe(canvas, { attributes: true, attributeFilter: ['data-drawn'] });
        });
      const draws: number[] = [];
      const presses: number[] = [];
      for (let r = 0; r < 4; r++) {
        let before = canvas.dataset.drawn;
        fit.click();
        await nextDraw(before);
        draws.push(Number(canvas.dataset.drawMs));
        for (const key of ['+', '+', '+', '+', '+', '+', '-', '-', '-', '-', '-', '-']) {
          before = canvas.dataset.drawn;
          const t0 = performance.now();
          window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
          await nextDraw(before);
          presses.push(performance.now() - t0);
          draws.push(Number(canvas.dataset.drawMs));
        }
      }
      return { draws, presses };
    });
    const fitDraws = zoom.draws.filter((_, i) => i % 13 === 0);
    row('timeline draw, whole 100k video in view (aggregated per pixel column), median', ms(quantile(fitDraws, 0.5)), '≤ 100 ms', quantile(fitDraws, 0.5) <= 100 ? 'yes' : 'NO');
    const p95 = quantile(zoom.presses, 0.95);
    row('timeline +/- key → redrawn at 100k frames, p50 / p95', `${ms(quantile(zoom.presses, 0.5))} / ${ms(p95)}`, '≤ 100 ms', p95 <= 100 ? 'yes' : 'NO');
    // a jump across the long video: no waiting for anything but that frame
    const box = (await page.locator('[data-testid="timeline"]').boundingBox())!;
    const target = 77_777;
    const t0 = performance.now();
    await page.mouse.click(box.x + ((target + 0.5) / N) * box.width, box.y + box.height / 2);
    const landed = Number(await page.getAttribute('[data-testid="timeline"]', 'data-playhead'));
    await frameShown(page, landed);
    row(`click on the timeline at frame ${landed} of 100k → that frame shown`, ms(performance.now() - t0));
  },
);

}

// ---- 3 + 4. long tasks during a DFF run; heap after stepping through the demo twice -----------------------
if (runs('demo')) {
  console.log('3. long tasks while DFF runs over the demo; 4. heap after stepping through it twice');
  await withApp(
    'demo',
    async (server) => {
      await server.session.openDemo();
    },
    async ({ page, context }) => {
      await page.evaluate(() => {
        (window as unknown as { __longTasks: number[] }).__longTasks.length = 0;
        (window as unknown as { __loaf: string[] }).__loaf.length = 0;
      });
      await page.click('[data-testid="top-dff"]');
      await page.fill('[data-testid="dff-k"]', '10');
      await page.click('[data-testid="dff-start"]');
      await page.click('[data-testid="dff-dialog-close"]').catch(() => undefined);
      const t0 = performance.now();
      // step through frames while it runs, as a person would
      let steps = 0;
      while (!(await page.$('[data-testid="status-busy"]:not(:empty)')) && performance.now() - t0 < 3000) await page.waitForTimeout(50);
      for (let i = 1; i <= 120; i++) {
        await page.keyboard.press('ArrowRight');
        await frameShown(page, i);
        steps++;
        await page.waitForTimeout(40);
      }
      await page.waitForFunction(() => document.querySelector('[data-testid="timeline"]')?.getAttribute('data-labelled-count') === '300', null, { timeout: 300_000 });
      const seconds = (performance.now() - t0) / 1000;
      const long = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
      const loaf = await page.evaluate(() => (window as unknown as { __loaf: string[] }).__loaf);
      if (loaf.length) console.log(`  long animation frames:\n    ${loaf.join('\n    ')}`);
      row(
        `long tasks (≥ 50 ms) in the renderer during DFF over 300 frames (${seconds.toFixed(0)} s, ${steps} steps taken)`,
        `${long.length}${long.length ? ` (longest ${ms(Math.max(...long))})` : ''}`,
        '0',
        long.length === 0 ? 'yes' : 'NO',
      );

      const cdp = await context.newCDPSession(page);
      const heap = async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        await cdp.send('HeapProfiler.collectGarbage');
        const { usedSize } = await cdp.send('Runtime.getHeapUsage');
        const { nodes } = await cdp.send('Memory.getDOMCounters');
        return { mb: usedSize / 1e6, nodes };
      };
      await page.keyboard.press('Home');
      await frameShown(page, 0);
      const before = await heap();
      await stepThrough(page, 0, 299);
      await page.keyboard.press('Home');
      await frameShown(page, 0);
      const once = await heap();
      await stepThrough(page, 0, 299);
      await page.keyboard.press('Home');
      await frameShown(page, 0);
      const twice = await heap();
      const growth = twice.mb - once.mb;
      row('renderer JS heap after GC: loaded / after 1st pass / after 2nd pass over 300 frames', `${before.mb.toFixed(1)} / ${once.mb.toFixed(1)} / ${twice.mb.toFixed(1)} MB`);
      row('  growth 1st → 2nd pass (DOM nodes)', `${growth >= 0 ? '+' : ''}${growth.toFixed(2)} MB (${once.nodes} → ${twice.nodes})`, '≈ 0', Math.abs(growth) < 1 ? 'yes' : 'NO');
    },
  );

}

fs.rmSync(work, { recursive: true, force: true });
fs.rmSync(rendererDir, { recursive: true, force: true });

const widths = [0, 1, 2, 3].map((c) => Math.max(...[['metric', 'value', 'goal', 'met'], ...rows].map((r) => r[c]!.length)));
const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ');
console.log();
console.log(line(['metric', 'value', 'goal', 'met']));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line(r));
console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
