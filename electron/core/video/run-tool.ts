import { spawn } from 'node:child_process';

export interface ToolRun {
  code: number | null;
  /** Set when the tool died from a signal (a crash, or a kill). */
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  /** The last few KiB of stderr (all of it for small outputs). */
  stderr: string;
}

const STDERR_TAIL = 16 * 1024;

/**
 * Runs a tool to completion, collecting stdout; stderr is kept as a tail and, when asked, also
 * handed over line by line (ffmpeg's -debug_ts output can reach 100 MB on a long video).
 */
export function runTool(file: string, args: string[], onStderrLine?: (line: string) => void): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let errTail = '';
    let partialLine = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      errTail = (errTail + text).slice(-STDERR_TAIL);
      if (!onStderrLine) return;
      const lines = (partialLine + text).split('\n');
      partialLine = lines.pop() ?? '';
      for (const line of lines) onStderrLine(line);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (onStderrLine && partialLine) onStderrLine(partialLine);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: errTail });
    });
  });
}

/** The last non-empty line of a tool's stderr, for error messages. */
export function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? '';
}
