import type { RecentProject } from '../../../electron/common/api';

/** Shown on the stage while no project is open. */
export function Welcome(props: { recent: RecentProject[]; onOpenDemo: () => void; onOpen: (path: string) => void }) {
  const recent = props.recent.filter((r) => r.exists);
  return (
    <div className="welcome" data-testid="welcome">
      <h1>DFF Studio</h1>
      <p>Turn raw video into labelled training data: Deep Feature Flow predicts, you review and correct.</p>
      <button className="button button-primary button-large" data-testid="demo-open" onClick={props.onOpenDemo}>
        Open the demo project
      </button>
      {recent.length > 0 && (
        <div className="recent">
          <h2>Recent projects</h2>
          <ul>
            {recent.map((r) => (
              <li key={r.path}>
                <button className="link-button" title={r.path} onClick={() => props.onOpen(r.path)}>
                  <span className="recent-name">{r.name}</span>
                  <span className="recent-path">{r.path}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
