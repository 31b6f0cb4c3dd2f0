/**
 * The export/import calls for the typed API, as plain functions of (store, input). Inputs are
 * validated with the zod schemas of common/export-schemas.ts, which the API contract shares.
 * Long calls take { onProgress, signal } for progress events and cancel.
 */
import { z } from 'zod';
import {
  CityscapesMappingSetInput,
  ExportRunInput,
  ExportSummaryInput,
  PresetGetInput,
  PresetSaveInput,
} from '../../common/export-schemas';
import { AppError } from '../errors';
import { importCoco, ImportSchema, type ImportResult } from '../import/coco-import';
import type { ProjectStore } from '../store';
import { CITYSCAPES_LABELS, type CityscapesLabel } from './cityscapes-labels';
import { cityscapesMapping, setCityscapesMapping, type CityscapesMapping } from './cityscapes-map';
import type { ExportResult } from './export-context';
import { getExportPreset, lastExport, listExportPresets, saveExportPreset, type ExportSpec } from './export-spec';
import { runExport, type RunExportOptions } from './run-export';
import { summarizeSelection, type SelectionSummary } from './selection';

function parse<T extends z.ZodType>(schema: T, input: unknown, call: string): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new AppError('INVALID_INPUT', `${call}: ${issue.path.join('.') || 'input'}: ${issue.message}`);
  }
  return r.data;
}

/** 'export.summary': frames per state and split, objects per class, before exporting. */
export function exportSummary(store: ProjectStore, input: z.input<typeof ExportSummaryInput>): SelectionSummary {
  return summarizeSelection(store, parse(ExportSummaryInput, input, 'export.summary').selection);
}

/** 'export.run': writes the export; progress as frames done / total; the signal cancels (nothing is kept). */
export async function exportRun(
  store: ProjectStore,
  input: z.input<typeof ExportRunInput>,
  options: Pick<RunExportOptions, 'onProgress' | 'signal' | 'tools'> = {},
): Promise<ExportResult> {
  const { spec } = parse(ExportRunInput, input, 'export.run');
  return runExport(store, spec, options satisfies RunExportOptions);
}

/** 'export.lastSpec': the settings of the last export made from this project, to make it again. */
export function exportLastSpec(store: ProjectStore): ExportSpec | null {
  return lastExport(store);
}

export function exportPresetSave(store: ProjectStore, input: z.input<typeof PresetSaveInput>): ExportSpec {
  const { name, spec } = parse(PresetSaveInput, input, 'export.presetSave');
  return saveExportPreset(store, name, spec);
}
export function exportPresetList(store: ProjectStore): Record<string, ExportSpec> {
  return listExportPresets(store);
}
export function exportPresetGet(store: ProjectStore, input: z.input<typeof PresetGetInput>): ExportSpec {
  return getExportPreset(store, parse(PresetGetInput, input, 'export.presetGet').name);
}

/** 'export.cityscapesLabels': the built-in official table. */
export function cityscapesLabels(): readonly CityscapesLabel[] {
  return CITYSCAPES_LABELS;
}
/** 'export.cityscapesMapping': which Cityscapes id each project class gets. */
export function cityscapesMappingGet(store: ProjectStore): CityscapesMapping[] {
  return cityscapesMapping(store);
}
export function cityscapesMappingSet(store: ProjectStore, input: z.input<typeof CityscapesMappingSetInput>): CityscapesMapping[] {
  return setCityscapesMapping(store, parse(CityscapesMappingSetInput, input, 'export.cityscapesMappingSet').entries);
}

export { CityscapesMappingSetInput, ExportRunInput, ExportSummaryInput, PresetGetInput, PresetSaveInput };
export { ImportSchema as ImportCocoInput };
/** 'import.coco': COCO dataset or results as pre-labels on one video (see import/coco-import.ts). */
export async function importCocoCall(store: ProjectStore, input: z.input<typeof ImportSchema>): Promise<ImportResult> {
  return importCoco(store, input);
}
