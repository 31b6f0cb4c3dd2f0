/**
 * The editor's state for the frame on screen: its labels (from `annotation.list`), the tool, the
 * selection, the current class, and every edit as a queued call (edit-queue.ts). Edits show at once
 * (optimistically) and the core's answer replaces them; a refused edit is rolled back by reloading.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ClassInfo, VideoInfo } from '../../../electron/common/api';
import type { BoxInput, EditableAnnotation, FrameLabels } from '../../../electron/common/edit-schemas';
import type { ErrorInfo } from '../../../electron/common/errors';
import { client, errorInfoOf } from '../api/client';
import { labelsCache } from '../frames/useShownFrame';
import { EditQueue, type QueuedEdit, type QueueStatus } from './edit-queue';
import { type MaskBitmap, countsOf, isEmpty } from './mask-bitmap';
import type { Tool } from './shortcuts';

export interface Layers {
  boxes: boolean;
  masks: boolean;
  ids: boolean;
  scores: boolean;
}

export const BRUSH_MIN = 1;
export const BRUSH_MAX = 200;

/** A label's colour: its class's, white for a class not (yet) in the palette. */
export const colourOf = (classById: Map<number, ClassInfo>, classId: number): string => classById.get(classId)?.color ?? '#ffffff';

export interface Editor {
  labels: FrameLabels | null;
  classes: ClassInfo[];
  classById: Map<number, ClassInfo>;
  tool: Tool;
  setTool: (t: Tool) => void;
  selectedId: number | null;
  select: (id: number | null) => void;
  selected: EditableAnnotation | null;
  classId: number | null;
  /** Sets the current class; changes the selected label's class too. */
  chooseClass: (id: number) => void;
  brush: number;
  setBrush: (px: number) => void;
  layers: Layers;
  setLayers: (l: Layers) => void;
  carryLimit: number;
  setCarryLimit: (n: number) => void;
  queue: QueueStatus;
  /** Moves when an edit the core confirmed changed labels or states (timeline refresh). */
  revision: number;
  /** Last carry's outcome, for the status line. */
  notice: string | null;
  createBox: (bbox: BoxInput) => void;
  moveBox: (id: number, bbox: BoxInput) => void;
  /** A mask stroke or polygon ended: the bitmap becomes the selected mask, or a new one. */
  commitMask: (targetId: number | null, bitmap: MaskBitmap) => void;
  deleteSelected: () => void;
  setTrack: (id: number, trackId: number | null) => void;
  verify: () => void;
  acceptAll: () => void;
  undo: () => void;
  redo: () => void;
  carry: () => void;
  addClasses: (list: { name: string; color: string; hasInstances: boolean }[]) => Promise<number>;
  reloadClasses: () => void;
  /** Polygon points placed so far (tool G), in video pixels. */
  polygon: { x: number; y: number }[];
  setPolygon: (p: { x: number; y: number }[]) => void;
  helpOpen: boolean;
  setHelpOpen: (open: boolean) => void;
}

interface Args {
  projectPath: string | null;
  video: VideoInfo | null;
  index: number | null;
  onError: (e: ErrorInfo) => void;
  /** After undo/redo: go to the frame the step changed. */
  onSeek: (index: number) => void;
  /** Moves when something outside the editor changed labels (a DFF run, an import): the frame is read again. */
  outsideRevision: number;
}

