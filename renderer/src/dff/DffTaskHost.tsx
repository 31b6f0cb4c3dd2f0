import { useEffect, useRef } from 'react';
import type { VideoInfo } from '../../../electron/common/api';
import { DffDialog } from './DffDialog';
import { useDffTask } from './useDffTask';

/** While a run writes, tell the App of new results at most this often; the run's end at once. */
const RESULTS_EVERY_MS = 1000;

/**
 * Owns the window's DFF task (it outlives the dialog, so reopening shows the same run) and shows the dialog
 * when asked. Progress events re-render only this and the dialog, never the App and its stage: the App
 * hears `onResults(revision)` when labels may have changed, at most once a second while the run goes on.
 */
export function DffTaskHost(props: { video: VideoInfo | null; open: boolean; onClose: () => void; onResults: (revision: number) => void }) {
  const task = useDffTask();
  const running = task.state.status === 'running';
  const onResults = useRef(props.onResults);
  onResults.current = props.onResults;
  const told = useRef({ revision: 0, at: -Infinity });

  useEffect(() => {
    if (task.revision === told.current.revision) return;
    const tell = () => {
      told.current = { revision: task.revision, at: performance.now() };
      onResults.current(task.revision);
    };
    const wait = running ? told.current.at + RESULTS_EVERY_MS - performance.now() : 0;
    if (wait <= 0) return tell();
    const timer = setTimeout(tell, wait);
    return () => clearTimeout(timer);
  }, [task.revision, running]);

  return props.open && props.video ? <DffDialog video={props.video} task={task} onClose={props.onClose} /> : null;
}
