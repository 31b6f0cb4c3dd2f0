/** Background tasks: the id comes back before any event, exactly one task.finished, cancel → CANCELLED. */
import { describe, expect, it } from 'vitest';
import type { EventPayload, ExportResult } from '../../electron/common/api';
import { AppError } from '../../electron/core/errors';
import { TaskRunner } from '../../electron/core/api/tasks';

const result: ExportResult = { dest: '/x/out', format: 'coco', frames: 2, framesBySplit: { train: 2, val: 0 }, annotations: 3, files: ['a.json'], warnings: [] };

function runner() {
  const log: Array<{ event: string; payload: EventPayload<'task.progress'> | EventPayload<'task.finished'> }> = [];
  const tasks = new TaskRunner({
    progress: (payload) => log.push({ event: 'progress', payload }),
    finished: (payload) => log.push({ event: 'finished', payload }),
  });
  const finished = (taskId: string) =>
    expect.poll(() => log.find((e) => e.event === 'finished' && e.payload.taskId === taskId)?.payload).toBeTruthy().then(() =>
      log.find((e) => e.event === 'finished' && e.payload.taskId === taskId)!.payload as EventPayload<'task.finished'>);
  return { log, tasks, finished };
}

describe('TaskRunner', () => {
  it('returns the id before the task reports anything, then progress and one finished with the result', async () => {
    const { log, tasks, finished } = runner();
    const id = tasks.start('export', 'Exporting', async (report) => {
      report({ phase: 'labels', done: 1, total: 2 });
      report({ phase: 'labels', done: 2, total: 2 });
      return result;
    });
    expect(log).toEqual([]); // nothing has run yet, even a task that never awaits
    expect(tasks.size).toBe(1);
    const end = await finished(id);
    expect(end).toEqual({ taskId: id, kind: 'export', ok: true, result });
    expect(log.map((e) => e.event)).toEqual(['progress', 'progress', 'finished']);
    expect(log[1].payload).toMatchObject({ taskId: id, kind: 'export', label: 'Exporting', phase: 'labels', done: 2, total: 2 });
    expect(tasks.size).toBe(0);
  });

  it('passes a failure on as the error, unchanged', async () => {
    const { tasks, finished } = runner();
    const id = tasks.start('export', 'Exporting', async () => {
      throw new AppError('ALREADY_EXISTS', '/x/out already exists');
    });
    expect(await finished(id)).toEqual({ taskId: id, kind: 'export', ok: false, error: { code: 'ALREADY_EXISTS', message: '/x/out already exists' } });
  });

  it('cancels through the signal; any error after a cancel reads CANCELLED; unknown ids are NOT_FOUND', async () => {
    const { tasks, finished } = runner();
    const id = tasks.start('export', 'Exporting', (_report, signal) =>
      new Promise<ExportResult>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('database connection is not open')))),
    );
    await new Promise((r) => setImmediate(r)); // running
    tasks.cancel(id);
    const end = await finished(id);
    expect(end.ok).toBe(false);
    if (!end.ok) {
      expect(end.error.code).toBe('CANCELLED');
      expect(end.error.message).toContain('database connection is not open');
    }
    expect(() => tasks.cancel(id)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('a task cancelled before it starts never runs', async () => {
    const { tasks, finished } = runner();
    let ran = false;
    const id = tasks.start('export', 'Exporting', async () => {
      ran = true;
      return result;
    });
    tasks.cancel(id);
    const end = await finished(id);
    expect(!end.ok && end.error.code).toBe('CANCELLED');
    expect(ran).toBe(false);
  });

  it('cancelAll stops every running task and waits for their ends', async () => {
    const { log, tasks } = runner();
    const hang = (_r: unknown, signal: AbortSignal) => new Promise<ExportResult>((_ok, fail) => signal.addEventListener('abort', () => fail(new AppError('CANCELLED', 'stopped'))));
    tasks.start('export', 'A', hang);
    tasks.start('export', 'B', hang);
    await new Promise((r) => setImmediate(r));
    await tasks.cancelAll();
    expect(log.filter((e) => e.event === 'finished').map((e) => (e.payload as { ok: boolean }).ok)).toEqual([false, false]);
  });
});
