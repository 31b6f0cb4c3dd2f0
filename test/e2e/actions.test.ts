/**
 * The action lane in a real Chromium against the browser-mode server, on the demo project (the generated world,
 * 300 frames): add classes (a duplicate is refused in the banner), drag a segment onto the lane, resize it by
 * its end, change its class, undo and redo (Ctrl+Z / Ctrl+Shift+Z), delete it with the Delete key, mark in and
 * out with I / O (an overlapping segment gets a row of its own); then "Suggest actions" with the committed
 * pack's action model: a cancelled run writes nothing, a finished one puts hatched suggestions in rows below,
 * Enter accepts one (not verifying the frame), Reject rejects another, a second run does not bring the rejected
 * one back nor touch the accepted one, and "Accept N shown" accepts the rest. Checked against the server's
 * store, not only the page. Screenshots go to test-results/actions-*.png.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameLabels } from '../../electron/common/edit-schemas';
import { dispatch } from '../../electron/core/api/handlers';
import { appRoot } from '../../electron/core/app-paths';
import { startServer, type RunningServer } from '../../electron/core/server/server';
import { chromiumMissing, launchBrowser, type TestBrowser } from '../support/browser';
import { buildRendererTo } from '../support/renderer-build';

const shots = path.join(appRoot(), 'test-results');
const missing = chromiumMissing();
if (missing) console.warn(`test/e2e/actions.test.ts skipped: ${missing}`);

describe.skipIf(missing)('Action lane (browser mode)', () => {
  let home: string;
  let rendererDir: string;
  let server: RunningServer;
  let browser: TestBrowser;
  let videoId: number;
  const page = () => browser.page;
  const strip = () => page().locator('[data-testid="action-strip"]');
  const segments = () => page().locator('[data-testid="action-segment"]');
  const segment = (id: number) => page().locator(`[data-testid="action-segment"][data-id="${id}"]`);
  const panelShot = (name: string) => page().locator('[data-testid="timeline-panel"]').screenshot({ path: path.join(shots, `actions-${name}.png`) });
  const appShot = (name: string) => page().screenshot({ path: path.join(shots, `actions-${name}.png`) });
  /** Page x of the middle of frame f: the lane shares the timeline's view (data-view-* on its canvas). */
  const xOf = async (f: number) => {
    const box = (await strip().boundingBox())!;
    const start = Number(await page().getAttribute('[data-testid="timeline"]', 'data-view-start'));
    const span = Number(await page().getAttribute('[data-testid="timeline"]', 'data-view-span'));
    return box.x + ((f + 0.5 - start) / span) * box.width;
  };
  /** Page y of the middle of the lane's first row. */
  const row0Y = async () => (await strip().boundingBox())!.y + 2 + 9;
  const stored = () => server.session.store.listActionSegments(videoId, true);
  const spans = () => stored().map((s) => [s.start, s.end]).sort((a, b) => a[0]! - b[0]!);
  const drag = async (fromX: number, toX: number, y: number) => {
    await page().mouse.move(fromX, y);
    await page().mouse.down();
    await page().mouse.move((fromX + toX) / 2, y, { steps: 3 });
    await page().mouse.move(toX, y, { steps: 3 });
    await page().mouse.up();
  };
  const focusStage = () => page().locator('[data-testid="stage"]').click({ position: { x: 5, y: 5 } });
  const atFrame = (i: number) => page().waitForSelector(`[data-testid="stage"][data-frame-index="${i}"][data-loading="false"]`, { timeout: 20_000 });

  beforeAll(async () => {
    rendererDir = buildRendererTo('dff-e2e-actions');
    fs.mkdirSync(shots, { recursive: true });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-e2e-actions-'));
    server = await startServer({ port: 0, project: null, home, rendererDir });
    await server.session.openDemo();
    videoId = server.session.store.listVideos()[0]!.id;
    browser = await launchBrowser({ width: 1280, height: 800 });
    await page().goto(server.url);
    await atFrame(0);
    await page().waitForSelector('[data-testid="action-lane"]');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const d of [home, rendererDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  it('adds classes (a duplicate is refused in the banner), then a segment dragged on the lane lands on the frames under the pointer', async () => {
    for (const name of ['wave', 'jump']) {
      await page().fill('[data-testid="action-new-class"]', name);
      await page().click('[data-testid="action-add-class"]');
      await expect.poll(() => page().inputValue('[data-testid="action-new-class"]')).toBe('');
    }
    expect(server.session.store.listActionClasses().map((c) => c.name)).toEqual(['wave', 'jump']);
    await page().fill('[data-testid="action-new-class"]', 'WAVE');
    await page().click('[data-testid="action-add-class"]');
    await expect.poll(() => page().textContent('[data-testid="error-message"]')).toMatch(/wave/i);
    expect(await page().inputValue('[data-testid="action-new-class"]')).toBe('WAVE'); // kept, to fix
    await page().fill('[data-testid="action-new-class"]', '');
    await page().keyboard.press('Escape');
    await page().waitForSelector('[data-testid="error-banner"]', { state: 'detached' });
    // the class just added is the class of new segments
    expect(await page().$eval('[data-testid="action-class"]', (el) => (el as HTMLSelectElement).selectedOptions[0]?.text)).toBe('jump');
    await page().selectOption('[data-testid="action-class"]', { label: 'wave' });

    await drag(await xOf(40), await xOf(99), await row0Y());
    await expect.poll(() => stored().map((s) => [s.start, s.end, s.source, s.status])).toEqual([[40, 99, 'human', 'accepted']]);
    await expect.poll(() => segments().count()).toBe(1);
    const seg = segments().first();
    expect(await seg.getAttribute('data-class')).toBe('wave');
    expect(await seg.getAttribute('class')).toContain('selected'); // a new segment is selected
    await panelShot('created');
    await appShot('app-created');
  });

  it('resizes the selected segment by dragging its end, and changes its class', async () => {
    await drag(await xOf(99), await xOf(129), await row0Y());
    await expect.poll(spans).toEqual([[40, 129]]);
    await expect.poll(() => segments().first().getAttribute('data-end')).toBe('129');
    await page().selectOption('[data-testid="action-selected-class"]', { label: 'jump' });
    const jump = server.session.store.listActionClasses().find((c) => c.name === 'jump')!.id;
    await expect.poll(() => stored()[0]?.classId).toBe(jump);
    await expect.poll(() => segments().first().getAttribute('data-class')).toBe('jump');
  });

  it('Ctrl+Z / Ctrl+Shift+Z (the editor’s undo path) revert and redo lane steps, and the lane redraws', async () => {
    await focusStage();
    await page().keyboard.press('Control+z'); // the class change
    await expect.poll(() => segments().first().getAttribute('data-class')).toBe('wave');
    await page().keyboard.press('Control+z'); // the resize
    await expect.poll(() => segments().first().getAttribute('data-end')).toBe('99');
    expect(spans()).toEqual([[40, 99]]);
    await page().keyboard.press('Control+Shift+z');
    await expect.poll(() => segments().first().getAttribute('data-end')).toBe('129');
    expect(spans()).toEqual([[40, 129]]);
  });

  it('Delete on the lane removes the selected segment as one undoable step', async () => {
    await segments().first().click();
    await page().keyboard.press('Delete');
    await expect.poll(() => stored().length).toBe(0);
    await expect.poll(() => segments().count()).toBe(0);
    await focusStage();
    await page().keyboard.press('Control+z');
    await expect.poll(spans).toEqual([[40, 129]]);
    await expect.poll(() => segments().count()).toBe(1);
  });

  it('marks in and out with I / O at the playhead; an overlapping segment gets a row of its own', async () => {
    await page().click('[data-testid="timeline"]', { position: { x: 2, y: 30 } }); // frame 0
    await atFrame(0);
    await strip().focus();
    await page().keyboard.press('ArrowRight'); // the app's frame stepping still works with the lane focused
    await atFrame(1);
    await page().keyboard.press('i');
    for (let i = 0; i < 2; i++) await page().keyboard.press('Shift+ArrowRight');
    await atFrame(21);
    await page().keyboard.press('o');
    await expect.poll(spans).toEqual([
      [1, 21],
      [40, 129],
    ]);
    await page().keyboard.press('Shift+ArrowLeft');
    await atFrame(11);
    await page().keyboard.press('i');
    await page().keyboard.press('Shift+ArrowRight');
    await page().keyboard.press('Shift+ArrowRight');
    await atFrame(31);
    await page().keyboard.press('o');
    await expect.poll(spans).toEqual([
      [1, 21],
      [11, 31],
      [40, 129],
    ]);
    await expect.poll(() => strip().getAttribute('data-rows')).toBe('2');
    const overlapping = stored().find((s) => s.start === 11)!;
    expect(await segment(overlapping.id).getAttribute('data-row')).toBe('1');
    await panelShot('overlap');
    // each row is its own: a click on the lower one selects it, Delete removes it
    await segment(overlapping.id).click();
    await expect.poll(() => segment(overlapping.id).getAttribute('class')).toContain('selected');
    await page().keyboard.press('Delete');
    await expect.poll(spans).toEqual([
      [1, 21],
      [40, 129],
    ]);
    await expect.poll(() => strip().getAttribute('data-rows')).toBe('1');
  });

  it('a cancelled suggestion run writes nothing and shows no error', async () => {
    await page().click('[data-testid="action-suggest"]');
    await page().waitForSelector('[data-testid="action-suggest-progress"]');
    await panelShot('progress');
    await page().click('[data-testid="action-suggest-cancel"]');
    await page().waitForSelector('[data-testid="action-suggest"]', { timeout: 60_000 });
    expect(stored().filter((s) => s.status === 'suggested')).toEqual([]);
    expect(await page().locator('[data-testid="error-banner"]').count()).toBe(0);
  });

  it('suggests actions with the pack, accepts one (Enter), rejects one; a second run does not bring the rejected one back', async () => {
    await page().click('[data-testid="action-suggest"]');
    await page().waitForSelector('[data-testid="action-suggest-progress-label"]');
    await page().waitForSelector('[data-testid="action-suggest-result"]', { timeout: 90_000 });
    const suggested = () => stored().filter((s) => s.status === 'suggested');
    const first = suggested();
    expect(first.length).toBeGreaterThan(1); // the demo clip has actions in it; the pack finds some
    expect(first.every((s) => s.source === 'machine' && s.score !== null)).toBe(true);
    await expect.poll(() => page().locator('[data-testid="action-segment"][data-status="suggested"]').count()).toBe(first.length);
    // suggestions sit in rows below the person's segments
    for (const s of first) expect(Number(await segment(s.id).getAttribute('data-row'))).toBeGreaterThanOrEqual(1);
    expect(await segment(first[0]!.id).textContent()).toMatch(/\d\.\d\d/); // the score is on the bar
    await panelShot('suggested');
    await appShot('app-suggested');

    const [toAccept, toReject] = first;
    await segment(toAccept!.id).click();
    await page().keyboard.press('Enter');
    await expect.poll(() => stored().find((s) => s.id === toAccept!.id)?.status).toBe('accepted');
    await expect.poll(() => segment(toAccept!.id).getAttribute('data-row')).toBe('0');
    const frame = await dispatch(server.session, 'annotation.list', { videoId, index: Number(await page().getAttribute('[data-testid="stage"]', 'data-frame-index')) });
    expect(frame.ok && (frame.value as FrameLabels).state).not.toBe('verified'); // Enter on the lane is the lane's
    await segment(toReject!.id).click();
    await page().click('[data-testid="action-reject"]');
    await expect.poll(() => stored().find((s) => s.id === toReject!.id)?.status).toBe('rejected');
    await expect.poll(() => segment(toReject!.id).count()).toBe(0);

    await page().click('[data-testid="action-suggest"]');
    await expect.poll(() => page().textContent('[data-testid="action-suggest-result"]'), { timeout: 90_000 }).toMatch(/left out/);
    const again = suggested();
    expect(again.filter((s) => s.classId === toReject!.classId && s.start === toReject!.start && s.end === toReject!.end)).toEqual([]);
    expect(stored().find((s) => s.id === toReject!.id)?.status).toBe('rejected');
    expect(stored().find((s) => s.id === toAccept!.id)).toMatchObject({ status: 'accepted', start: toAccept!.start, end: toAccept!.end, classId: toAccept!.classId });

    // the rest in one go (each its own undo step)
    if (again.length > 1) {
      await page().click('[data-testid="action-accept-shown"]');
      await expect.poll(() => suggested().length).toBe(0);
      await expect.poll(() => page().locator('[data-testid="action-segment"][data-status="suggested"]').count()).toBe(0);
    }
    await segment(toAccept!.id).click();
    await panelShot('accepted');
  });
});
