/**
 * What an export is: format, destination, frame selection and format options. Specs are kept in the
 * project's settings (the last one, and named presets) so the same export can be made again.
 */
import { ExportSpecSchema, type ExportSpec, type ExportSpecInput } from '../../common/export-schemas';
import { AppError } from '../errors';
import type { ProjectStore } from '../store';

export {
  CityscapesSpecSchema,
  CocoSpecSchema,
  ExportSpecSchema,
  type CityscapesSpec,
  type CocoSpec,
  type ExportSpec,
  type ExportSpecInput,
} from '../../common/export-schemas';

/** Validates an export spec, naming the first field that is wrong. */
export function checkExportSpec(input: unknown): ExportSpec {
  const parsed = ExportSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('INVALID_INPUT', `Export settings: ${issue.path.join('.') || 'value'}: ${issue.message}`, {
      path: issue.path.map(String),
    });
  }
  return parsed.data;
}

const LAST_KEY = 'export.last';
const PRESETS_KEY = 'export.presets';

export function saveLastExport(store: ProjectStore, spec: ExportSpec): void {
  store.setSetting(LAST_KEY, spec);
}

export function lastExport(store: ProjectStore): ExportSpec | null {
  const value = store.getSetting(LAST_KEY);
  return value === undefined ? null : checkExportSpec(value);
}

export function listExportPresets(store: ProjectStore): Record<string, ExportSpec> {
  const all = (store.getSetting(PRESETS_KEY) ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, checkExportSpec(v)]));
}

export function saveExportPreset(store: ProjectStore, presetName: string, spec: ExportSpecInput): ExportSpec {
  if (typeof presetName !== 'string' || !presetName.trim()) throw new AppError('INVALID_INPUT', 'An export preset needs a name');
  const checked = checkExportSpec(spec);
  const all = (store.getSetting(PRESETS_KEY) ?? {}) as Record<string, unknown>;
  store.setSetting(PRESETS_KEY, { ...all, [presetName.trim()]: checked });
  return checked;
}

export function getExportPreset(store: ProjectStore, presetName: string): ExportSpec {
  const all = listExportPresets(store);
  const spec = all[presetName];
  if (!spec) {
    const names = Object.keys(all);
    throw new AppError(
      'NOT_FOUND',
      `No export preset named "${presetName}" in this project${names.length ? ` (there are: ${names.join(', ')})` : ''}`,
    );
  }
  return spec;
}
