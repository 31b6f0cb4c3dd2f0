/**
 * What an annotator does, in a real Chromium against the real browser-mode server and the freshly built
 * renderer: open the demo, run DFF, go to a propagated frame, move a box, paint a mask (past the border:
 * clipped), undo and redo, carry the correction forward, mark the frame verified, reload the page and
 * find everything still there. Checked through the API (the server's own session), not only pixels;
 * screenshots go to test-results/annotator-*.png.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallOutput } from '../../electron/common/api';
import type { EditableAnnotation, FrameLabels } from '../../electron/common/edit-schemas';
import { dispatch } from '../../electron/core/api/handlers';
import { appRoot } from '../../electron/core/app-paths';
import { decodeMask } from '../../electron/core/masks/rle';
import { startServer, type RunningServer } from '../../electron/core/server/server';
import { chromiumMissing, launchBrowser, type TestBrowser } from '../support/browser';

const root = appRoot();
const shots = path.join(root, 'test-results');
const missing = chromiumMissing();
if (missing) console.warn(`test/e2e/annotator.test.ts skipped: ${missing}`);

describe.skipIf(missing)('the annotator (browser mode)', () => {
  let dir: string;
  let server: RunningServer;
  let browser: TestBrowser;
  let videoId: number;
  let size: { width: number; height: number };

  const page = () => browser.page;
  const shot = (name: string) => page().screenshot({ path: path.join(shots, `annotator-${name}.png`) });
  /** A call on the server's session: the same API the page uses. */
  async function api<N extends CallName>(name: N, input: unknown): Promise<CallOutput<N>> {
    const r = await dispatch(server.session, name, input);
    if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
    return r.value as CallOutput<N>;
  }
  const labelsOf = (index: number) => api('annotation.list', { videoId, index }) as Promise<FrameLabels>;
  async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  /** Screen position of a point in video pixels. */
  async function toScreen(x: number, y: number): Promise<{ x: number; y: number }> {
    const stage = page().locator('[data-testid="stage"]');
    const box = (await stage.boundingBox())!;
    const ix = Number(await stage.getAttribute('data-image-x'));
    const iy = Number(await stage.getAttribute('data-image-y'));
    const s = Number(await stage.getAttribute('data-image-scale'));
    const r = Number(await stage.getAttribute('data-frame-width')) / size.width || 1;
    return { x: box.x + ix + x * s * r, y: box.y + iy + y * s * r };
  }
  async function drag(from: { x: number; y: number }, to: { x: number; y: number }) {
    await page().mouse.move(from.x, from.y);
    await page().mouse.down();
    for (let i = 1; i <= 8; i++) await page().mouse.move(from.x + ((to.x - from.x) * i) / 8, from.y + ((to.y - from.y) * i) / 8);
    await page().mouse.up();
  }
  const settled = () => page().waitForSelector('[data-testid="editor-toolbar"][data-pending="0"]');
  const goTo = async (index: number) => {
    const current = Number(await page().getAttribute('[data-testid="stage"]', 'data-frame-index'));
    for (let i = current; i < index; i++) await page().keyboard.press('ArrowRight');
    await page().waitForSelector(`[data-testid="stage"][data-frame-index="${index}"][data-loading="false"]`);
    await page().waitForSelector(`[data-testid="editor-toolbar"][data-frame-state]:not([data-frame-state=""])`);
  };

  beforeAll(async () => {
    execFileSync(path.join(root, 'node_modules', '.bin', 'vite'), ['build', '--config', 'renderer/vite.config.ts'], { cwd: root, stdio: 'pipe' });
    fs.mkdirSync(shots, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-e2e-annotator-'));
    server = await startServer({ port: 0, project: null, home: dir });
    browser = await launchBrowser({ width: 1400, height: 860 });
    await page().goto(server.url);
    await page().click('[data-testid="demo-open"]');
    await page().waitForSelector('[data-testid="stage"][data-frame-index="0"][data-loading="false"]', { timeout: 20_000 });
    const [v] = await api('video.list', {});
    videoId = v!.id;
    size = { width: v!.width, height: v!.height };
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs DFF from the dialog', async () => {
    await page().click('[data-testid="top-dff"]');
    await page().fill('[data-testid="dff-k"]', '20'); // keys 9 and 24 (the middles of 0–19 and 20–29): frames 0–8 propagated
    await page().fill('[data-testid="dff-to"]', '30');
    await page().click('[data-testid="dff-start"]');
    await page().waitForSelector('[data-testid="dff-result"]', { timeout: 100_000 });
    await page().click('[data-testid="dff-dialog-close"]');
    expect((await labelsOf(3)).state).toBe('propagated');
  });

  let moved: EditableAnnotation;
  it('moves a box on a propagated frame: it becomes the person\'s, the frame corrected', async () => {
    await goTo(3);
    const before = await labelsOf(3);
    // a box whose centre no smaller box covers: the editor draws smaller boxes on top, so a drag there moves this one
    const boxes = before.annotations.filter((a) => a.rle === null);
    const centre = (b: EditableAnnotation['bbox']) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });
    const inside = (p: { x: number; y: number }, b: EditableAnnotation['bbox']) => p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h;
    const box = boxes.find(
      (a) =>
        a.bbox.w > 12 &&
        a.bbox.h > 12 &&
        !boxes.some((o) => o !== a && o.bbox.w * o.bbox.h <= a.bbox.w * a.bbox.h && inside(centre(a.bbox), o.bbox)),
    );
    expect(box, 'a propagated box on frame 3 with its centre free').toBeTruthy();
    await shot('1-propagated');
    const c = await toScreen(box!.bbox.x + box!.bbox.w / 2, box!.bbox.y + box!.bbox.h / 2);
    const scale = (await toScreen(1, 0)).x - (await toScreen(0, 0)).x;
    await drag(c, { x: c.x + 16, y: c.y + 10 }); // a small correction: the box was a little off
    await settled();
    const after = await until('the moved box in the project', async () => {
      const a = (await labelsOf(3)).annotations.find((x) => x.id === box!.id);
      return a && a.source === 'corrected' ? a : null;
    });
    expect(after.bbox.x).toBeCloseTo(box!.bbox.x + 16 / scale, 0);
    expect(after.bbox.y).toBeCloseTo(box!.bbox.y + 10 / scale, 0);
    expect(after.bbox.w).toBeCloseTo(box!.bbox.w, 3);
    expect((await labelsOf(3)).state).toBe('corrected');
    await page().waitForSelector('[data-testid="editor-toolbar"][data-frame-state="corrected"]');
    moved = after;
    await shot('2-moved');
  });

  let painted: EditableAnnotation;
  it('paints a mask with the brush, past the frame\'s border: clipped; undo removes it, redo brings it back', async () => {
    await page().keyboard.press('Escape');
    await page().keyboard.press('p');
    await page().fill('[data-testid="brush-size"]', '14');
    await page().press('[data-testid="brush-size"]', 'Enter');
    const countBefore = (await labelsOf(3)).annotations.length;
    // from inside the frame to 40 px past its right border
    const from = await toScreen(size.width - 90, 40);
    const to = await toScreen(size.width + 40, 60);
    await drag(from, to);
    await settled();
    const labels = await until('the painted mask', async () => {
      const l = await labelsOf(3);
      return l.annotations.length === countBefore + 1 ? l : null;
    });
    painted = labels.annotations.find((a) => a.source === 'manual' && a.rle !== null)!;
    expect(painted).toBeTruthy();
    const px = decodeMask({ size: [size.height, size.width], counts: painted.rle! });
    const area = px.reduce((s, v) => s + v, 0);
    expect(area).toBeGreaterThan(90 * 20);
    expect(painted.bbox.x + painted.bbox.w).toBe(size.width); // reaches the border, not past it
    await shot('3-painted');

    await page().keyboard.press('Control+z');
    await settled();
    await until('the mask undone', async () => !(await labelsOf(3)).annotations.some((a) => a.id === painted.id));
    expect((await labelsOf(3)).history.redo).toBe(`Add mask (${(await api('class.list', {})).find((c) => c.id === painted.classId)!.name})`);
    await page().keyboard.press('Control+Shift+z');
    await settled();
    const back = await until('the mask redone', async () => (await labelsOf(3)).annotations.find((a) => a.id === painted.id));
    expect(back.rle).toBe(painted.rle);
  });

  it('carries the corrected box forward 3 frames and marks the frame verified', async () => {
    const machineCounts = new Map<number, number>();
    for (const i of [4, 5, 6]) machineCounts.set(i, (await labelsOf(i)).annotations.length);
    await page().keyboard.press('v');
    const c = await toScreen(moved.bbox.x + moved.bbox.w / 2, moved.bbox.y + moved.bbox.h / 2);
    await page().mouse.click(c.x, c.y);
    await page().waitForSelector(`[data-testid="selected-props"][data-annotation-id="${moved.id}"]`);
    await page().fill('[data-testid="carry-limit"]', '3');
    await page().press('[data-testid="carry-limit"]', 'Enter'); // leaves the field, so the next key is a shortcut
    await page().keyboard.press('c');
    await page().waitForFunction(() => /^(Carried|Nothing)/.test(document.querySelector('[data-testid="editor-notice"]')?.textContent ?? ''), null, { timeout: 60_000 });
    await shot('4-carried');
    expect(await page().textContent('[data-testid="editor-notice"]')).toBe('Carried to frames 4–6 (stopped at 7: limit)');
    for (const i of [4, 5, 6]) {
      const l = await labelsOf(i);
      expect(l.state, `frame ${i}`).toBe('carried');
      expect(l.annotations.filter((a) => a.source === 'carried')).toHaveLength(1);
      // the carried box took the place of the machine's box of the same object
      expect(l.annotations.length, `frame ${i}`).toBe(machineCounts.get(i));
    }
    expect((await labelsOf(7)).state).toBe('propagated');

    await page().keyboard.press('Enter');
    await settled();
    await until('frame 3 verified', async () => (await labelsOf(3)).state === 'verified');
    await page().waitForSelector('[data-testid="editor-toolbar"][data-frame-state="verified"]');
    await shot('5-verified');
  });

  it('after a reload everything is still there, and the history still undoes', async () => {
    await page().reload();
    await page().waitForSelector('[data-testid="stage"][data-loading="false"]', { timeout: 20_000 });
    await goTo(3);
    await page().waitForSelector('[data-testid="editor-toolbar"][data-frame-state="verified"]');
    const l3 = await labelsOf(3);
    expect(l3.annotations.find((a) => a.id === moved.id)).toMatchObject({ bbox: moved.bbox, source: 'corrected', verified: true });
    expect(l3.annotations.find((a) => a.id === painted.id)?.rle).toBe(painted.rle);
    expect(l3.history.undo).toBe('Verify frame 3');
    for (const i of [4, 5, 6]) expect((await labelsOf(i)).state).toBe('carried');
    await shot('6-reloaded');
    // the timeline shows the edited frames' states too
    await goTo(5);
    await page().waitForSelector('[data-testid="editor-toolbar"][data-frame-state="carried"]');
    await shot('7-carried-frame');
    expect(browser.problems).toEqual([]);
  });

  it('the other tools: help, presets, a new box with class and track id, a polygon, the eraser, delete, accept all, zoom and pan', async () => {
    await goTo(8);
    expect((await labelsOf(8)).state).toBe('propagated');
    await page().keyboard.press('?');
    await page().waitForSelector('[data-testid="help-panel"] >> text=Ctrl+Shift+Z');
    expect(await page().textContent('[data-testid="help-panel"]')).toContain('Next / previous key frame'); // the timeline's keys too
    await shot('8-help');
    await page().keyboard.press('Escape');
    await page().waitForSelector('[data-testid="help-panel"]', { state: 'detached' });

    // the Cityscapes preset adds its 19 classes to the palette
    const classesBefore = (await api('class.list', {})).length;
    await page().selectOption('[data-testid="preset-select"]', { label: 'Cityscapes (19)' });
    await page().click('[data-testid="preset-add"]');
    await page().waitForSelector('[data-testid="class-car"]');
    expect((await api('class.list', {})).length).toBe(classesBefore + 19);
    const byName = new Map((await api('class.list', {})).map((c) => [c.name, c.id]));

    // B: a new box with the current class; then its track id and class change
    await page().click('[data-testid="class-car"]');
    await page().keyboard.press('b');
    await drag(await toScreen(20, 300), await toScreen(120, 350));
    await settled();
    const created = await until('the new car box', async () => (await labelsOf(8)).annotations.find((a) => a.source === 'manual' && a.classId === byName.get('car')));
    expect((await labelsOf(8)).annotations.filter((a) => a.source === 'manual')).toHaveLength(1); // one drag, one box
    // the mouse moves in whole screen pixels: within a screen pixel of the video position
    const near = (v: number, want: number) => Math.abs(v - want) < 1.5;
    expect(near(created.bbox.x, 20) && near(created.bbox.y, 300) && near(created.bbox.w, 100) && near(created.bbox.h, 50), JSON.stringify(created.bbox)).toBe(true);
    expect(created.trackId).not.toBeNull();
    await page().fill('[data-testid="track-id"]', '42');
    await page().press('[data-testid="track-id"]', 'Enter');
    await settled();
    await until('track id 42', async () => (await labelsOf(8)).annotations.find((a) => a.id === created.id)?.trackId === 42);
    await page().click('[data-testid="class-person"]');
    await settled();
    await until('class person', async () => (await labelsOf(8)).annotations.find((a) => a.id === created.id)?.classId === byName.get('person'));

    // G: a polygon closed with Enter becomes a new mask of the current class
    await page().keyboard.press('Escape');
    await page().keyboard.press('g');
    for (const [x, y] of [[200, 250], [300, 250], [300, 330], [200, 330]] as const) {
      const p = await toScreen(x, y);
      await page().mouse.click(p.x, p.y);
    }
    await shot('9-polygon');
    await page().keyboard.press('Enter');
    await settled();
    const poly = await until('the polygon mask', async () => (await labelsOf(8)).annotations.find((a) => a.source === 'manual' && a.rle !== null));
    const areaOf = (rle: string) => decodeMask({ size: [size.height, size.width], counts: rle }).reduce((s, v) => s + v, 0);
    expect(areaOf(poly.rle!)).toBeGreaterThan(100 * 80 * 0.95);
    expect(areaOf(poly.rle!)).toBeLessThan(100 * 80 * 1.05);
    expect((await labelsOf(8)).state).toBe('corrected');

    // E: the eraser cuts a band out of the selected mask
    await page().keyboard.press('e');
    await page().fill('[data-testid="brush-size"]', '8');
    await page().press('[data-testid="brush-size"]', 'Enter');
    await drag(await toScreen(190, 290), await toScreen(310, 290));
    await settled();
    const erased = await until('the erased band', async () => {
      const a = (await labelsOf(8)).annotations.find((x) => x.id === poly.id);
      return a && a.rle !== poly.rle ? a : null;
    });
    expect(areaOf(erased.rle!)).toBeLessThan(areaOf(poly.rle!) - 100 * 12);
    await shot('10-erased');

    // Del removes it; A accepts the rest
    await page().keyboard.press('Delete');
    await settled();
    await until('the mask deleted', async () => !(await labelsOf(8)).annotations.some((a) => a.id === poly.id));
    await page().keyboard.press('a');
    await settled();
    const accepted = await until('frame 8 accepted', async () => {
      const l = await labelsOf(8);
      return l.state === 'verified' ? l : null;
    });
    expect(accepted.annotations.every((a) => (a.source === 'corrected' || a.source === 'manual') && a.verified)).toBe(true);

    // wheel zooms around the pointer; space+drag pans
    await page().keyboard.press('v');
    const centre = await toScreen(size.width / 2, size.height / 2);
    await page().mouse.move(centre.x, centre.y);
    await page().mouse.wheel(0, -300);
    await page().waitForSelector('[data-testid="stage"]:not([data-view="fit"])');
    const x0 = Number(await page().getAttribute('[data-testid="stage"]', 'data-image-x'));
    await page().keyboard.down('Space');
    await page().waitForSelector('[data-testid="stage"][data-panning="true"]');
    await drag(centre, { x: centre.x + 80, y: centre.y });
    await page().keyboard.up('Space');
    await until('the pan', async () => Number(await page().getAttribute('[data-testid="stage"]', 'data-image-x')) > x0 + 60);
    expect((await labelsOf(8)).annotations.length).toBe(accepted.annotations.length); // panning edited nothing
    await shot('11-zoomed');
    expect(browser.problems).toEqual([]);
  });
});
