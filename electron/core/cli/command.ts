/** What a CLI command is; main.ts lists them. A new command (e.g. `infer`) is one more module. */
import type { Args } from './args';

export interface CliIO {
  out(line: string): void;
  /** A progress line that replaces the previous one on a terminal. */
  progress(text: string): void;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Options that take no value (--flag, --no-flag). */
  flags: readonly string[];
  run(args: Args, io: CliIO): Promise<void>;
}
