import type { AppInfo, FrameInfo, ProjectInfo, ToolInfo } from '../../../electron/common/api';

/** Git snapshot builds say e.g. "N-47683-g0e8eb07980-static": the N-number is enough to tell them apart. */
function shortVersion(version: string): string {
  return /^N-\d+/.exec(version)?.[0] ?? version;
}

function toolLabel(name: string, tool: ToolInfo | null): string {
  if (!tool) return `${name}: not found`;
  return `${name} ${shortVersion(tool.version)} (${tool.source})`;
}

export function StatusBar(props: { info: AppInfo | null; project: ProjectInfo | null; frame: FrameInfo | null; busy: string | null }) {
  const { info, project, frame, busy } = props;
  return (
    <footer className="status-bar" data-testid="status-bar">
      <span className={info?.toolError ? 'status-item status-bad' : 'status-item'} data-testid="status-ffmpeg" title={info?.ffmpeg ? `${info.ffmpeg.path} (${info.ffmpeg.version})` : info?.toolError?.message}>
        {info ? toolLabel('ffmpeg', info.ffmpeg) : 'connecting…'}
      </span>
      {info && (
        <span className="status-item" title={info.ffprobe?.path}>
          {toolLabel('ffprobe', info.ffprobe)}
        </span>
      )}
      {info && (
        <span className="status-item" data-testid="status-ep" title={`Execution providers that start here: ${info.executionProviders.join(', ') || 'none'}`}>
          {info.executionProviders.length ? `EP: ${info.executionProviders[0]} (${info.cpuThreads} thread${info.cpuThreads === 1 ? '' : 's'})` : 'EP: —'}
        </span>
      )}
      {busy && <span className="status-item status-busy" data-testid="status-busy">{busy}</span>}
      <span className="status-spacer" />
      {frame && (
        <span className="status-item" data-testid="status-frame-state">
          {frame.state}
          {frame.codecKeyframe ? ' · I-frame' : ''}
          {frame.dffKey ? ' · key' : ''}
        </span>
      )}
      {project && (
        <span className="status-item status-path" title={project.path}>
          {project.path}
        </span>
      )}
      {info && <span className="status-item">{info.host === 'electron' ? 'desktop' : 'browser mode'} · v{info.version}</span>}
    </footer>
  );
}
