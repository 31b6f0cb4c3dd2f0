/** Argument checks shared by the store's tables; each failure is an AppError naming the value. */
import { AppError } from '../errors';
import type { Box } from './types';

export function requireId(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw new AppError('INVALID_INPUT', `${what} must be a positive whole number, got ${show(value)}`);
  }
  return value as number;
}

export function requireIndex(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new AppError('INVALID_INPUT', `${what} must be a whole number ≥ 0, got ${show(value)}`);
  }
  return value as number;
}

export function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AppError('INVALID_INPUT', `${what} must be a non-empty text, got ${show(value)}`);
  }
  return value;
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value as T)) {
    throw new AppError('INVALID_INPUT', `${what} must be one of ${allowed.join(', ')}, got ${show(value)}`);
  }
  return value as T;
}

export function requireFinite(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AppError('INVALID_INPUT', `${what} must be a finite number, got ${show(value)}`);
  }
  return value;
}

/** null/undefined → null, else a finite number. */
export function optionalFinite(value: unknown, what: string): number | null {
  return value === null || value === undefined ? null : requireFinite(value, what);
}

export function requireBox(box: unknown, what: string): Box {
  if (typeof box !== 'object' || box === null) throw new AppError('INVALID_INPUT', `${what} must be {x, y, w, h}, got ${show(box)}`);
  const b = box as Record<string, unknown>;
  const out = {
    x: requireFinite(b.x, `${what}.x`),
    y: requireFinite(b.y, `${what}.y`),
    w: requireFinite(b.w, `${what}.w`),
    h: requireFinite(b.h, `${what}.h`),
  };
  if (out.w < 0 || out.h < 0) {
    throw new AppError('INVALID_INPUT', `${what} has a negative size (w ${out.w}, h ${out.h})`);
  }
  return out;
}

/** '#rrggbb', any case in, lower case out. */
export function requireColor(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(value)) {
    throw new AppError('INVALID_INPUT', `${what} must be a colour like '#ff8800', got ${show(value)}`);
  }
  return value.toLowerCase();
}

/** JSON text of a value that survives a round trip (no undefined, functions, NaN or cycles). */
export function requireJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_k, v) => {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`the number ${v}`);
      if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') throw new Error(`a ${typeof v}`);
      return v;
    });
  } catch (err) {
    throw new AppError('INVALID_INPUT', `${what} cannot be saved as JSON: it holds ${(err as Error).message}`);
  }
  if (text === undefined) throw new AppError('INVALID_INPUT', `${what} cannot be saved as JSON: it is undefined`);
  return text;
}

export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 80)}…` : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
