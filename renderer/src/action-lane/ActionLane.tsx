import { useMemo, useRef, useState } from 'react';
import type { ActionClass, ActionSegment } from '../../../electron/common/action-schemas';
import { frameAtX, xOfFrame, type TimelineView } from '../timeline/view';
import { hitTest, laneHeight, layoutLane, ROW_PX, rowTop, segmentX } from './lane-layout';
import { TaskProgress } from '../components/Dialog';
import type { ActionLaneModel } from './useActionLane';

/** What the lane shares with the timeline above it: the same frames under the same pixels. */
export interface LaneGeometry {
  view: TimelineView;
  width: number;
  count: number;
  playhead: number;
}

interface Props extends LaneGeometry {
  lane: ActionLaneModel;
  onSeek: (index: number) => void;
}

type Drag =
  | { kind: 'create'; id: number; from: number; to: number; moved: boolean }
  | { kind: 'resize'; id: number; segment: ActionSegment; end: 'start' | 'end'; to: number };

const label = (s: ActionSegment, classes: ActionClass[]) => classes.find((c) => c.id === s.classId)?.name ?? `class ${s.classId}`;
const span = (s: { start: number; end: number }) => `${s.start}–${s.end}`;

/**
 * The video's action segments on a strip right under the timeline's frames, on its scale (overlapping ones in
 * rows, suggestions hatched in rows below: lane-layout.ts), then a bar with the class picker, the selected
 * segment and "Suggest actions". Drag on empty lane to add a segment with the chosen class, click one to select
 * it, drag a selected one's ends to move them. With the strip focused: I / O mark in and out at the playhead (O
 * adds the segment), Enter accepts a suggestion, Delete removes (a suggestion: rejects). Ctrl+Z is the editor's.
 */
