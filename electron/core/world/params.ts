/** What a generated clip is made from, and the presets behind --difficulty. */
import { AppError } from '../errors';

export const DIFFICULTIES = ['easy', 'normal', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

export interface WorldParams {
  seed: number;
  width: number;
  height: number;
  frameCount: number;
  /** Objects on screen at a time (slots; each refills after its object leaves). Default: per difficulty. */
  objects?: number;
  difficulty?: Difficulty;
  fps?: number;
}

export type ResolvedParams = Required<WorldParams>;

export interface DifficultyPreset {
  /** Multiplies every object and camera speed. */
  speed: number;
  /** Sensor noise, standard deviation in 8-bit grey levels. */
  noiseSigma: number;
  /** Multiplies the amplitude of the lighting change. */
  lighting: number;
  objects: number;
}

export const DIFFICULTY_PRESETS: Record<Difficulty, DifficultyPreset> = {
  easy: { speed: 0.6, noiseSigma: 1.5, lighting: 0.5, objects: 4 },
  normal: { speed: 1, noiseSigma: 3, lighting: 1, objects: 6 },
  hard: { speed: 1.5, noiseSigma: 6, lighting: 1.5, objects: 9 },
};

function requireInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AppError('INVALID_INPUT', `world ${name} must be an integer in [${min}, ${max}], got ${String(value)}`, {
      [name]: value,
    });
  }
  return value;
}

/** Fills defaults and rejects values the generator cannot honour, naming the bad one. */
export function resolveParams(params: WorldParams): ResolvedParams {
  const difficulty = params.difficulty ?? 'normal';
  if (!DIFFICULTIES.includes(difficulty)) {
    throw new AppError('INVALID_INPUT', `world difficulty must be one of ${DIFFICULTIES.join(', ')}, got ${String(difficulty)}`);
  }
  const fps = params.fps ?? 30;
  if (typeof fps !== 'number' || !(fps > 0 && fps <= 240)) {
    throw new AppError('INVALID_INPUT', `world fps must be a number in (0, 240], got ${String(fps)}`);
  }
  return {
    seed: requireInt('seed', params.seed, 0, Number.MAX_SAFE_INTEGER),
    width: requireInt('width', params.width, 16, 8192),
    height: requireInt('height', params.height, 16, 8192),
    frameCount: requireInt('frameCount', params.frameCount, 1, 1_000_000),
    objects: requireInt('objects', params.objects ?? DIFFICULTY_PRESETS[difficulty].objects, 0, 255),
    difficulty,
    fps,
  };
}
