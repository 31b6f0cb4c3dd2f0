/**
 * Reads the operator-set imports of an ONNX model with a minimal protobuf walk of ModelProto
 * (field 8, opset_import: {1: domain, 2: version}); every other field is skipped by its length.
 */
import { AppError } from '../errors';

export interface OpsetImport {
  domain: string; // '' (or 'ai.onnx') is the default operator set
  version: number;
}

class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly end: number,
    start = 0,
  ) {
    this.pos = start;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) {
      const n = this.varint(); // read first: `this.pos += this.varint()` would add to the old position
      this.pos += n;
    }
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
    if (this.pos > this.end) throw new Error('field runs past the end');
  }
}

export function readOpsetImports(bytes: Uint8Array, file: string): OpsetImport[] {
  try {
    const r = new Reader(bytes, bytes.length);
    const out: OpsetImport[] = [];
    while (r.pos < r.end) {
      const key = r.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (field === 8 && wire === 2) {
        const len = r.varint();
        const sub = new Reader(bytes, r.pos + len, r.pos);
        const entry: OpsetImport = { domain: '', version: 0 };
        while (sub.pos < sub.end) {
          const k = sub.varint();
          if (k === 0x0a) {
            const n = sub.varint();
            entry.domain = new TextDecoder().decode(bytes.subarray(sub.pos, sub.pos + n));
            sub.pos += n;
          } else if (k === 0x10) entry.version = sub.varint();
          else sub.skip(k & 7);
        }
        out.push(entry);
        r.pos += len;
      } else {
        r.skip(wire);
      }
    }
    return out;
  } catch (err) {
    throw new AppError('INVALID_INPUT', `${file} is not a readable ONNX model: ${(err as Error).message}`, { file });
  }
}

/** The default-domain opset version, or an error naming the file when there is none. */
export function defaultOpset(bytes: Uint8Array, file: string): number {
  const entry = readOpsetImports(bytes, file).find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!entry) throw new AppError('INVALID_INPUT', `${file} imports no default ONNX operator set`, { file });
  return entry.version;
}