export function ActionLane({ lane, view, width, count, playhead, onSeek }: Props) {
  const stripRef = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [markIn, setMarkIn] = useState<number | null>(null);
  const [newClass, setNewClass] = useState('');
  const selected = lane.segments.find((s) => s.id === lane.selectedId) ?? null;

  const layout = useMemo(() => layoutLane(lane.segments), [lane.segments]);
  const xIn = (e: { clientX: number }) => e.clientX - stripRef.current!.getBoundingClientRect().left;
  const frameUnder = (x: number) => frameAtX(Math.max(0, Math.min(width - 1e-6, x)), view, width, count);
  const left = (s: { start: number }) => xOfFrame(s.start, view, width);
  const right = (s: { end: number }) => xOfFrame(s.end + 1, view, width);

  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0 || count === 0 || width === 0) return;
    stripRef.current!.focus();
    const x = xIn(e);
    const y = e.clientY - stripRef.current!.getBoundingClientRect().top;
    const hit = hitTest(x, y, lane.segments, layout, lane.selectedId, view, width);
    if (hit.kind === 'body') return lane.select(hit.segment.id);
    e.currentTarget.setPointerCapture(e.pointerId);
    if (hit.kind === 'end') return setDrag({ kind: 'resize', id: e.pointerId, segment: hit.segment, end: hit.end, to: hit.segment[hit.end] });
    const f = frameUnder(x);
    setDrag({ kind: 'create', id: e.pointerId, from: f, to: f, moved: false });
  };
  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>) => {
    if (!drag || drag.id !== e.pointerId) return;
    const f = frameUnder(xIn(e));
    if (drag.kind === 'create') setDrag({ ...drag, to: f, moved: drag.moved || f !== drag.from });
    else setDrag({ ...drag, to: drag.end === 'start' ? Math.min(f, drag.segment.end) : Math.max(f, drag.segment.start) });
  };
  const onPointerUp = (e: React.PointerEvent<HTMLDivElement>) => {
    if (!drag || drag.id !== e.pointerId) return;
    setDrag(null);
    if (drag.kind === 'create') {
      if (drag.moved) lane.create(drag.from, drag.to);
      else {
        lane.select(null);
        onSeek(drag.from);
      }
    } else if (drag.to !== drag.segment[drag.end]) lane.update(drag.segment.id, { [drag.end]: drag.to });
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key.toLowerCase();
    if (k === 'i') setMarkIn(playhead);
    else if (k === 'o' && markIn !== null) {
      lane.create(markIn, playhead);
      setMarkIn(null);
    } else if (e.key === 'Enter' && selected?.status === 'suggested') lane.accept(selected.id);
    else if (e.key === 'Delete' || e.key === 'Backspace') {
      if (selected) lane.remove(selected.id); // with none selected, still not the frame's selected label
    }
    else if (e.key === 'Escape') {
      lane.select(null);
      setMarkIn(null);
      return; // the app's Escape (dismiss the banner) too
    } else return;
    // the lane's keys are the lane's: the editor's Delete / Enter must not act on the frame's labels too
    e.preventDefault();
    e.stopPropagation();
  };

  const inView = (s: { start: number; end: number }) => s.end + 1 > view.start && s.start < view.start + view.span;
  const preview =
    drag?.kind === 'create' && drag.moved
      ? { start: Math.min(drag.from, drag.to), end: Math.max(drag.from, drag.to) }
      : drag?.kind === 'resize'
        ? { start: drag.end === 'start' ? drag.to : drag.segment.start, end: drag.end === 'end' ? drag.to : drag.segment.end }
        : null;
  const running = lane.suggest.status === 'running' ? lane.suggest : null;
  const pending = lane.segments.filter((s) => s.status === 'suggested');
  const pendingShown = pending.filter(inView);
  const classOf = (s: ActionSegment) => lane.classes.find((c) => c.id === s.classId);

  return (
    <div className="action-lane" data-testid="action-lane">
      <div
        ref={stripRef}
        className="action-lane-strip"
        data-testid="action-strip"
        data-rows={layout.rows}
        tabIndex={0}
        title="Actions: drag to add a segment · click to select · I / O mark in and out"
        style={{ height: laneHeight(layout) }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => setDrag(null)}
        onKeyDown={onKeyDown}
      >
        {lane.segments.filter(inView).map((s) => {
          const isSelected = s.id === lane.selectedId;
          const shown = preview && drag?.kind === 'resize' && drag.segment.id === s.id ? preview : s;
          const { left: x0, right: x1 } = segmentX(shown, view, width);
          return (
            <div
              key={s.id}
              className={`action-segment ${s.status}${isSelected ? ' selected' : ''}`}
              data-testid="action-segment"
              data-id={s.id}
              data-start={s.start}
              data-end={s.end}
              data-status={s.status}
              data-row={layout.rowOf.get(s.id)}
              data-class={label(s, lane.classes)}
              title={`${label(s, lane.classes)} ${span(s)}${s.score !== null ? ` · score ${s.score.toFixed(2)}` : ''} · ${s.status === 'suggested' ? 'suggested' : s.source === 'machine' ? 'accepted suggestion' : 'yours'}`}
              style={{ left: x0, width: Math.max(3, x1 - x0 - 1), top: rowTop(layout.rowOf.get(s.id) ?? 0), height: ROW_PX - 2, ['--seg' as string]: classOf(s)?.color ?? '#888888' }}
            >
              <span>
                {label(s, lane.classes)}
                {s.status === 'suggested' && s.score !== null ? ` ${s.score.toFixed(2)}` : ''}
              </span>
            </div>
          );
        })}
        {preview && drag?.kind === 'create' && (
          <div className="action-segment preview" data-testid="action-preview" style={{ left: left(preview), width: Math.max(3, right(preview) - left(preview)) }} />
        )}
        {markIn !== null && <div className="action-lane-mark" style={{ left: left({ start: markIn }) }} />}
        <div className="action-lane-playhead" style={{ left: Math.round(xOfFrame(playhead + 0.5, view, width)) - 1 }} />
      </div>
      <div className="action-lane-bar">
        <span className="action-lane-title">Actions</span>
        <label className="action-lane-meta" title="Class of new segments">
          new{' '}
          <select value={lane.classId ?? ''} data-testid="action-class" onChange={(e) => lane.chooseClass(Number(e.target.value))}>
            {lane.classes.length === 0 && <option value="">no classes yet</option>}
            {lane.classes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <form
          className="action-lane-add"
          onSubmit={(e) => {
            e.preventDefault();
            if (newClass.trim()) void lane.addClass(newClass.trim()).then((added) => added && setNewClass(''));
          }}
        >
          <input value={newClass} placeholder="new class" data-testid="action-new-class" onChange={(e) => setNewClass(e.target.value)} />
          <button className="icon-button small" type="submit" title="Add the action class" data-testid="action-add-class">
            +
          </button>
        </form>
        {selected ? (
          <span className="action-lane-selected" data-testid="action-selected">
            <i className="action-lane-swatch" style={{ background: classOf(selected)?.color ?? '#888888' }} />
            <select value={selected.classId} title="Class of the selected segment" data-testid="action-selected-class" onChange={(e) => lane.update(selected.id, { classId: Number(e.target.value) })}>
              {lane.classes.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            <span className="action-lane-meta action-lane-shrink">
              {span(selected)} · {selected.status === 'suggested' ? `suggested, score ${selected.score?.toFixed(2) ?? '?'}` : selected.source === 'machine' ? 'accepted suggestion' : 'yours'}
            </span>
            {selected.status === 'suggested' ? (
              <>
                <button className="button small button-primary" data-testid="action-accept" title="Accept the suggestion (Enter)" onClick={() => lane.accept(selected.id)}>
                  Accept
                </button>
                <button className="button small" data-testid="action-reject" title="Reject it: later runs do not suggest it again (Del)" onClick={() => lane.reject(selected.id)}>
                  Reject
                </button>
              </>
            ) : (
              <button className="button small" data-testid="action-delete" title="Delete the segment (Del)" onClick={() => lane.remove(selected.id)}>
                Delete
              </button>
            )}
          </span>
        ) : (
          <span className="action-lane-hint action-lane-shrink" data-testid="action-hint">
            {markIn !== null ? `in at frame ${markIn}: O at the last frame` : 'drag on the lane to add · I / O: in and out'}
          </span>
        )}
        <span className="top-spacer" />
        {running ? (
          <span className="action-lane-progress">
          <TaskProgress
            testId="action-suggest"
            done={running.progress?.done ?? 0}
            total={running.progress?.total ?? 0}
            label={running.progress ? `suggesting: ${running.progress.done} / ${running.progress.total} windows` : 'loading the action model…'}
            cancelling={running.cancelling}
            onCancel={() => void lane.cancelSuggest()}
          />
          </span>
        ) : (
          <>
            {lane.suggest.status === 'done' && (
              <span
                className="action-lane-meta action-lane-shrink"
                data-testid="action-suggest-result"
                title={`last run: model ${lane.suggest.result.model}, ${lane.suggest.result.windows} clip windows; ${lane.suggest.result.skipped} proposals left out where you had already accepted, edited or rejected that stretch`}
              >
                {lane.suggest.result.suggested} suggested
                {lane.suggest.result.skipped ? ` · ${lane.suggest.result.skipped} left out` : ''}
                {` · ${pending.length} waiting`}
              </span>
            )}
            {pendingShown.length > 1 && (
              <button className="button small" data-testid="action-accept-shown" title="Accept every suggestion in view on the lane (one undo step each)" onClick={() => lane.acceptMany(pendingShown.map((s) => s.id))}>
                Accept {pendingShown.length} shown
              </button>
            )}
            <button className="button small" data-testid="action-suggest" title="Run the pack's action model over the video and propose segments" onClick={() => void lane.startSuggest()}>
              Suggest actions
            </button>
          </>
        )}
      </div>
    </div>
  );
}
