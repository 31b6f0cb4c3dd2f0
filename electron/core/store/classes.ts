/** Label classes: the names, colours and order that annotations refer to. */
import type Database from 'better-sqlite3';
import { AppError } from '../errors';
import { stmt } from './statements';
import type { LabelClass, LabelClassPatch, NewLabelClass } from './types';
import { requireColor, requireId, requireText, show } from './validate';

const CLASS_COLUMNS = 'id, name, color, has_instances, sort_order';

interface ClassRow {
  id: number;
  name: string;
  color: string;
  has_instances: number;
  sort_order: number;
}

function toClass(r: ClassRow): LabelClass {
  return { id: r.id, name: r.name, color: r.color, hasInstances: r.has_instances === 1, sortOrder: r.sort_order };
}

export function addClass(db: Database.Database, input: NewLabelClass): LabelClass {
  const name = requireText(input?.name, 'class name').trim();
  const color = requireColor(input.color, `colour of class ${show(name)}`);
  const hasInstances = optionalBool(input.hasInstances, 'hasInstances') ?? true;
  refuseDuplicateName(db, name, null);
  const sortOrder =
    input.sortOrder === undefined
      ? (stmt(db, 'SELECT coalesce(max(sort_order) + 1, 0) AS next FROM label_classes').get() as { next: number }).next
      : requireWhole(input.sortOrder, 'sortOrder');
  const info = stmt(db, 'INSERT INTO label_classes (name, color, has_instances, sort_order) VALUES (?, ?, ?, ?)').run(
    name,
    color,
    hasInstances ? 1 : 0,
    sortOrder,
  );
  return getClass(db, Number(info.lastInsertRowid));
}

export function updateClass(db: Database.Database, id: number, patch: LabelClassPatch): LabelClass {
  const current = getClass(db, id);
  const name = patch.name === undefined ? current.name : requireText(patch.name, 'class name').trim();
  if (name.toLowerCase() !== current.name.toLowerCase()) refuseDuplicateName(db, name, id);
  const color = patch.color === undefined ? current.color : requireColor(patch.color, `colour of class ${show(name)}`);
  const hasInstances = optionalBool(patch.hasInstances, 'hasInstances') ?? current.hasInstances;
  const sortOrder = patch.sortOrder === undefined ? current.sortOrder : requireWhole(patch.sortOrder, 'sortOrder');
  stmt(db, 'UPDATE label_classes SET name = ?, color = ?, has_instances = ?, sort_order = ? WHERE id = ?').run(
    name,
    color,
    hasInstances ? 1 : 0,
    sortOrder,
    id,
  );
  return getClass(db, id);
}

/** Removes a class that no annotation uses; otherwise says how many do. */
export function removeClass(db: Database.Database, id: number): void {
  const cls = getClass(db, id);
  const used = (stmt(db, 'SELECT count(*) AS n FROM annotations WHERE class_id = ?').get(id) as { n: number }).n;
  if (used > 0) {
    throw new AppError(
      'INVALID_INPUT',
      `Class ${show(cls.name)} is used by ${used} annotation${used === 1 ? '' : 's'}; change or delete them before removing the class`,
      { classId: id, annotations: used },
    );
  }
  stmt(db, 'DELETE FROM label_classes WHERE id = ?').run(id);
}

export function getClass(db: Database.Database, id: number): LabelClass {
  const row = stmt(db, `SELECT ${CLASS_COLUMNS} FROM label_classes WHERE id = ?`).get(requireId(id, 'class id')) as ClassRow | undefined;
  if (!row) throw new AppError('NOT_FOUND', `Label class ${id} does not exist in this project`, { classId: id });
  return toClass(row);
}

export function listClasses(db: Database.Database): LabelClass[] {
  return (stmt(db, `SELECT ${CLASS_COLUMNS} FROM label_classes ORDER BY sort_order, id`).all() as ClassRow[]).map(toClass);
}

function refuseDuplicateName(db: Database.Database, name: string, exceptId: number | null): void {
  const row = stmt(db, 'SELECT id, name FROM label_classes WHERE name = ? COLLATE NOCASE AND id IS NOT ?').get(name, exceptId) as
    | { id: number; name: string }
    | undefined;
  if (row) throw new AppError('INVALID_INPUT', `A class named ${show(row.name)} already exists (class ${row.id})`, { classId: row.id });
}

function optionalBool(value: unknown, what: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new AppError('INVALID_INPUT', `${what} must be true or false, got ${show(value)}`);
}

function requireWhole(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value)) throw new AppError('INVALID_INPUT', `${what} must be a whole number, got ${show(value)}`);
  return value as number;
}
