/**
 * Which Cityscapes label each project class becomes. The user's table is kept in the project's
 * settings; a class missing from it maps by name when its name is a Cityscapes label ('car', 'person').
 */
import { AppError } from '../errors';
import type { ProjectStore } from '../store';
import { CITYSCAPES_PIXEL_LABELS, cityscapesLabelByName, type CityscapesLabel } from './cityscapes-labels';

const MAP_KEY = 'export.cityscapesMap';

export interface CityscapesMapping {
  classId: number;
  className: string;
  /** Cityscapes label id (0–33), or null when the class has none. */
  cityscapesId: number | null;
  /** 'table': the user's table; 'name': the class is named like a Cityscapes label. */
  from: 'table' | 'name' | null;
}

/** The user's table: project class id → Cityscapes id. */
function savedTable(store: ProjectStore): Record<string, number> {
  return (store.getSetting(MAP_KEY) ?? {}) as Record<string, number>;
}

/** The mapping of every project class, as the export will use it. */
export function cityscapesMapping(store: ProjectStore): CityscapesMapping[] {
  const table = savedTable(store);
  return store.listClasses().map((c) => {
    const saved = table[String(c.id)];
    if (saved !== undefined) return { classId: c.id, className: c.name, cityscapesId: saved, from: 'table' };
    const byName = cityscapesLabelByName(c.name);
    return { classId: c.id, className: c.name, cityscapesId: byName?.id ?? null, from: byName ? 'name' : null };
  });
}

/**
 * Sets entries of the user's table (class id → Cityscapes id, or a Cityscapes label name; null removes
 * the entry). Every entry is checked before any is saved.
 */
export function setCityscapesMapping(store: ProjectStore, entries: Record<string, number | string | null>): CityscapesMapping[] {
  const classes = new Map(store.listClasses().map((c) => [c.id, c]));
  const table = { ...savedTable(store) };
  for (const [key, value] of Object.entries(entries)) {
    const classId = Number(key);
    if (!classes.has(classId)) throw new AppError('NOT_FOUND', `Cityscapes table: label class ${key} is not in this project`);
    if (value === null) {
      delete table[key];
      continue;
    }
    table[key] = resolveCityscapesId(value, `Cityscapes table: class "${classes.get(classId)!.name}"`).id;
  }
  store.setSetting(MAP_KEY, table);
  return cityscapesMapping(store);
}

/** A Cityscapes label from its id or name; the error lists what is allowed. */
export function resolveCityscapesId(value: number | string, where: string): CityscapesLabel {
  const label = typeof value === 'number' ? CITYSCAPES_PIXEL_LABELS.get(value) : /^\d+$/.test(value) ? CITYSCAPES_PIXEL_LABELS.get(Number(value)) : cityscapesLabelByName(value);
  if (!label) {
    throw new AppError(
      'INVALID_INPUT',
      `${where}: ${JSON.stringify(value)} is not a Cityscapes label; use an id from 0 to 33 or a name such as "person", "car", "road"`,
    );
  }
  return label;
}

/**
 * The Cityscapes label of each class used, or an error listing every used class that has none.
 * `used` holds the ids of the classes the export will draw.
 */
export function requireCityscapesLabels(store: ProjectStore, used: Iterable<number>): Map<number, CityscapesLabel> {
  const wanted = new Set(used);
  const result = new Map<number, CityscapesLabel>();
  const missing: string[] = [];
  for (const m of cityscapesMapping(store)) {
    if (!wanted.has(m.classId)) continue;
    if (m.cityscapesId === null) missing.push(m.className);
    else result.set(m.classId, CITYSCAPES_PIXEL_LABELS.get(m.cityscapesId)!);
  }
  if (missing.length) {
    throw new AppError(
      'INVALID_INPUT',
      `These classes have no Cityscapes id: ${missing.map((n) => `"${n}"`).join(', ')}. Map them in the Cityscapes table (e.g. to "person", 24) before exporting.`,
      { classes: missing },
    );
  }
  return result;
}
