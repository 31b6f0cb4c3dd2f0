/**
 * The model pack of the interactive DFF calls (the visualiser, carrying a correction forward), kept open
 * between calls (held.ts); its files' sizes and mtimes are part of the key, so a pack changed on disk reloads.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { DffRunner } from '../models/dff-runner';
import { readManifest, type LoadedPack } from '../models/load-pack';
import { NETWORK_NAMES } from '../models/manifest';
import { Held } from './held';
import { DEFAULT_PROVIDERS, hashPack, openPack } from './pack-session';

export interface HeldPack {
  pack: LoadedPack;
  runner: DffRunner;
  /** sha256 over manifest + ONNX files, as runs record it. */
  hash: string;
}

const packs = new Held<HeldPack>(
  async (key) => {
    const dir = key.slice(0, key.indexOf('|'));
    const { pack } = await openPack(dir, DEFAULT_PROVIDERS, null);
    return { pack, runner: new DffRunner(pack), hash: await hashPack(dir, pack.manifest) };
  },
  (held) => held.pack.release(),
);

/** `dir|file:size:mtime|…` for the manifest and each network file. */
async function fingerprint(dir: string): Promise<string> {
  const manifest = await readManifest(dir); // NOT_FOUND / INVALID_INPUT naming the pack
  const files = ['manifest.json', ...NETWORK_NAMES.map((n) => manifest.networks[n].file)];
  const stats = await Promise.all(files.map((f) => fs.stat(path.join(dir, f)).then((s) => `${f}:${s.size}:${s.mtimeMs}`, () => `${f}:missing`)));
  return `${dir}|${stats.join('|')}`;
}

/** Runs `fn` with the pack at `dir` open (loaded and validated on first use). */
export async function withPack<T>(dir: string, fn: (held: HeldPack) => Promise<T>): Promise<T> {
  return packs.use(await fingerprint(path.resolve(dir)), fn);
}
