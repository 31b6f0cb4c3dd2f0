import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startRun } from '../../electron/core/dff/engine';
import { defaultProviderChain, listProviders } from '../../electron/core/dff/providers';
import type { ProjectStore } from '../../electron/core/store';
import { havePack, noPackReason, packDir, projectWith, tempDir, worldClip } from './helpers';

describe('execution providers', () => {
  it('orders the providers onnxruntime lists per platform, the best first and the CPU last', () => {
    const linux = defaultProviderChain('linux');
    expect(linux.at(-1)).toBe('cpu');
    expect(linux).not.toContain('coreml');
    expect(linux).not.toContain('dml');
    // onnxruntime-node lists CUDA and TensorRT on Linux (installed apart): both come before the CPU
    if (linux.includes('cuda')) expect(linux.indexOf('cuda')).toBeLessThan(linux.indexOf('cpu'));
    if (linux.includes('tensorrt')) expect(linux.indexOf('tensorrt')).toBeLessThan(linux.indexOf('cuda'));
    expect(defaultProviderChain('darwin')).not.toContain('cuda');
    expect(defaultProviderChain('sunos')).toEqual(['cpu']);
    expect(listProviders().find((p) => p.name === 'cpu')).toEqual({ name: 'cpu', bundled: true });
  });

  describe.skipIf(!havePack)('a run with the default chain', () => {
    if (!havePack) console.warn(`test/dff/providers.test.ts run skipped: ${noPackReason}`);
    const dir = tempDir('providers');
    let store: ProjectStore | null = null;
    afterAll(() => {
      store?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('falls back to the first provider that loads the pack, recording why each one before it failed', async () => {
      const clip = await worldClip(40);
      const p = await projectWith(dir, clip.video, 'chain');
      store = p.store;
      const handle = await startRun(store, { videoId: p.video.id, packDir, mode: { kind: 'fixed', k: 10 }, threads: 1, to: 3 });
      expect((await handle.done).status).toBe('done');
      const run = store.getRun(handle.runId);
      const chain = defaultProviderChain();
      const params = run.params as { providers: string[]; providerFailures: { provider: string; error: string }[] };
      expect(params.providers).toEqual(chain);
      // no GPU here: every provider before the one that ran failed, each with onnxruntime's reason
      const ran = chain.indexOf(run.executionProvider);
      expect(ran).toBeGreaterThanOrEqual(0);
      expect(params.providerFailures.map((f) => f.provider)).toEqual(chain.slice(0, ran));
      for (const f of params.providerFailures) expect(f.error).toMatch(/^feature\.onnx: onnxruntime cannot load it: .+/);
    });
  });
});
