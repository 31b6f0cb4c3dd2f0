/**
 * Export, import and settings in a real Chromium against the real browser-mode server and the BUILT renderer:
 * a project with labels written through the store, the Export dialog's summary, a COCO export checked on disk,
 * the ALREADY_EXISTS → overwrite path, an import with skipped frames, and the Settings dialog's tool versions.
 * Screenshots go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../electron/core/app-paths';
import { startServer, type RunningServer } from '../../electron/core/server/server';
import { writeLabelledProject, type LabelledProject } from '../api/labelled-project';
import { chromiumMissing, launchBrowser, type TestBrowser } from '../support/browser';

const root = appRoot();
const shots = path.join(root, 'test-results');
const missing = chromiumMissing();
if (missing) console.warn(`test/e2e/export-ui.test.ts skipped: ${missing}`);

function ensureRendererBuilt(): void {
  if (fs.existsSync(path.join(root, 'dist', 'renderer', 'index.html'))) return;
  execFileSync(path.join(root, 'node_modules', '.bin', 'vite'), ['build', '--config', 'renderer/vite.config.ts'], { cwd: root, stdio: 'pipe' });
}

interface CocoFile {
  images: Array<{ id: number; file_name: string }>;
  annotations: Array<{ image_id: number; category_id: number; bbox: number[]; segmentation?: unknown }>;
  categories: Array<{ id: number; name: string }>;
}

describe.skipIf(missing)('export, import and settings in Chromium (browser mode)', () => {
  let dir: string;
  let server: RunningServer;
  let browser: TestBrowser;
  let project: LabelledProject;
  let outDir: string;

  const page = () => browser.page;
  const text = async (testId: string) => (await page().textContent(`[data-testid="${testId}"]`)) ?? '';
  const shot = (name: string) => page().screenshot({ path: path.join(shots, `export-ui-${name}.png`) });

  beforeAll(async () => {
    ensureRendererBuilt();
    fs.mkdirSync(shots, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-e2e-export-'));
    outDir = path.join(dir, 'exports');
    project = await writeLabelledProject(dir, 'street');
    server = await startServer({ port: 0, project: project.file, home: path.join(dir, 'home') });
    browser = await launchBrowser({ width: 1280, height: 800 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens the Export dialog from the top bar and shows the summary of the selection', async () => {
    await page().goto(server.url);
    await page().waitForSelector('[data-testid="stage"][data-frame-index="0"][data-loading="false"]', { timeout: 20_000 });
    await page().click('[data-testid="top-export"]');
    await page().waitForSelector('[data-testid="export-dialog"]');
    // default selection: verified (0–9) and corrected (10–14)
    await expect.poll(() => text('export-summary-frames')).toBe('15 frames: 15 train, 0 validation');
    const classes = await page().locator('[data-testid="export-summary-classes"] tbody tr').allTextContents();
    expect(classes).toEqual(['person15', 'car15']);
    // adding machine frames ≥ 0.6 adds frames 30–39
    await page().check('[data-testid="export-machine"]');
    await page().fill('[data-testid="export-dialog"] input[type="number"]:not([disabled]) >> nth=0', '0.6');
    await expect.poll(() => text('export-summary-frames')).toBe('25 frames: 25 train, 0 validation');
    await page().uncheck('[data-testid="export-machine"]');
    await expect.poll(() => text('export-summary-frames')).toBe('15 frames: 15 train, 0 validation');
    await shot('summary');
  });

  it('exports COCO, shows where it went, and the JSON on disk holds the labelled frames', async () => {
    await page().fill('[data-testid="export-out-dir"]', outDir);
    await page().fill('[data-testid="export-name"]', 'street-coco');
    await page().selectOption('[data-testid="export-images"]', 'none');
    await page().click('[data-testid="export-start"]');
    await page().waitForSelector('[data-testid="export-result"]', { timeout: 60_000 });
    const dest = path.join(outDir, 'street-coco');
    expect(await text('export-result-dest')).toBe(dest);
    expect(await text('export-result')).toContain('15 frames (15 train, 0 val), 30 objects');
    await shot('result');

    const coco = JSON.parse(fs.readFileSync(path.join(dest, 'annotations', 'instances_train.json'), 'utf8')) as CocoFile;
    expect(coco.images).toHaveLength(15);
    expect(coco.annotations).toHaveLength(30);
    expect(coco.categories.map((c) => c.name).sort()).toEqual(['car', 'person']);
    const car = coco.categories.find((c) => c.name === 'car')!.id;
    expect(coco.annotations.filter((a) => a.category_id === car).every((a) => a.bbox.join() === '180,140,90,50')).toBe(true);
    expect(fs.readdirSync(dest, { recursive: true }).some((f) => String(f).endsWith('.jpg'))).toBe(false);
  });

  it('refuses to export over the same name, then overwrites when the user says so', async () => {
    const dest = path.join(outDir, 'street-coco');
    const before = fs.statSync(dest).mtimeMs;
    await page().click('[data-testid="export-start"]');
    await page().waitForSelector('[data-testid="export-error"]', { timeout: 30_000 });
    expect(await text('export-error')).toContain('ALREADY_EXISTS');
    expect(await text('export-error-message')).toContain(dest);
    await shot('already-exists');
    await page().click('[data-testid="export-overwrite"]');
    await page().waitForSelector('[data-testid="export-result"]', { timeout: 60_000 });
    expect(fs.statSync(dest).mtimeMs).toBeGreaterThan(before);
  });

  it('shows progress while exporting and cancels, keeping nothing', async () => {
    await page().check('[data-testid="export-machine"]');
    await page().fill('[data-testid="export-dialog"] input[type="number"]:not([disabled]) >> nth=0', '0');
    await page().selectOption('[data-testid="export-images"]', 'png');
    // The export is short: on a busy machine it can end before the click lands. Then it is a finished export
    // (checked and removed) and we try again; the cancel must win at least once in three tries.
    let cancelled = false;
    for (let attempt = 1; attempt <= 3 && !cancelled; attempt++) {
      const name = `street-cancelled-${attempt}`;
      await page().fill('[data-testid="export-name"]', name);
      await page().click('[data-testid="export-start"]');
      await page().click('[data-testid="export-cancel"]', { timeout: 5_000 }).catch(() => undefined);
      const dest = path.join(outDir, name);
      const outcome = async () =>
        (await page().isVisible('[data-testid="export-error"]')) ? 'error' : (await page().isVisible('[data-testid="export-result-dest"]')) && (await text('export-result-dest')) === dest ? 'done' : 'running';
      await expect.poll(outcome, { timeout: 30_000 }).not.toBe('running');
      if ((await outcome()) === 'error') {
        await shot('cancelled');
        expect(await text('export-error')).toContain('CANCELLED');
        expect(fs.existsSync(dest)).toBe(false);
        cancelled = true;
      } else {
        expect(fs.existsSync(path.join(dest, 'annotations', 'instances_train.json'))).toBe(true);
        fs.rmSync(dest, { recursive: true, force: true });
      }
    }
    expect(cancelled).toBe(true);
    await page().uncheck('[data-testid="export-machine"]');
    await page().selectOption('[data-testid="export-images"]', 'none');
    await page().fill('[data-testid="export-name"]', 'street-coco');
  });

  it('maps project classes to Cityscapes labels in the dialog, saved in the project', async () => {
    await page().click('[data-testid="export-format-cityscapes"]');
    await page().waitForSelector(`[data-testid="cityscapes-map-${project.classes.car}"]`);
    expect(await page().inputValue('[data-testid="export-name"]')).toBe('street-cityscapes');
    // 'car' maps by name until the user picks another label
    expect(await text(`cityscapes-map-${project.classes.car}`)).toContain('by name: car');
    await page().selectOption(`[data-testid="cityscapes-map-${project.classes.car}"]`, '27');
    await expect.poll(() => page().inputValue(`[data-testid="cityscapes-map-${project.classes.car}"]`)).toBe('27');
    await shot('cityscapes');
    const saved = server.session.store.getSetting('export.cityscapesMap') as Record<string, number>;
    expect(saved[String(project.classes.car)]).toBe(27);
    await page().click('[data-testid="export-format-coco"]');
  });

  it('offers "export again" with the last settings after reopening', async () => {
    await page().click('[data-testid="export-dialog-close"]');
    await page().click('[data-testid="top-export"]');
    await page().waitForSelector('[data-testid="export-again"]');
    expect(await page().inputValue('[data-testid="export-name"]')).toBe('street-coco');
    expect(await page().inputValue('[data-testid="export-out-dir"]')).toBe(outDir);
    await page().click('[data-testid="export-dialog-close"]');
  });

  it('imports a COCO file and lists the frames kept as a person left them', async () => {
    const file = path.join(dir, 'pre.json');
    const images = [2, 60].map((f) => ({ id: f + 1, file_name: `f${f}.jpg`, width: 320, height: 240, frame_index: f }));
    const annotations = images.map((im, i) => ({ id: i + 1, image_id: im.id, category_id: 7, bbox: [5, 5, 20, 20], area: 400, iscrowd: 0 }));
    fs.writeFileSync(file, JSON.stringify({ images, annotations, categories: [{ id: 7, name: 'person' }] }));
    await page().click('[data-testid="top-import"]');
    await page().fill('[data-testid="import-file"]', file);
    await page().selectOption('[data-testid="import-match"]', 'frame-index');
    await page().click('[data-testid="import-start"]');
    await page().waitForSelector('[data-testid="import-result"]', { timeout: 30_000 });
    expect(await text('import-result')).toContain('1 frame written');
    expect(await text('import-skipped')).toContain('frame 2: verified');
    await shot('import');
    await page().click('[data-testid="import-dialog-close"]');
  });

  it('shows the ffmpeg version in Settings, and refuses a path that does not run, keeping the old setting', async () => {
    const tools = await server.session.context.toolStatus();
    await page().click('[data-testid="top-settings"]');
    await page().waitForSelector('[data-testid="settings-dialog"]');
    expect(await text('settings-ffmpeg-version')).toBe(tools.ffmpeg!.version);
    expect(await text('settings-ffprobe-version')).toBe(tools.ffprobe!.version);
    const bad = path.join(dir, 'no-such-ffmpeg');
    await page().fill('[data-testid="settings-ffmpeg-path"]', bad);
    await page().click('[data-testid="settings-save"]');
    await page().waitForSelector('[data-testid="settings-error"]');
    expect(await text('settings-error')).toContain('TOOL_MISSING');
    expect(await text('settings-error-message')).toContain(bad);
    expect(server.session.context.getSettings().ffmpegPath).toBeNull();
    expect(await text('settings-ffmpeg-version')).toBe(tools.ffmpeg!.version);
    await shot('settings');
    expect(browser.problems).toEqual([]);
  });
});
