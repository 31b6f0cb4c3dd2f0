/**
 * Reading a COCO file (a dataset with images/categories/annotations, or a results array) into checked
 * records. Every problem found is collected with where it is (the array and index, the id), so one
 * run tells the user everything that is wrong, not just the first thing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors';

export interface Problems {
  list: string[];
  add(where: string, what: string): void;
}

export function problems(): Problems {
  const list: string[] = [];
  return { list, add: (where, what) => list.push(`${where}: ${what}`) };
}

/** Throws one INVALID_INPUT naming the file and its first problems (all of them in details). */
export function throwProblems(file: string, p: Problems): void {
  if (!p.list.length) return;
  const shown = p.list.slice(0, 10).join('; ');
  const more = p.list.length > 10 ? `; and ${p.list.length - 10} more` : '';
  throw new AppError('INVALID_INPUT', `${file} cannot be imported (${p.list.length} problem(s)): ${shown}${more}. Nothing was imported.`, {
    file,
    problems: p.list,
  });
}

export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new AppError('NOT_FOUND', `${file} does not exist`, { file });
    throw new AppError('UNREADABLE', `Cannot read ${file}: ${e.message}`, { file });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('INVALID_INPUT', `${file} is not valid JSON: ${(err as Error).message}`, { file });
  }
}

export interface CocoImageRecord {
  id: number;
  fileName: string | null;
  width: number;
  height: number;
  videoId: number | null;
  frameIndex: number | null;
  where: string;
}

export interface CocoCategoryRecord {
  id: number;
  name: string;
}

export type CocoSegmentation = { kind: 'rle'; size: unknown; counts: unknown } | { kind: 'polygon'; rings: number[][] };

export interface CocoAnnotationRecord {
  id: number | null;
  imageId: number;
  categoryId: number;
  bbox: [number, number, number, number] | null;
  segmentation: CocoSegmentation | null;
  score: number | null;
  trackId: number | null;
  where: string;
}

