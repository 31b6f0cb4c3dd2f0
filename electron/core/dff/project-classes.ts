/** The pack's classes as the project's label classes: matched by name (any case), added when missing. */
import type { ProjectStore } from '../store';
import type { PackClass } from './types';

/** Project class id for each pack class id (index = pack id; 0, background, unused). */
export function projectClassesFor(store: ProjectStore, classes: PackClass[], hasInstances: boolean): number[] {
  const byName = new Map(store.listClasses().map((c) => [c.name.toLowerCase(), c.id]));
  const ids: number[] = [0];
  for (const c of classes) {
    let id = byName.get(c.name.toLowerCase());
    if (id === undefined) {
      const color = `#${c.color.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
      id = store.addClass({ name: c.name, color, hasInstances }).id;
    }
    ids[c.id] = id;
  }
  return ids;
}
