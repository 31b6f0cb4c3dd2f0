import { useCallback, useEffect, useRef, useState } from 'react';
import type { DffResult, DffStartOptions, EventPayload } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';
import { client, errorInfoOf } from '../api/client';

export type DffTaskState =
  | { status: 'idle' }
  | { status: 'running'; taskId: string; runId: number; progress: EventPayload<'task.progress'> | null; cancelling: boolean }
  | { status: 'done'; result: DffResult }
  | { status: 'failed'; error: ErrorInfo; runId: number | null };

/**
 * One DFF run at a time for the window, like the export task: start, follow its events, cancel, resume.
 * `revision` goes up on every progress and at the end, so views of the results know to fetch again.
 */
export function useDffTask() {
  const [state, setState] = useState<DffTaskState>({ status: 'idle' });
  const [revision, setRevision] = useState(0);
  const taskId = useRef<string | null>(null);

  useEffect(() => {
    const offProgress = client.on('task.progress', (p) => {
      if (p.taskId !== taskId.current) return;
      setState((s) => (s.status === 'running' ? { ...s, progress: p } : s));
      setRevision((r) => r + 1);
    });
    const offFinished = client.on('task.finished', (f) => {
      if (f.taskId !== taskId.current) return;
      taskId.current = null;
      setRevision((r) => r + 1);
      setState((s) => {
        if (s.status !== 'running') return s;
        if (!f.ok) return { status: 'failed', error: f.error, runId: s.runId };
        return f.kind === 'dff' ? { status: 'done', result: f.result } : s;
      });
    });
    return () => {
      offProgress();
      offFinished();
    };
  }, []);

  const follow = useCallback(async (begin: () => Promise<{ taskId: string; runId: number }>) => {
    try {
      const started = await begin();
      taskId.current = started.taskId;
      setState({ status: 'running', taskId: started.taskId, runId: started.runId, progress: null, cancelling: false });
    } catch (err) {
      setState({ status: 'failed', error: errorInfoOf(err), runId: null });
    }
  }, []);

  const start = useCallback((options: DffStartOptions) => follow(() => client.call('dff.start', options)), [follow]);
  const resume = useCallback((runId: number) => follow(() => client.call('dff.resume', { runId })), [follow]);

  const cancel = useCallback(async () => {
    const id = taskId.current;
    if (!id) return;
    setState((s) => (s.status === 'running' ? { ...s, cancelling: true } : s));
    // NOT_FOUND here means it finished meanwhile: task.finished tells the outcome.
    await client.call('dff.cancel', { taskId: id }).catch(() => undefined);
  }, []);

  const reset = useCallback(() => setState((s) => (s.status === 'running' ? s : { status: 'idle' })), []);

  return { state, revision, start, resume, cancel, reset };
}

export type DffTask = ReturnType<typeof useDffTask>;
