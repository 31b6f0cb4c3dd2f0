/**
 * What all sessions (windows) of one process share: the app home, the settings, the recent-projects list
 * and the ffmpeg tools the settings select.
 */
import type { ErrorInfo } from '../../common/errors';
import type { Settings, ToolInfo } from '../../common/api';
import { defaultThreads } from '../dff/providers';
import { toErrorInfo } from '../errors';
import { resolveFfmpegTools, type FfmpegTools, type ToolPaths } from '../video';
import { RecentProjects } from './recent';
import { SettingsFile } from './settings';

export class AppContext {
  readonly recent: RecentProjects;
  private readonly settingsFile: SettingsFile;

  constructor(readonly home: string) {
    this.recent = new RecentProjects(home);
    this.settingsFile = new SettingsFile(home);
  }

  getSettings(): Settings {
    return this.settingsFile.read();
  }

  /**
   * Changes the tool paths. Each given path must be a runnable ffmpeg/ffprobe (else TOOL_MISSING naming it,
   * and nothing is saved); null goes back to the automatic lookup.
   */
  async setSettings(patch: Partial<Settings>): Promise<Settings> {
    const next = { ...this.getSettings(), ...patch };
    await resolveFfmpegTools(toolPaths(next));
    return this.settingsFile.write(next);
  }

  /** onnxruntime CPU threads for DFF runs: the setting, else one per core. */
  dffThreads(): number {
    return this.getSettings().dffThreads ?? defaultThreads();
  }

  /** The tools to use now; TOOL_MISSING when the settings or the machine give none that runs. */
  tools(): Promise<FfmpegTools> {
    return resolveFfmpegTools(this.toolPaths());
  }

  /** The configured tool paths, for the video layer (which resolves and checks them). */
  toolPaths(): ToolPaths {
    return toolPaths(this.getSettings());
  }

  /** The tools for display: each with its version, or the error that stops them. */
  async toolStatus(): Promise<{ ffmpeg: ToolInfo | null; ffprobe: ToolInfo | null; toolError: ErrorInfo | null }> {
    try {
      const { ffmpeg, ffprobe } = await this.tools();
      const show = (t: FfmpegTools['ffmpeg']): ToolInfo => ({ path: t.path, version: t.version, source: t.source });
      return { ffmpeg: show(ffmpeg), ffprobe: show(ffprobe), toolError: null };
    } catch (err) {
      return { ffmpeg: null, ffprobe: null, toolError: toErrorInfo(err) };
    }
  }
}

function toolPaths(s: Settings): ToolPaths {
  return { ffmpegPath: s.ffmpegPath ?? undefined, ffprobePath: s.ffprobePath ?? undefined };
}
