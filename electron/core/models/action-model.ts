/**
 * A pack's optional action model (the manifest's `action` section, MARS: RGB clips only): loaded on the first
 * execution provider that opens it and checked against what the ONNX file really is — the file present, the
 * input named as the manifest says with shape (1|dynamic, 3, clipLength, height, width), the output ending in
 * the class count — with errors that name the file and the tensor, like the DFF networks (load-pack.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { AppError } from '../errors';
import { readManifest, MAX_OPSET } from './load-pack';
import type { PackManifest } from './manifest';
import { defaultOpset } from './onnx-opset';
import { runSessionOptions } from './session-options';

export type ActionSpec = NonNullable<PackManifest['action']>;

export interface LoadedActionModel {
  dir: string;
  manifest: PackManifest;
  spec: ActionSpec;
  /** 'name version' of the pack: what suggestions record as their model. */
  model: string;
  session: ort.InferenceSession;
  /** The execution provider the session runs on, and why the ones tried before it failed. */
  provider: string;
  providerFailures: { provider: string; error: string }[];
  release(): Promise<void>;
}

export interface LoadActionOptions {
  /** Tried in order, the first that loads wins (default: the CPU). */
  providers?: string[];
  /** onnxruntime intra-op threads (default: onnxruntime's). */
  threads?: number | null;
}

/** The pack's action section, or a clear error when it has none. */
export function actionSpecOf(manifest: PackManifest, dir: string): ActionSpec {
  if (!manifest.action) {
    throw new AppError('INVALID_INPUT', `pack ${manifest.name} ${manifest.version} (${dir}) has no action model: its manifest.json has no "action" section`, {
      dir,
    });
  }
  return manifest.action;
}

type Dim = number | string;

/** Checks the session's input and output against the spec; every error names the file and the tensor. */
export function checkActionSession(session: ort.InferenceSession, spec: ActionSpec, file: string): void {
  const name = path.basename(file);
  const fail = (message: string, tensor?: string, extra: Record<string, unknown> = {}) => {
    throw new AppError('INVALID_INPUT', `${name}: ${message}`, { file, ...(tensor ? { tensor } : {}), ...extra });
  };
  const input = spec.inputs.clip;
  const output = spec.outputs.logits;
  const list = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');
  const i = session.inputNames.indexOf(input);
  if (i < 0) fail(`the manifest names input '${input}' (clip), the graph has ${list(session.inputNames)}`, input);
  if (session.inputNames.length !== 1) fail(`the graph takes inputs ${list(session.inputNames)}, an action model takes one clip`, input);
  const o = session.outputNames.indexOf(output);
  if (o < 0) fail(`the manifest names output '${output}' (logits), the graph has ${list(session.outputNames)}`, output);

  const fits = (got: readonly Dim[], want: (number | null)[]) =>
    got.length === want.length && want.every((w, k) => typeof got[k] === 'string' || w === null || got[k] === w);
  const inMeta = session.inputMetadata[i]!;
  const inWant = [1, 3, spec.clipLength, spec.height, spec.width];
  if (!inMeta.isTensor || inMeta.type !== 'float32' || !fits(inMeta.shape, inWant)) {
    const got = inMeta.isTensor ? `${inMeta.type}[${inMeta.shape.join(', ')}]` : 'not a tensor';
    fail(`input '${input}' (clip) is ${got}, the manifest implies float32[${inWant.join(', ')}] (batch, RGB, clipLength, height, width)`, input, {
      expected: inWant,
    });
  }
  const outMeta = session.outputMetadata[o]!;
  const K = spec.classes.length;
  const outOk =
    outMeta.isTensor &&
    outMeta.type === 'float32' &&
    outMeta.shape.length >= 1 &&
    fits(outMeta.shape, [...outMeta.shape.slice(0, -1).map(() => 1), K]);
  if (!outOk) {
    const got = outMeta.isTensor ? `${outMeta.type}[${outMeta.shape.join(', ')}]` : 'not a tensor';
    fail(`output '${output}' (logits) is ${got}, the manifest implies float32[1, ${K}] (one logit for each of its ${K} action classes)`, output, {
      expected: [1, K],
    });
  }
}

/** Checks what the schema cannot: class names unique in any case (the project keys action classes by name). */
function checkClasses(spec: ActionSpec, manifestFile: string): void {
  const seen = new Set<string>();
  for (const c of spec.classes) {
    const key = c.name.toLowerCase();
    if (seen.has(key)) throw new AppError('INVALID_INPUT', `${manifestFile}: action.classes names '${c.name}' twice (names are compared in any case)`, { file: manifestFile });
    seen.add(key);
  }
}

/** Reads the pack's manifest and opens its action model, fully checked. The caller releases it. */
export async function loadActionModel(dir: string, options: LoadActionOptions = {}): Promise<LoadedActionModel> {
  const packDir = path.resolve(dir);
  const manifest = await readManifest(packDir);
  const spec = actionSpecOf(manifest, packDir);
  checkClasses(spec, path.join(packDir, 'manifest.json'));
  const file = path.join(packDir, spec.file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch {
    throw new AppError('NOT_FOUND', `model pack ${packDir}: ${spec.file} (the action model) is missing`, { file });
  }
  const opset = defaultOpset(bytes, spec.file);
  if (opset > MAX_OPSET) throw new AppError('INVALID_INPUT', `${spec.file}: opset ${opset} is newer than this runtime is tested with (≤ ${MAX_OPSET})`, { file, opset });

  const providers = options.providers?.length ? options.providers : ['cpu'];
  const providerFailures: LoadedActionModel['providerFailures'] = [];
  for (const [n, provider] of providers.entries()) {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, runSessionOptions(provider, options.threads));
    } catch (err) {
      const error = `${spec.file}: onnxruntime cannot load it on '${provider}': ${(err as Error).message}`;
      if (n === providers.length - 1) throw new AppError('INVALID_INPUT', error, { file, providerFailures });
      providerFailures.push({ provider, error: (err as Error).message });
      continue;
    }
    try {
      checkActionSession(session, spec, file); // the graph is the same on every provider: a mismatch is final
    } catch (err) {
      await session.release();
      throw err;
    }
    const model = `${manifest.name} ${manifest.version}`;
    return { dir: packDir, manifest, spec, model, session, provider, providerFailures, release: () => session.release() };
  }
  throw new Error('unreachable');
}
