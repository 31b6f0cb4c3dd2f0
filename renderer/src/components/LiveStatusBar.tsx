import { useEffect, useState, type ComponentProps } from 'react';
import { client } from '../api/client';
import { StatusBar } from './StatusBar';

/**
 * The status bar with the running task's progress ("DFF 42%"). The progress is this component's own state,
 * so a task's many progress events re-render the bar and nothing else.
 */
export function LiveStatusBar(props: ComponentProps<typeof StatusBar>) {
  const [progress, setProgress] = useState<string | null>(null);
  useEffect(() => {
    const offs = [
      client.on('task.progress', (p) => setProgress(`${p.label} ${Math.round((100 * p.done) / Math.max(1, p.total))}%`)),
      client.on('task.finished', () => setProgress(null)),
    ];
    return () => offs.forEach((off) => off());
  }, []);
  return <StatusBar {...props} busy={progress ?? props.busy} />;
}
