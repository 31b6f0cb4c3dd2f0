/** Opens a pack on the first execution provider that loads it, recording why the ones before failed. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors';
import { loadPack, type LoadedPack } from '../models/load-pack';
import { NETWORK_NAMES, type PackManifest } from '../models/manifest';
import { runSessionOptions } from '../models/session-options';
import { quietProviderLogs } from './providers';
import type { ProviderFailure } from './types';

quietProviderLogs(); // this module runs in the worker thread, which has its own onnxruntime environment

export const DEFAULT_PROVIDERS = ['cpu'];

export interface OpenedPack {
  pack: LoadedPack;
  provider: string;
  providerFailures: ProviderFailure[];
}

export async function openPack(dir: string, providers: string[], threads: number | null): Promise<OpenedPack> {
  if (providers.length === 0) throw new AppError('INVALID_INPUT', 'no execution provider to run the model pack on');
  const providerFailures: ProviderFailure[] = [];
  for (const [n, provider] of providers.entries()) {
    const sessionOptions = runSessionOptions(provider, threads);
    try {
      return { pack: await loadPack(dir, { sessionOptions }), provider, providerFailures };
    } catch (err) {
      if (n === providers.length - 1) throw err;
      providerFailures.push({ provider, error: (err as Error).message });
    }
  }
  throw new Error('unreachable');
}

/** sha256 over manifest.json and each network file, so a run knows exactly which weights made it. */
export async function hashPack(dir: string, manifest: PackManifest): Promise<string> {
  const hash = createHash('sha256');
  const files = ['manifest.json', ...NETWORK_NAMES.map((n) => manifest.networks[n].file)];
  for (const f of files) {
    hash.update(`${f}\0`);
    hash.update(await readFile(path.join(dir, f)));
  }
  return `sha256:${hash.digest('hex')}`;
}
