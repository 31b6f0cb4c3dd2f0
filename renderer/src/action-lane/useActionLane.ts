import { useCallback, useEffect, useRef, useState } from 'react';
import type { ActionClass, ActionSegment, ActionSuggestResult } from '../../../electron/common/action-schemas';
import type { EventPayload } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';
import { client, errorInfoOf } from '../api/client';

export type SuggestState =
  | { status: 'idle' }
  | { status: 'running'; taskId: string; progress: EventPayload<'task.progress'> | null; cancelling: boolean }
  | { status: 'done'; result: ActionSuggestResult };

interface Args {
  videoId: number | null;
  /** Moves when labels may have changed elsewhere (undo/redo of any step): the lane is read again. */
  outsideRevision: number;
  onError: (e: ErrorInfo) => void;
  /** After each confirmed change: the editor re-reads its undo/redo labels. */
  onChanged: () => void;
}

/** The open video's action lane: segments, classes, the selection, and the suggestion task. */
export function useActionLane({ videoId, outsideRevision, onError, onChanged }: Args) {
  const [segments, setSegments] = useState<ActionSegment[]>([]);
  const [classes, setClasses] = useState<ActionClass[]>([]);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [classId, setClassId] = useState<number | null>(null);
  const [suggest, setSuggest] = useState<SuggestState>({ status: 'idle' });
  const taskId = useRef<string | null>(null);
  const live = useRef({ onError, onChanged, videoId });
  live.current = { onError, onChanged, videoId };

  const reload = useCallback(async () => {
    const id = live.current.videoId;
    if (id === null) return;
    try {
      const [lane, list] = await Promise.all([client.call('action.list', { videoId: id }), client.call('action.classes', {})]);
      if (live.current.videoId !== id) return;
      setSegments(lane.segments);
      setSelectedId((sel) => (sel !== null && lane.segments.some((s) => s.id === sel) ? sel : null));
      setClasses(list);
      setClassId((c) => (c !== null && list.some((k) => k.id === c) ? c : (list[0]?.id ?? null)));
    } catch (err) {
      live.current.onError(errorInfoOf(err));
    }
  }, []);

  useEffect(() => {
    setSegments([]);
    setSelectedId(null);
  }, [videoId]);
  useEffect(() => void reload(), [videoId, outsideRevision, reload]);

  /** Runs one change; the lane it returns replaces ours (or the lane is read again after a refusal). */
  const change = useCallback(
    async (run: () => Promise<{ segments: ActionSegment[] }>) => {
      try {
        const lane = await run();
        setSegments(lane.segments);
        live.current.onChanged();
      } catch (err) {
        live.current.onError(errorInfoOf(err));
        void reload();
      }
    },
    [reload],
  );

  const create = useCallback(
    (start: number, end: number) => {
      const id = live.current.videoId;
      if (id === null) return;
      if (classId === null) return live.current.onError({ code: 'INVALID_INPUT', message: 'add an action class first (the + next to the class list)' });
      void change(async () => {
        const r = await client.call('action.create', { videoId: id, start: Math.min(start, end), end: Math.max(start, end), classId });
        setSelectedId(r.segmentId);
        return r.lane;
      });
    },
    [change, classId],
  );
  const update = useCallback(
    (segmentId: number, patch: { start?: number; end?: number; classId?: number }) => void change(() => client.call('action.update', { segmentId, ...patch })),
    [change],
  );
  const remove = useCallback(
    (segmentId: number) => {
      setSelectedId(null);
      void change(() => client.call('action.delete', { segmentId }));
    },
    [change],
  );
  const accept = useCallback((segmentId: number) => void change(() => client.call('action.accept', { segmentId })), [change]);
  const reject = useCallback(
    (segmentId: number) => {
      setSelectedId(null);
      void change(() => client.call('action.reject', { segmentId }));
    },
    [change],
  );

  /** Accepts suggestions one after another (each its own undo step); stops at the first refusal. */
  const acceptMany = useCallback(
    (ids: number[]) =>
      ids.length > 0 &&
      void change(async () => {
        let lane = { segments: [] as ActionSegment[] };
        for (const segmentId of ids) lane = await client.call('action.accept', { segmentId });
        return lane;
      }),
    [change],
  );

  /** True when the class was added (it becomes the class of new segments). */
  const addClass = useCallback(async (name: string) => {
    try {
      const added = await client.call('action.classAdd', { name });
      setClasses((cs) => [...cs, added]);
      setClassId(added.id);
      return true;
    } catch (err) {
      live.current.onError(errorInfoOf(err));
      return false;
    }
  }, []);

  // ---- suggestions: one background task at a time ------------------------------------------------
  useEffect(() => {
    const offProgress = client.on('task.progress', (p) => {
      if (p.taskId === taskId.current) setSuggest((s) => (s.status === 'running' ? { ...s, progress: p } : s));
    });
    const offFinished = client.on('task.finished', (f) => {
      if (f.taskId !== taskId.current) return;
      taskId.current = null;
      if (f.ok && f.kind === 'actions') setSuggest({ status: 'done', result: f.result });
      else {
        setSuggest({ status: 'idle' });
        if (!f.ok && f.error.code !== 'CANCELLED') live.current.onError(f.error);
      }
      void reload();
    });
    return () => {
      offProgress();
      offFinished();
    };
  }, [reload]);

  const startSuggest = useCallback(async () => {
    const id = live.current.videoId;
    if (id === null || taskId.current) return;
    try {
      const { taskId: started } = await client.call('action.suggest', { videoId: id });
      taskId.current = started;
      setSuggest({ status: 'running', taskId: started, progress: null, cancelling: false });
    } catch (err) {
      live.current.onError(errorInfoOf(err));
    }
  }, []);
  const cancelSuggest = useCallback(async () => {
    const id = taskId.current;
    if (!id) return;
    setSuggest((s) => (s.status === 'running' ? { ...s, cancelling: true } : s));
    try {
      await client.call('action.cancel', { taskId: id });
    } catch {
      // NOT_FOUND: it ended meanwhile; task.finished says how.
    }
  }, []);

  return {
    segments,
    classes,
    selectedId,
    select: setSelectedId,
    classId,
    chooseClass: setClassId,
    create,
    update,
    remove,
    accept,
    acceptMany,
    reject,
    addClass,
    suggest,
    startSuggest,
    cancelSuggest,
  };
}

export type ActionLaneModel = ReturnType<typeof useActionLane>;
