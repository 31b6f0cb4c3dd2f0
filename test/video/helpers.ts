import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { AppError } from '../../electron/core/errors';

/** Awaits a promise that must fail with an AppError of this code; returns it for more checks. */
export async function expectAppError(promise: Promise<unknown>, code: string, messagePart?: string | RegExp): Promise<AppError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected AppError ${code}`).toBeInstanceOf(AppError);
  const err = caught as AppError;
  expect(err.code, err.message).toBe(code);
  if (messagePart) expect(err.message).toMatch(messagePart);
  return err;
}

/** Deterministic pseudo-random numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/**
 * Calls `fn(arg)` from `module` (a repo-relative .ts path) in a process without permission to read
 * `arg`, and returns the AppError code and message it threw. As root, file modes do not stop a
 * read, so the call runs as user `nobody`; otherwise it runs in-process-equivalent as this user.
 */
export async function errorAsUnprivileged(module: string, fn: string, arg: string): Promise<{ code?: string; message?: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-unpriv-'));
  fs.chmodSync(dir, 0o755);
  const script = path.join(dir, 'call.mts');
  fs.writeFileSync(
    script,
    `import { ${fn} } from ${JSON.stringify(path.join(repoRoot, module))};\n` +
      `try { await ${fn}(process.argv[2]); console.log(JSON.stringify({})); }\n` +
      `catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }\n`,
  );
  fs.chmodSync(script, 0o644);
  const asRoot = process.getuid?.() === 0;
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, arg], {
      cwd: repoRoot,
      env: { ...process.env, HOME: dir, DFF_HOME: path.join(dir, 'home') },
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return JSON.parse(out.trim().split('\n').pop()!) as { code?: string; message?: string };
}

/** Process ids of live ffmpeg children of this process (Linux /proc). */
export function ffmpegChildren(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      if (name === 'ffmpeg' && Number(fields[1]) === process.pid && fields[0] !== 'Z') pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Polls until `check` returns true or `ms` pass; returns the last result (no fixed sleeps in tests). */
export async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
