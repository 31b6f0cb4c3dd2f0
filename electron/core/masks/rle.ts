/**
 * COCO run-length encoding of binary masks, bit-compatible with pycocotools (maskApi.c).
 *
 * Runs go down the columns (column-major), the first run counts zeros (it is 0 when the top-left pixel
 * is on), and runs alternate 0/1. The compressed string form packs each run into 6-bit characters
 * ('0'..'o', ASCII 48–111): 5 value bits plus a "more" bit, least significant group first, sign-extended
 * from the last group's bit 4; from the fourth run on (index > 2) the run is stored as the difference to
 * the run two before it, which is small for smooth shapes.
 */
import { parseCountsString } from '../../common/rle-string';
import { AppError } from '../errors';

/** [height, width], in COCO's order. */
export type RleSize = [number, number];
/** An RLE with pycocotools' compressed string counts (what COCO json holds for most masks). */
export interface CocoRle {
  size: RleSize;
  counts: string;
}
/** An RLE with plain run lengths (COCO's "uncompressed RLE", used for iscrowd annotations). */
export interface CountsRle {
  size: RleSize;
  counts: number[];
}
export type AnyRle = CocoRle | CountsRle;
/** COCO bbox: [x, y, width, height] in pixels; [0, 0, 0, 0] for an empty mask. */
export type RleBox = [number, number, number, number];

/** Encodes a row-major h×w mask (non-zero = on) into compressed COCO RLE. */
export function encodeMask(mask: ArrayLike<number>, h: number, w: number): CocoRle {
  return { size: [h, w], counts: countsToString(maskRuns(mask, h, w)) };
}

/** Decodes either RLE form into a row-major h×w mask of 0/1 bytes. */
export function decodeMask(rle: AnyRle): Uint8Array {
  const { size, counts } = toCountsRle(rle);
  const [h, w] = size;
  const mask = new Uint8Array(h * w);
  let pos = 0; // column-major position
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i];
    if (i % 2 === 1 && run > 0) {
      let x = Math.floor(pos / h);
      let y = pos - x * h;
      for (let k = 0; k < run; k++) {
        mask[y * w + x] = 1;
        if (++y === h) {
          y = 0;
          x++;
        }
      }
    }
    pos += run;
  }
  return mask;
}

/** Number of pixels that are on. */
export function maskArea(rle: AnyRle): number {
  const { counts } = toCountsRle(rle);
  let area = 0;
  for (let i = 1; i < counts.length; i += 2) area += counts[i];
  return area;
}

/** The tight bounding box of the on pixels, as pycocotools' rleToBbox computes it. */
export function maskToBox(rle: AnyRle): RleBox {
  const { size, counts } = toCountsRle(rle);
  const h = size[0];
  let xs = Infinity;
  let ys = Infinity;
  let xe = -1;
  let ye = -1;
  let pos = 0;
  for (let i = 0; i + 1 < counts.length; i += 2) {
    const start = pos + counts[i];
    const end = start + counts[i + 1] - 1; // last on pixel of this run
    pos = end + 1;
    if (counts[i + 1] === 0) continue;
    const x0 = Math.floor(start / h);
    const x1 = Math.floor(end / h);
    xs = Math.min(xs, x0);
    xe = Math.max(xe, x1);
    if (x1 > x0) {
      // A run that wraps into the next column covers the bottom row of one and the top row of the other.
      ys = 0;
      ye = h - 1;
    } else {
      ys = Math.min(ys, start - x0 * h);
      ye = Math.max(ye, end - x1 * h);
    }
  }
  if (xe < 0) return [0, 0, 0, 0];
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}

/** The compressed form of either RLE (validated). */
export function toCocoRle(rle: AnyRle): CocoRle {
  if (typeof rle.counts === 'string') {
    toCountsRle(rle); // validates
    return { size: [rle.size[0], rle.size[1]], counts: rle.counts };
  }
  const checked = toCountsRle(rle);
  return { size: checked.size, counts: countsToString(checked.counts) };
}

/** The plain-runs form of either RLE, checked: runs are non-negative integers that add up to h×w. */
export function toCountsRle(rle: AnyRle): CountsRle {
  const size = checkSize(rle?.size);
  const counts = typeof rle.counts === 'string' ? countsFromString(rle.counts) : checkCounts(rle.counts);
  let total = 0;
  for (const c of counts) total += c;
  if (total !== size[0] * size[1]) {
    throw new AppError(
      'INVALID_INPUT',
      `mask RLE runs add up to ${total} pixels but its size ${size[0]}×${size[1]} has ${size[0] * size[1]}`,
    );
  }
  return { size, counts };
}

/** Column-major runs of a row-major mask, starting with a (possibly empty) run of zeros. */
export function maskRuns(mask: ArrayLike<number>, h: number, w: number): number[] {
  checkSize([h, w]);
  if (mask.length !== h * w) {
    throw new AppError('INVALID_INPUT', `mask has ${mask.length} values but ${h}×${w} needs ${h * w}`);
  }
  const counts: number[] = [];
  let on = false;
  let run = 0;
  for (let x = 0; x < w; x++) {
    for (let i = x; i < h * w; i += w) {
      if ((mask[i] !== 0) !== on) {
        counts.push(run);
        run = 0;
        on = !on;
      }
      run++;
    }
  }
  counts.push(run);
  return counts;
}

/** pycocotools' rleToString. */
export function countsToString(counts: readonly number[]): string {
  const chars: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    let x = i > 2 ? counts[i] - counts[i - 2] : counts[i];
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x = Math.floor(x / 32); // arithmetic shift, also for negative deltas
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      chars.push(c + 48);
    }
  }
  return new TextDecoder('ascii').decode(Uint8Array.from(chars));
}

/** pycocotools' rleFrString, strict: a character outside '0'..'o' or a string cut mid-number is an error. */
export function countsFromString(s: string): number[] {
  if (typeof s !== 'string') throw new AppError('INVALID_INPUT', 'mask RLE counts must be a string or an array');
  const counts = parseCountsString(s);
  if (!Array.isArray(counts)) throw new AppError('INVALID_INPUT', counts.error);
  return counts;
}

function checkSize(size: unknown): RleSize {
  if (
    !Array.isArray(size) ||
    size.length !== 2 ||
    !size.every((v) => Number.isSafeInteger(v) && v >= 0)
  ) {
    throw new AppError('INVALID_INPUT', `mask RLE size must be [height, width] in whole pixels, got ${JSON.stringify(size)}`);
  }
  return [size[0], size[1]];
}

function checkCounts(counts: unknown): number[] {
  if (!Array.isArray(counts) || !counts.every((v) => Number.isSafeInteger(v) && v >= 0)) {
    throw new AppError('INVALID_INPUT', 'mask RLE counts must be a string or an array of non-negative whole numbers');
  }
  return counts.slice();
}

