/** A small `--name value` / `--flag` / `--no-flag` argument parser that names the option in every error. */
import { AppError } from '../errors';

export class Args {
  readonly positional: string[] = [];
  private readonly values = new Map<string, string | boolean>();
  private readonly read = new Set<string>();

  constructor(argv: readonly string[], flags: ReadonlySet<string>) {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (!a.startsWith('--')) {
        this.positional.push(a);
        continue;
      }
      const [key, inline] = a.slice(2).split(/=(.*)/s, 2);
      if (flags.has(key)) this.values.set(key, inline === undefined ? true : inline !== 'false');
      else if (key.startsWith('no-') && flags.has(key.slice(3))) this.values.set(key.slice(3), false);
      else if (inline !== undefined) this.values.set(key, inline);
      else if (i + 1 < argv.length) this.values.set(key, argv[++i]);
      else throw new AppError('INVALID_INPUT', `--${key} needs a value`);
    }
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  str(name: string): string | undefined {
    this.read.add(name);
    const v = this.values.get(name);
    if (typeof v === 'boolean') throw new AppError('INVALID_INPUT', `--${name} needs a value`);
    return v;
  }

  required(name: string): string {
    const v = this.str(name);
    if (v === undefined) throw new AppError('INVALID_INPUT', `--${name} is required`);
    return v;
  }

  flag(name: string): boolean | undefined {
    this.read.add(name);
    const v = this.values.get(name);
    return v === undefined ? undefined : v === true;
  }

  int(name: string): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) throw new AppError('INVALID_INPUT', `--${name} must be a whole number, got "${v}"`);
    return Number(v);
  }

  num(name: string): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new AppError('INVALID_INPUT', `--${name} must be a number, got "${v}"`);
    return n;
  }

  ints(name: string): number[] | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    return v.split(',').map((s) => {
      if (!/^\d+$/.test(s.trim())) throw new AppError('INVALID_INPUT', `--${name} must be whole numbers separated by commas, got "${v}"`);
      return Number(s);
    });
  }

  /** Refuses options nobody asked about (a typo must not be ignored silently). */
  rejectUnknown(): void {
    const unknown = [...this.values.keys()].filter((k) => !this.read.has(k));
    if (unknown.length) throw new AppError('INVALID_INPUT', `Unknown option(s): ${unknown.map((k) => `--${k}`).join(', ')}`);
  }
}
