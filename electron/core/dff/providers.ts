/**
 * Execution providers: which ones this machine's onnxruntime offers, and the order a run tries them in
 * (the best first, CPU last). A provider that fails to load a pack is skipped and the reason recorded
 * in the run (pack-session.ts).
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';

/**
 * onnxruntime logs each provider that fails to start (missing CUDA libraries, no GPU adapter) as an error
 * on stderr, besides throwing: the throw is what we record, so its log is only noise in the CLI and tests.
 */
export function quietProviderLogs(): void {
  ort.env.logLevel = 'fatal';
}
quietProviderLogs();

/** Best first, per platform: GPU providers where onnxruntime has them, then WebGPU, then the CPU. */
const PREFERENCE: Record<string, string[]> = {
  linux: ['tensorrt', 'cuda', 'webgpu', 'cpu'],
  win32: ['tensorrt', 'cuda', 'dml', 'webgpu', 'cpu'],
  darwin: ['coreml', 'webgpu', 'cpu'],
};

export interface ProviderInfo {
  name: string;
  /** False when the provider's libraries are installed separately (CUDA and TensorRT by onnxruntime-node's install script). */
  bundled: boolean;
}

/** The providers onnxruntime-node lists on this platform, in order of preference. */
export function listProviders(platform: string = process.platform): ProviderInfo[] {
  const listed = new Map(ort.listSupportedBackends().map((b) => [b.name, b.bundled]));
  const order = PREFERENCE[platform] ?? ['cpu'];
  return order.filter((n) => listed.has(n) || n === 'cpu').map((name) => ({ name, bundled: listed.get(name) ?? true }));
}

/** The chain a run tries when none is asked for: every provider listed here, the best first, the CPU last. */
export function defaultProviderChain(platform: string = process.platform): string[] {
  return listProviders(platform).map((p) => p.name);
}

let usable: Promise<string[]> | null = null;

/**
 * The providers that really start here, best first: each listed one is tried once per process on a
 * small graph (`probeModel`, e.g. the default pack's warp.onnx). What the app shows as available.
 */
export function usableProviders(probeModel: string): Promise<string[]> {
  usable ??= (async () => {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(probeModel);
    } catch {
      return defaultProviderChain();
    }
    const ok: string[] = [];
    for (const name of defaultProviderChain()) {
      try {
        const session = await ort.InferenceSession.create(bytes, { executionProviders: [name] });
        await session.release();
        ok.push(name);
      } catch {
        // not on this machine: runs still try it first and record why it failed
      }
    }
    return ok;
  })();
  return usable;
}

/** The thread count a run uses when none is set: onnxruntime's default, one per core. */
export function defaultThreads(): number {
  return availableParallelism();
}
