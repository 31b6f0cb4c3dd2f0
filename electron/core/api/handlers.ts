/**
 * The handler table (call name → async function(input, session)) and `dispatch`, the one entry point both
 * hosts use: it validates the input against the contract, runs the handler, checks the output, and turns
 * every failure into the `{ok:false, error}` envelope.
 */
import path from 'node:path';
import type { z } from 'zod';
import { calls, isCallName, type CallName, type CallOutput, type CallParsedInput, type Result } from '../../common/api';
import { AppError, toErrorInfo } from '../errors';
import {
  cityscapesLabels,
  cityscapesMappingGet,
  cityscapesMappingSet,
  exportLastSpec,
  exportPresetGet,
  exportPresetList,
  exportPresetSave,
  exportRun,
  exportSummary,
  importCocoCall,
} from '../export/api-calls';
import { actionHandlers } from '../actions/api-calls';
import { dffResume, dffStart, inspectPack, frameAnnotations, frameStates } from './dff';
import { editHandlers } from '../edits/api-calls';
import { featureCacheAt } from '../dff/feature-cache';
import { visualiseFrame } from '../dff/visualise';
import type { Session } from './session';

type Handler<N extends CallName> = (input: CallParsedInput<N>, session: Session) => Promise<CallOutput<N>>;

export const handlers: { [N in CallName]: Handler<N> } = {
  'app.info': async (_, s) => s.appInfo(),
  'settings.get': async (_, s) => s.context.getSettings(),
  'settings.set': async (input, s) => s.context.setSettings(input),
  'project.create': async ({ path }, s) => s.openProject(path, { create: true }),
  'project.open': async ({ path }, s) => s.openProject(path),
  'project.close': async (_, s) => {
    s.closeProject();
    return null;
  },
  'project.current': async (_, s) => s.projectInfo(),
  'project.recent': async (_, s) => s.context.recent.list(),
  'video.add': async ({ path }, s) => s.addVideo(path),
  'video.list': async (_, s) => s.listVideos(),
  'video.remove': async ({ videoId }, s) => {
    await s.removeVideo(videoId);
    return null;
  },
  'frame.info': async ({ videoId, index }, s) => s.frameInfo(videoId, index),
  'video.thumbnails': async ({ videoId, count, width }, s) => s.thumbnails(videoId, count, width ?? 160),
  'demo.open': async (_, s) => s.openDemo(),
  'class.list': async (_, s) => s.store.listClasses().map(({ id, name, color, hasInstances }) => ({ id, name, color, hasInstances })),
  'export.summary': async (input, s) => exportSummary(s.store, input),
  'export.start': async ({ spec }, s) => {
    const store = s.store; // the project open now, even if another one is opened while this runs
    const label = `Exporting ${spec.format === 'coco' ? 'COCO' : 'Cityscapes'} to ${spec.name}`;
    const taskId = s.tasks.start('export', label, (report, signal) => exportRun(store, { spec }, { onProgress: report, signal, tools: s.context.toolPaths() }));
    return { taskId };
  },
  'export.cancel': async ({ taskId }, s) => {
    s.tasks.cancel(taskId);
    return null;
  },
  'export.lastSpec': async (_, s) => exportLastSpec(s.store),
  'export.presetSave': async (input, s) => exportPresetSave(s.store, input),
  'export.presetList': async (_, s) => exportPresetList(s.store),
  'export.presetGet': async (input, s) => exportPresetGet(s.store, input),
  'export.cityscapesLabels': async () => [...cityscapesLabels()],
  'export.cityscapesMapping': async (_, s) => cityscapesMappingGet(s.store),
  'export.cityscapesMappingSet': async (input, s) => cityscapesMappingSet(s.store, input),
  'import.coco': async (input, s) => importCocoCall(s.store, input),
  'dff.start': async (input, s) => dffStart(s.store, s.tasks, input, s.context.dffThreads()),
  'pack.inspect': async ({ dir }) => inspectPack(dir),
  'dff.resume': async ({ runId }, s) => dffResume(s.store, s.tasks, runId),
  'dff.cancel': async ({ taskId }, s) => {
    s.tasks.cancel(taskId);
    return null;
  },
  'frame.annotations': async ({ videoId, index }, s) => frameAnnotations(s.store, videoId, index),
  'video.frameStates': async ({ videoId }, s) => frameStates(s.store, videoId),
  'dialog.open': async ({ kind }, s) => {
    if (!s.host.openDialog) {
      throw new AppError('INVALID_INPUT', `dialog.open: this ${s.host.kind} host has no native dialogs; type the path instead`);
    }
    return { path: await s.host.openDialog(kind) };
  },
  ...editHandlers,
  ...actionHandlers,
  'dff.visualise': async (input, s) =>
    visualiseFrame(s.store, input, { tools: s.context.toolPaths(), cache: featureCacheAt(path.join(s.context.home, 'cache', 'features')) }),
};

/** `field.sub: message` for each problem, so the user sees which value is wrong. */
export function describeIssues(name: string, error: z.ZodError): string {
  const parts = error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`);
  return `${name}: invalid input — ${parts.join('; ')}`;
}

/** Runs one call for a session. Never throws: every outcome is an envelope. */
export async function dispatch(session: Session, name: string, rawInput: unknown): Promise<Result<unknown>> {
  try {
    if (!isCallName(name)) throw new AppError('INVALID_INPUT', `unknown call '${name}'`, { name });
    const contract = calls[name];
    const parsed = contract.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => i.path.join('.'));
      throw new AppError('INVALID_INPUT', describeIssues(name, parsed.error), { call: name, fields });
    }
    const handler = handlers[name] as Handler<CallName>;
    const value = await handler(parsed.data as never, session);
    const checked = contract.output.safeParse(value);
    if (!checked.success) throw new AppError('INTERNAL', `${name} returned a malformed result: ${describeIssues(name, checked.error)}`);
    return { ok: true, value: checked.data };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}
