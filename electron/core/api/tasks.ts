/**
 * Background tasks of a session (exports, DFF runs): each gets an id at once, reports `task.progress`
 * while it runs and exactly one `task.finished` at the end, and can be cancelled through its AbortSignal.
 */
import crypto from 'node:crypto';
import type { DffResult, EventPayload, ExportResult, TaskKind } from '../../common/api';
import type { ActionSuggestResult } from '../../common/action-schemas';
import { AppError, toErrorInfo } from '../errors';

export interface TaskProgress {
  phase: string;
  done: number;
  total: number;
  fps?: number;
  etaS?: number | null;
}

interface TaskResults {
  export: ExportResult;
  dff: DffResult;
  actions: ActionSuggestResult;
}

export interface TaskEvents {
  progress(payload: EventPayload<'task.progress'>): void;
  finished(payload: EventPayload<'task.finished'>): void;
}

interface Running {
  kind: TaskKind;
  controller: AbortController;
  done: Promise<void>;
}

export class TaskRunner {
  private readonly running = new Map<string, Running>();

  constructor(private readonly events: TaskEvents) {}

  /**
   * Returns the task id at once and starts `work` on the next turn; `work` reports progress and must honour the signal.
   * `cleanup` runs once the task has finished, whether `work` ran or not (cancelled before it started): e.g. to let
   * go of a model loaded before the task.
   */
  start<K extends TaskKind>(
    kind: K,
    label: string,
    work: (report: (p: TaskProgress) => void, signal: AbortSignal) => Promise<TaskResults[K]>,
    cleanup?: () => Promise<void>,
  ): string {
    const taskId = `${kind}-${crypto.randomUUID().slice(0, 8)}`;
    const controller = new AbortController();
    const report = (p: TaskProgress) => {
      if (this.running.has(taskId)) this.events.progress({ taskId, kind, label, ...p });
    };
    const done = (async () => {
      // Start on a later turn, so the caller's reply (the task id) goes out before any event of the task.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        if (controller.signal.aborted) throw new AppError('CANCELLED', `${label} was cancelled before it started`);
        const result = await work(report, controller.signal);
        this.running.delete(taskId);
        this.events.finished({ taskId, kind, ok: true, result } as EventPayload<'task.finished'>);
      } catch (err) {
        this.running.delete(taskId);
        let error = toErrorInfo(err);
        // Whatever the work threw after a cancel (e.g. the project closed under it), the user asked to stop.
        if (controller.signal.aborted && error.code !== 'CANCELLED') {
          error = { code: 'CANCELLED', message: `${label} was cancelled (${error.message})` };
        }
        this.events.finished({ taskId, kind, ok: false, error });
      }
      await cleanup?.().catch(() => undefined);
    })();
    this.running.set(taskId, { kind, controller, done });
    return taskId;
  }

  /** Asks a running task to stop; it still ends with `task.finished` (CANCELLED). */
  cancel(taskId: string): void {
    const task = this.running.get(taskId);
    if (!task) throw new AppError('NOT_FOUND', `no task '${taskId}' is running (it may have finished already)`, { taskId });
    task.controller.abort();
  }

  /** Cancels every running task and waits until each has finished. */
  async cancelAll(): Promise<void> {
    const tasks = [...this.running.values()];
    for (const t of tasks) t.controller.abort();
    await Promise.all(tasks.map((t) => t.done));
  }

  get size(): number {
    return this.running.size;
  }
}
