// `npm start`: launches Electron on dist/shell/main.cjs. Electron ≥ 42 downloads its binary on first use;
// where that download fails (no internet) or the binary does not run, this says so in ONE line and exits 1.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const electronDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));

function fail(why) {
  console.error(`DFF Studio desktop cannot start here: ${why}. Run \`npm run web\` for browser mode instead.`);
  process.exit(1);
}

/** The binary's path as the electron package records it (path.txt), or null when not installed yet. */
function installedBinary() {
  const pathFile = path.join(electronDir, 'path.txt');
  if (!fs.existsSync(pathFile)) return null;
  const bin = path.join(electronDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(bin) ? bin : null;
}

let binary = installedBinary();
if (!binary) {
  // First run: let the electron package fetch its binary, quietly; its own output is noise when it fails.
  const fetch = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { encoding: 'utf8', timeout: 15 * 60_000 });
  binary = installedBinary();
  if (!binary) {
    const reason = `${fetch.stderr ?? ''}${fetch.stdout ?? ''}`.split('\n').find((l) => /error|failed/i.test(l))?.trim();
    fail(`the Electron binary is not installed and could not be downloaded${reason ? ` (${reason})` : ''}`);
  }
}

const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
if (probe.error || probe.status !== 0) {
  const why = probe.error?.message ?? (probe.stderr || probe.stdout || `exit code ${probe.status}`).trim().split('\n')[0];
  fail(`the Electron binary ${binary} does not run (${why})`);
}

const child = spawn(binary, [path.join(root, 'dist/shell/main.cjs'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