export interface CocoDataset {
  images: CocoImageRecord[];
  categories: CocoCategoryRecord[];
  annotations: CocoAnnotationRecord[];
  videos: Array<{ id: number; name: string }>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => Number.isSafeInteger(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function arrayField(root: Record<string, unknown>, key: string, p: Problems, required: boolean): unknown[] {
  const v = root[key];
  if (v === undefined && !required) return [];
  if (!Array.isArray(v)) {
    p.add(key, v === undefined ? 'missing (a COCO dataset needs images, annotations and categories arrays)' : 'must be an array');
    return [];
  }
  return v;
}

function noDuplicates<T extends { where: string }>(items: T[], idOf: (t: T) => number | null, what: string, p: Problems): void {
  const seen = new Map<number, string>();
  for (const item of items) {
    const id = idOf(item);
    if (id === null) continue;
    const first = seen.get(id);
    if (first) p.add(item.where, `duplicate ${what} id ${id} (also ${first})`);
    else seen.set(id, item.where);
  }
}

export function parseDataset(root: unknown, p: Problems, options: { annotations: boolean }): CocoDataset {
  if (!isObject(root)) {
    p.add('top level', 'a COCO dataset is an object with images, annotations and categories (a results file is an array)');
    return { images: [], categories: [], annotations: [], videos: [] };
  }
  const images: CocoImageRecord[] = [];
  arrayField(root, 'images', p, true).forEach((im, i) => {
    const where = `images[${i}]`;
    if (!isObject(im)) return p.add(where, 'must be an object');
    const ok = [
      isId(im.id) || (p.add(where, `id must be a whole number, got ${JSON.stringify(im.id)}`), false),
      isCount(im.width) && (im.width as number) > 0 || (p.add(where, `width must be a positive whole number`), false),
      isCount(im.height) && (im.height as number) > 0 || (p.add(where, `height must be a positive whole number`), false),
    ].every(Boolean);
    const frame = im.frame_id ?? im.frame_index;
    if (frame !== undefined && !isCount(frame)) p.add(where, `frame_id must be a whole number from 0, got ${JSON.stringify(frame)}`);
    if (im.file_name !== undefined && typeof im.file_name !== 'string') p.add(where, 'file_name must be a string');
    if (!ok) return;
    images.push({
      id: im.id as number,
      fileName: typeof im.file_name === 'string' ? im.file_name : null,
      width: im.width as number,
      height: im.height as number,
      videoId: isId(im.video_id) ? im.video_id : null,
      frameIndex: isCount(frame) ? frame : null,
      where: `${where} (id ${im.id})`,
    });
  });
  noDuplicates(images, (im) => im.id, 'image', p);

  const categories: CocoCategoryRecord[] = [];
  const catWhere: Array<{ where: string; id: number }> = [];
  arrayField(root, 'categories', p, true).forEach((c, i) => {
    const where = `categories[${i}]`;
    if (!isObject(c)) return p.add(where, 'must be an object');
    if (!isId(c.id)) return p.add(where, `id must be a whole number, got ${JSON.stringify(c.id)}`);
    if (typeof c.name !== 'string' || !c.name.trim()) return p.add(where, 'name must be a non-empty string');
    categories.push({ id: c.id, name: c.name.trim() });
    catWhere.push({ where: `${where} ("${c.name}")`, id: c.id });
  });
  noDuplicates(catWhere, (c) => c.id, 'category', p);

  const videos: Array<{ id: number; name: string }> = [];
  arrayField(root, 'videos', p, false).forEach((v) => {
    if (isObject(v) && isId(v.id)) videos.push({ id: v.id, name: typeof v.name === 'string' ? v.name : String(v.id) });
  });

  const annotations = options.annotations ? parseAnnotations(arrayField(root, 'annotations', p, true), 'annotations', p, false) : [];
  return { images, categories, annotations, videos };
}

/** A results file: an array of {image_id, category_id, bbox, score, segmentation?}. */
export function parseResults(root: unknown, p: Problems): CocoAnnotationRecord[] {
  if (!Array.isArray(root)) {
    p.add('top level', 'a COCO results file is an array of detections');
    return [];
  }
  return parseAnnotations(root, 'results', p, true);
}

function parseAnnotations(items: unknown[], name: string, p: Problems, isResults: boolean): CocoAnnotationRecord[] {
  const out: CocoAnnotationRecord[] = [];
  items.forEach((a, i) => {
    let where = `${name}[${i}]`;
    if (!isObject(a)) return p.add(where, 'must be an object');
    if (!isResults) {
      if (!isId(a.id)) return p.add(where, `id must be a whole number, got ${JSON.stringify(a.id)}`);
      where += ` (id ${a.id})`;
    }
    const before = p.list.length;
    if (!isId(a.image_id)) p.add(where, `image_id must be a whole number, got ${JSON.stringify(a.image_id)}`);
    if (!isId(a.category_id)) p.add(where, `category_id must be a whole number, got ${JSON.stringify(a.category_id)}`);
    let bbox: CocoAnnotationRecord['bbox'] = null;
    if (a.bbox !== undefined) {
      const b = a.bbox;
      if (!Array.isArray(b) || b.length !== 4 || !b.every(isNum)) p.add(where, `bbox must be [x, y, width, height], got ${JSON.stringify(b)}`);
      else if (b[2] < 0 || b[3] < 0) p.add(where, `bbox ${JSON.stringify(b)} has a negative width or height`);
      else bbox = [b[0], b[1], b[2], b[3]];
    }
    const segmentation = parseSegmentation(a.segmentation, where, p);
    if (bbox === null && segmentation === null && a.bbox === undefined) p.add(where, 'has neither a bbox nor a segmentation');
    let score: number | null = null;
    if (a.score !== undefined && a.score !== null) {
      if (!isNum(a.score)) p.add(where, `score must be a number, got ${JSON.stringify(a.score)}`);
      else score = a.score;
    } else if (isResults) p.add(where, 'a result needs a score');
    const track = a.track_id ?? a.instance_id;
    if (track !== undefined && track !== null && !isCount(track)) p.add(where, `track_id must be a whole number from 0, got ${JSON.stringify(track)}`);
    if (p.list.length > before) return;
    out.push({
      id: isResults ? null : (a.id as number),
      imageId: a.image_id as number,
      categoryId: a.category_id as number,
      bbox,
      segmentation,
      score,
      trackId: isCount(track) ? track : null,
      where,
    });
  });
  if (!isResults) noDuplicates(out, (a) => a.id, 'annotation', p);
  return out;
}

function parseSegmentation(s: unknown, where: string, p: Problems): CocoSegmentation | null {
  if (s === undefined || s === null) return null;
  if (Array.isArray(s)) {
    if (s.length === 0) return null; // box-only, as many COCO files write it
    const rings: number[][] = [];
    for (const [k, ring] of s.entries()) {
      if (!Array.isArray(ring) || !ring.every(isNum)) {
        p.add(where, `segmentation polygon ${k} must be a list of numbers [x0, y0, x1, y1, ...]`);
        return null;
      }
      if (ring.length % 2 !== 0 || ring.length < 6) {
        p.add(where, `segmentation polygon ${k} has ${ring.length} numbers; it needs an even count and at least 3 points`);
        return null;
      }
      rings.push(ring);
    }
    return { kind: 'polygon', rings };
  }
  if (isObject(s) && 'counts' in s) return { kind: 'rle', size: s.size, counts: s.counts };
  p.add(where, 'segmentation must be polygons (a list of lists) or RLE ({size, counts})');
  return null;
}

/** The frame index a file name holds: the last number in its base name ('clip/000123.jpg' → 123). */
export function frameFromFileName(fileName: string): number | null {
  const base = path.basename(fileName.replace(/\\/g, '/'), path.extname(fileName));
  const m = base.match(/(\d+)(?!.*\d)/);
  return m ? Number(m[1]) : null;
}
