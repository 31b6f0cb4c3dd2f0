import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventPayload, ExportResult, ExportSpecInput } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';
import { client, errorInfoOf } from '../api/client';

export type ExportTaskState =
  | { status: 'idle' }
  | { status: 'running'; taskId: string; spec: ExportSpecInput; progress: EventPayload<'task.progress'> | null; cancelling: boolean }
  | { status: 'done'; spec: ExportSpecInput; result: ExportResult }
  | { status: 'failed'; spec: ExportSpecInput; error: ErrorInfo };

/**
 * One export at a time for the window: start it, follow its task events, cancel it. Kept by the App, so
 * closing and reopening the Export dialog shows the same export.
 */
export function useExportTask() {
  const [state, setState] = useState<ExportTaskState>({ status: 'idle' });
  const taskId = useRef<string | null>(null);

  useEffect(() => {
    const offProgress = client.on('task.progress', (p) => {
      if (p.taskId !== taskId.current) return;
      setState((s) => (s.status === 'running' ? { ...s, progress: p } : s));
    });
    const offFinished = client.on('task.finished', (f) => {
      if (f.taskId !== taskId.current) return;
      taskId.current = null;
      setState((s) => {
        if (s.status !== 'running' || (f.ok && f.kind !== 'export')) return s;
        return f.ok && f.kind === 'export' ? { status: 'done', spec: s.spec, result: f.result } : { status: 'failed', spec: s.spec, error: f.error };
      });
    });
    return () => {
      offProgress();
      offFinished();
    };
  }, []);

  const start = useCallback(async (spec: ExportSpecInput) => {
    try {
      const started = await client.call('export.start', { spec });
      taskId.current = started.taskId;
      setState({ status: 'running', taskId: started.taskId, spec, progress: null, cancelling: false });
    } catch (err) {
      setState({ status: 'failed', spec, error: errorInfoOf(err) });
    }
  }, []);

  const cancel = useCallback(async () => {
    const id = taskId.current;
    if (!id) return;
    setState((s) => (s.status === 'running' ? { ...s, cancelling: true } : s));
    // NOT_FOUND here means it finished meanwhile: task.finished tells the outcome.
    await client.call('export.cancel', { taskId: id }).catch(() => undefined);
  }, []);

  const reset = useCallback(() => setState((s) => (s.status === 'running' ? s : { status: 'idle' })), []);

  return { state, start, cancel, reset };
}