export function useEditor({ projectPath, video, index, onError, onSeek, outsideRevision }: Args): Editor {
  const [labels, setLabels] = useState<FrameLabels | null>(null);
  const [classes, setClasses] = useState<ClassInfo[]>([]);
  const [tool, setTool] = useState<Tool>('select');
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [classId, setClassId] = useState<number | null>(null);
  const [brush, setBrushRaw] = useState(10);
  const [layers, setLayers] = useState<Layers>({ boxes: true, masks: true, ids: true, scores: true });
  const [carryLimit, setCarryLimit] = useState(10);
  const [queueStatus, setQueueStatus] = useState<QueueStatus>({ pending: 0, offline: false, reason: null });
  const [revision, setRevision] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [polygon, setPolygon] = useState<{ x: number; y: number }[]>([]);
  const [helpOpen, setHelpOpen] = useState(false);

  const here = useRef<{ videoId: number; index: number } | null>(null);
  here.current = video && index !== null ? { videoId: video.id, index } : null;
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;
  const onSeekRef = useRef(onSeek);
  onSeekRef.current = onSeek;

  /** Labels may have changed anywhere (undo, carry, a refused edit): forget them all and read this frame again. */
  const reloadAll = useCallback(() => {
    labelsCache.clear();
    setReload((r) => r + 1);
  }, []);

  const queue = useMemo(
    () =>
      new EditQueue(client, {
        onStatus: setQueueStatus,
        onRefused: (e: ErrorInfo) => {
          onErrorRef.current(e);
          reloadAll(); // roll the optimistic change back
        },
        onDone: (edit: QueuedEdit, result: unknown) => {
          labelsCache.clear(); // every frame's labels carry the undo/redo state, which just moved
          setRevision((r) => r + 1);
          const fresh = labelsOf(edit, result);
          if (!fresh) return reloadAll();
          if (queue.current.pending === 0) labelsCache.put(fresh);
          setLabels((cur) => (cur && cur.videoId === fresh.videoId && cur.index === fresh.index && queue.current.pending === 0 ? fresh : cur));
        },
      }),
    [reloadAll],
  );
  useEffect(() => () => queue.dispose(), [queue]);
  useEffect(() => {
    if (projectPath) queue.restore(projectPath);
  }, [projectPath, queue]);

  const reloadClasses = useCallback(() => {
    client.call('class.list', {}).then(setClasses, (e) => onErrorRef.current(errorInfoOf(e)));
  }, []);
  useEffect(() => {
    if (projectPath) reloadClasses();
    else setClasses([]);
  }, [projectPath, reloadClasses, revision]);
  useEffect(() => {
    if (classId === null || !classes.some((c) => c.id === classId)) setClassId(classes[0]?.id ?? null);
  }, [classes, classId]);

  // the frame's labels: from the cache the frame was loaded with when they are there (in this very render)
  const videoId = video?.id ?? null;
  let shownLabels = labels && labels.videoId === videoId && labels.index === index ? labels : null;
  if (!shownLabels && videoId !== null && index !== null) {
    const cached = labelsCache.peek({ videoId, index });
    if (cached) {
      shownLabels = cached;
      setLabels(cached);
    }
  }
  useEffect(() => {
    if (videoId === null || index === null) return setLabels(null);
    let stale = false;
    labelsCache.load({ videoId, index }).then(
      (v) => !stale && setLabels((cur) => (cur && sameLabels(cur, v) ? cur : v)),
      (e) => !stale && onErrorRef.current(errorInfoOf(e)),
    );
    return () => {
      stale = true;
    };
  }, [videoId, index, reload, outsideRevision]);
  useEffect(() => {
    setSelectedId(null);
    setPolygon((p) => (p.length ? [] : p));
  }, [videoId, index]);

  const selected = shownLabels?.annotations.find((a) => a.id === selectedId) ?? null;
  const classById = useMemo(() => new Map(classes.map((c) => [c.id, c])), [classes]);

  // what the actions read when they run; the actions themselves never change, so views of the editor can be memoised
  const live = useRef({ projectPath, classId, classes, selected, labels: shownLabels, carryLimit });
  live.current = { projectPath, classId, classes, selected, labels: shownLabels, carryLimit };

  const actions = useMemo(() => {
    /** Applies an edit to the labels on screen before the core confirms it. */
    const optimistic = (fn: (list: EditableAnnotation[]) => EditableAnnotation[]) =>
      setLabels((cur) => (cur ? { ...cur, state: cur.state === 'verified' ? 'verified' : 'corrected', annotations: fn(cur.annotations) } : cur));

    const push: EditQueue['push'] = (project, name, input, tempId) => {
      labelsCache.clear();
      return queue.push(project, name, input, tempId);
    };
    const need = (): { project: string; videoId: number; index: number } | null => {
      const { projectPath: project } = live.current;
      if (!project || !here.current) return null;
      return { project, ...here.current };
    };

    const createBox = (bbox: BoxInput) => {
      const at = need();
      const { classId: cls } = live.current;
      if (!at || cls === null) return onErrorRef.current({ code: 'INVALID_INPUT', message: 'choose a class in the palette before drawing a box' });
      const tempId = queue.tempId();
      optimistic((l) => [...l, { id: tempId, classId: cls, trackId: null, bbox, rle: null, score: null, source: 'manual', verified: false }]);
      setSelectedId(tempId);
      void push(at.project, 'annotation.create', { videoId: at.videoId, index: at.index, classId: cls, bbox }, tempId).then((r) =>
        setSelectedId((s) => (s === tempId ? r.annotationId : s)),
      );
    };

    const update = (id: number, patch: { bbox?: BoxInput; rle?: string | null; classId?: number; trackId?: number | null }, local: Partial<EditableAnnotation>) => {
      const at = need();
      if (!at) return;
      optimistic((l) => l.map((a) => (a.id === id ? { ...a, ...local, source: a.source === 'manual' ? 'manual' : 'corrected' } : a)));
      void push(at.project, 'annotation.update', { annotationId: id, ...patch });
    };

    const deleteById = (id: number) => {
      const at = need();
      if (!at) return;
      optimistic((l) => l.filter((a) => a.id !== id));
      setSelectedId(null);
      void push(at.project, 'annotation.delete', { annotationId: id });
    };

    const commitMask = (targetId: number | null, bitmap: MaskBitmap) => {
      const at = need();
      if (!at) return;
      if (targetId !== null) {
        if (isEmpty(bitmap)) return deleteById(targetId);
        const counts = countsOf(bitmap);
        return update(targetId, { rle: counts }, { rle: counts });
      }
      if (isEmpty(bitmap)) return;
      const { classId: cls } = live.current;
      if (cls === null) return onErrorRef.current({ code: 'INVALID_INPUT', message: 'choose a class in the palette before painting a mask' });
      const counts = countsOf(bitmap);
      const tempId = queue.tempId();
      optimistic((l) => [...l, { id: tempId, classId: cls, trackId: null, bbox: boundsOf(bitmap), rle: counts, score: null, source: 'manual', verified: false }]);
      setSelectedId(tempId);
      void push(at.project, 'annotation.create', { videoId: at.videoId, index: at.index, classId: cls, rle: counts }, tempId).then((r) =>
        setSelectedId((s) => (s === tempId ? r.annotationId : s)),
      );
    };

    const frameCall = (name: 'frame.verify' | 'frame.acceptAll', extra: object, state: FrameLabels['state']) => {
      const at = need();
      if (!at) return;
      setLabels((cur) => (cur ? { ...cur, state } : cur));
      void push(at.project, name, { videoId: at.videoId, index: at.index, ...extra } as never);
    };

    const history = (name: 'edit.undo' | 'edit.redo') => {
      const { projectPath: project } = live.current;
      if (!project) return;
      void push(project, name, {}).then((r) => {
        if (!r.step) return onErrorRef.current({ code: 'NOT_FOUND', message: `nothing to ${name === 'edit.undo' ? 'undo' : 'redo'}` });
        setNotice(`${name === 'edit.undo' ? 'Undid' : 'Redid'}: ${r.step.label}`);
        const first = r.step.frames[0];
        if (first !== undefined && here.current && r.step.videoId === here.current.videoId && !r.step.frames.includes(here.current.index)) onSeekRef.current(first);
        reloadAll();
      });
    };

    const carry = () => {
      const at = need();
      const { selected: sel, carryLimit: limit } = live.current;
      if (!at || !sel) return onErrorRef.current({ code: 'INVALID_INPUT', message: 'select a label to carry forward' });
      setNotice('Carrying forward…');
      void push(at.project, 'annotation.carryForward', { annotationId: queue.resolveId(sel.id), limit }).then(
        (r) => setNotice(r.frames.length ? `Carried to frames ${r.frames[0]}–${r.frames.at(-1)} (stopped at ${r.stoppedAt}: ${r.reason})` : `Nothing carried: stopped at frame ${r.stoppedAt} (${r.reason})`),
        () => setNotice(null),
      );
    };

    const addClasses = async (list: { name: string; color: string; hasInstances: boolean }[]) => {
      const have = new Set(live.current.classes.map((c) => c.name.toLowerCase()));
      let added = 0;
      for (const c of list) {
        if (have.has(c.name.toLowerCase())) continue;
        try {
          await client.call('class.add', c);
          added++;
        } catch (e) {
          onErrorRef.current(errorInfoOf(e));
          break;
        }
      }
      reloadClasses();
      return added;
    };

    return {
      setTool,
      select: setSelectedId,
      chooseClass: (id: number) => {
        setClassId(id);
        const sel = live.current.selected;
        if (sel && sel.classId !== id) update(sel.id, { classId: id }, { classId: id });
      },
      setBrush: (px: number) => setBrushRaw(Math.max(BRUSH_MIN, Math.min(BRUSH_MAX, Math.round(px)))),
      setLayers,
      setCarryLimit,
      createBox,
      moveBox: (id: number, bbox: BoxInput) => update(id, { bbox }, { bbox }),
      commitMask,
      deleteSelected: () => {
        const sel = live.current.selected;
        if (sel) deleteById(sel.id);
      },
      setTrack: (id: number, trackId: number | null) => update(id, { trackId }, { trackId }),
      verify: () => {
        const verified = live.current.labels?.state === 'verified';
        frameCall('frame.verify', { verified: !verified }, verified ? 'corrected' : 'verified');
      },
      acceptAll: () => frameCall('frame.acceptAll', {}, 'verified'),
      undo: () => history('edit.undo'),
      redo: () => history('edit.redo'),
      carry,
      addClasses,
      reloadClasses,
      setPolygon,
      setHelpOpen,
    };
  }, [queue, reloadAll, reloadClasses]);

  return useMemo(
    () => ({
      ...actions,
      labels: shownLabels,
      classes,
      classById,
      tool,
      selectedId,
      selected,
      classId,
      brush,
      layers,
      carryLimit,
      queue: queueStatus,
      revision,
      notice,
      polygon,
      helpOpen,
    }),
    [actions, shownLabels, classes, classById, tool, selectedId, selected, classId, brush, layers, carryLimit, queueStatus, revision, notice, polygon, helpOpen],
  );
}

/** Two answers for the same frame with the same content (a re-read after a run that did not touch it). */
function sameLabels(a: FrameLabels, b: FrameLabels): boolean {
  return a.videoId === b.videoId && a.index === b.index && JSON.stringify(a) === JSON.stringify(b);
}

/** The frame labels an edit's answer carries, when it carries them. */
function labelsOf(edit: QueuedEdit, result: unknown): FrameLabels | null {
  if (edit.name === 'annotation.create') return (result as { labels: FrameLabels }).labels;
  if (edit.name === 'annotation.update' || edit.name === 'annotation.delete' || edit.name === 'frame.verify' || edit.name === 'frame.acceptAll') return result as FrameLabels;
  return null;
}

function boundsOf(b: MaskBitmap): BoxInput {
  let x0 = b.width;
  let y0 = b.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < b.height; y++) {
    for (let x = 0; x < b.width; x++) {
      if (!b.data[y * b.width + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? { x: 0, y: 0, w: 0, h: 0 } : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

