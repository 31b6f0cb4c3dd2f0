/**
 * The command line: `npm run dff -- <command> [options]`. Exit status 0 on success, 1 when the
 * command fails (the message names what is wrong), 2 for usage errors, 130 when cancelled.
 */
import { pathToFileURL } from 'node:url';
import { toErrorInfo } from '../errors';
import { Args } from './args';
import type { CliCommand, CliIO } from './command';
import { actionsCommand } from './commands/actions';
import { exportCommand } from './commands/export';
import { importCommand } from './commands/import';
import { inferCommand } from './commands/infer';

export const COMMANDS: readonly CliCommand[] = [exportCommand, importCommand, inferCommand, actionsCommand];

function help(): string {
  return [
    'Usage: npm run dff -- <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`),
    '',
    'npm run dff -- <command> --help shows its options.',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help') {
    io.out(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.out(`Unknown command "${name}".\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help')) {
    io.out(command.usage);
    return 0;
  }
  try {
    await command.run(new Args(rest, new Set(command.flags)), io);
    return 0;
  } catch (err) {
    const info = toErrorInfo(err);
    io.progress('');
    io.out(`error [${info.code}]: ${info.message}`);
    if (info.code === 'CANCELLED') return 130;
    return info.code === 'INVALID_INPUT' && /^(--|Unknown option)/.test(info.message) ? 2 : 1;
  }
}

function terminalIO(signal: AbortSignal): CliIO {
  const tty = process.stderr.isTTY;
  let last = '';
  let lastAt = 0;
  return {
    out: (line) => {
      if (tty && last) process.stderr.write('\r\x1b[K');
      last = '';
      process.stdout.write(`${line}\n`);
    },
    progress: (text) => {
      if (tty) {
        process.stderr.write(`\r\x1b[K${text}`);
        last = text;
      } else if (text && Date.now() - lastAt > 2000) {
        process.stderr.write(`${text}\n`);
        lastAt = Date.now();
      }
    },
    signal,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const controller = new AbortController();
  // the first Ctrl-C cancels cleanly (an export removes its partial folder), a second one quits at once
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\ncancelling… (Ctrl-C again to quit now)\n');
    controller.abort();
  });
  main(process.argv.slice(2), terminalIO(controller.signal)).then((code) => {
    process.exitCode = code;
  });
}
