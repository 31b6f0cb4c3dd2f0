/**
 * Loads a model pack and checks it against what its ONNX files really are: every file present, every
 * tensor name and shape as the manifest implies, a supported opset, a class table that matches the heads.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { AppError } from '../errors';
import { manifestSchema, NETWORK_NAMES, type NetworkName, type PackManifest } from './manifest';
import { defaultOpset } from './onnx-opset';

/** Opset 16 is the first with GridSample (a pack's warp may use it); newer than 21 is untested with this runtime. */
export const MIN_OPSET = 16;
export const MAX_OPSET = 21;

export interface LoadedPack {
  dir: string;
  manifest: PackManifest;
  sessions: Record<NetworkName, ort.InferenceSession>;
  opsets: Record<NetworkName, number>;
  release(): Promise<void>;
}

export interface LoadPackOptions {
  sessionOptions?: ort.InferenceSession.SessionOptions;
}

type Dim = number | '*'; // '*': any size

/** The shape each role's tensor must have, from the manifest. */
function expectedShapes(m: PackManifest): Record<NetworkName, { inputs: Record<string, Dim[]>; outputs: Record<string, Dim[]> }> {
  const { width: W, height: H } = m.input;
  const { channels: C, width: fw, height: fh } = m.feature;
  const image: Dim[] = [1, 3, H, W];
  const feat: Dim[] = [1, C, fh, fw];
  const classes = m.classes.length;
  const det = m.heads.detection;
  const detMap = (ch: number): Dim[] => (det ? [1, ch, Math.floor(H / det.stride), Math.floor(W / det.stride)] : [1, ch, '*', '*']);
  return {
    feature: { inputs: { image }, outputs: { features: feat } },
    flow: {
      inputs: { keyImage: image, currentImage: image },
      outputs: { flow: [1, 2, fh, fw], scale: [1, m.flow.scaleField === 'perChannel' ? C : 1, fh, fw] },
    },
    warp: { inputs: { features: feat, flow: [1, 2, fh, fw], scale: [1, '*', fh, fw] }, outputs: { warped: feat } },
    task: {
      inputs: { features: feat },
      outputs: { segmentation: [1, classes + 1, '*', '*'], heatmap: detMap(classes), size: detMap(2), offset: detMap(2) },
    },
  };
}

function checkShape(file: string, role: string, name: string, meta: ort.InferenceSession.ValueMetadata, want: Dim[]): void {
  if (!meta.isTensor) throw new AppError('INVALID_INPUT', `${file}: tensor '${name}' (${role}) is not a tensor`, { file, tensor: name });
  const got = meta.shape;
  const ok =
    got.length === want.length &&
    want.every((w, i) => w === '*' || typeof got[i] === 'string' || got[i] === w) &&
    (meta.type === 'float32' || meta.type === 'float16');
  if (!ok) {
    const why = want[1] !== got[1] && (role === 'segmentation' || role === 'heatmap') ? ' (the class table has a different number of classes)' : '';
    throw new AppError(
      'INVALID_INPUT',
      `${file}: tensor '${name}' (${role}) is ${meta.type}[${got.join(', ')}], the manifest implies float32[${want.join(', ')}]${why}`,
      { file, tensor: name, shape: [...got], expected: want },
    );
  }
}

export async function readManifest(dir: string): Promise<PackManifest> {
  const file = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new AppError('NOT_FOUND', `model pack ${dir} has no manifest.json`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AppError('INVALID_INPUT', `${file} is not valid JSON: ${(err as Error).message}`, { file });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('INVALID_INPUT', `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, { file, path: issue.path });
  }
  const m = parsed.data;
  if (m.feature.width * m.feature.stride !== m.input.width || m.feature.height * m.feature.stride !== m.input.height) {
    throw new AppError('INVALID_INPUT', `${file}: feature ${m.feature.width}x${m.feature.height} at stride ${m.feature.stride} does not cover input ${m.input.width}x${m.input.height}`, { file });
  }
  for (const [head, role] of [['segmentation', 'segmentation'], ['detection', 'heatmap']] as const) {
    if (m.heads[head] && !m.networks.task.outputs[role]) {
      throw new AppError('INVALID_INPUT', `${file}: heads.${head} needs networks.task.outputs.${role}`, { file });
    }
  }
  return m;
}

export async function loadPack(dir: string, options: LoadPackOptions = {}): Promise<LoadedPack> {
  const manifest = await readManifest(dir);
  const shapes = expectedShapes(manifest);
  const sessions = {} as Record<NetworkName, ort.InferenceSession>;
  const opsets = {} as Record<NetworkName, number>;
  const release = async () => {
    await Promise.all(Object.values(sessions).map((s) => s.release()));
  };
  try {
    for (const net of NETWORK_NAMES) {
      const spec = manifest.networks[net];
      const file = path.join(dir, spec.file);
      let bytes: Uint8Array;
      try {
        bytes = await readFile(file);
      } catch {
        throw new AppError('NOT_FOUND', `model pack ${dir}: ${spec.file} (the ${net} network) is missing`, { file });
      }
      const opset = defaultOpset(bytes, spec.file);
      if (opset < MIN_OPSET || opset > MAX_OPSET) {
        throw new AppError('INVALID_INPUT', `${spec.file}: opset ${opset} is not supported (${MIN_OPSET}..${MAX_OPSET})`, { file, opset });
      }
      opsets[net] = opset;
      let session: ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(bytes, options.sessionOptions);
      } catch (err) {
        throw new AppError('INVALID_INPUT', `${spec.file}: onnxruntime cannot load it: ${(err as Error).message}`, { file });
      }
      sessions[net] = session;
      for (const kind of ['inputs', 'outputs'] as const) {
        const names = kind === 'inputs' ? session.inputNames : session.outputNames;
        const metas = kind === 'inputs' ? session.inputMetadata : session.outputMetadata;
        const roles = spec[kind] as Record<string, string | undefined>;
        for (const [role, name] of Object.entries(roles)) {
          if (name === undefined) continue;
          const i = names.indexOf(name);
          if (i < 0) {
            throw new AppError(
              'INVALID_INPUT',
              `${spec.file}: the manifest names ${kind.slice(0, -1)} '${name}' (${role}), the graph has ${names.map((n) => `'${n}'`).join(', ')}`,
              { file, tensor: name },
            );
          }
          const want = (shapes[net][kind] as Record<string, Dim[]>)[role]!;
          checkShape(spec.file, role, name, metas[i]!, want);
        }
        if (kind === 'inputs' && names.length !== Object.values(roles).filter(Boolean).length) {
          throw new AppError('INVALID_INPUT', `${spec.file}: the graph takes inputs ${names.join(', ')}, the manifest lists ${Object.values(roles).join(', ')}`, { file });
        }
      }
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { dir, manifest, sessions, opsets, release };
}
