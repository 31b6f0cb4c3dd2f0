/** Per-project settings: JSON values by key. */
import type Database from 'better-sqlite3';
import { stmt } from './statements';
import { requireJson, requireText } from './validate';

/** The stored value, or undefined when the key was never set. */
export function getSetting(db: Database.Database, key: string): unknown {
  const row = stmt(db, 'SELECT value FROM project_settings WHERE key = ?').get(requireText(key, 'setting key')) as
    | { value: string }
    | undefined;
  return row === undefined ? undefined : JSON.parse(row.value);
}

/** Stores any JSON value; undefined removes the key. */
export function setSetting(db: Database.Database, key: string, value: unknown): void {
  requireText(key, 'setting key');
  if (value === undefined) {
    stmt(db, 'DELETE FROM project_settings WHERE key = ?').run(key);
    return;
  }
  stmt(db, 'INSERT INTO project_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    requireJson(value, `setting ${JSON.stringify(key)}`),
  );
}
