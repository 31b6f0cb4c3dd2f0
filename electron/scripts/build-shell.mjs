// Bundles the Electron main process and preload into dist/shell/*.cjs with esbuild.
// Native modules and the ffmpeg/ffprobe packages stay external: they are loaded from node_modules at run time
// (unpacked from the asar archive, see electron-builder.yml).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const external = [
  'electron',
  'better-sqlite3',
  'onnxruntime-node',
  'sharp',
  '@ffmpeg-installer/ffmpeg',
  '@ffprobe-installer/ffprobe',
];

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  external,
  logLevel: 'warning',
  // The core is ESM and finds its files from import.meta.url; in a CJS bundle that is this file's URL.
  define: { 'import.meta.url': '__dff_import_meta_url' },
  banner: { js: "const __dff_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
};

const started = Date.now();
await build({ ...common, entryPoints: [path.join(root, 'electron/shell/main.ts')], outfile: path.join(root, 'dist/shell/main.cjs') });
// The preload runs sandboxed: only `electron` may be required, so everything else is bundled in.
await build({ ...common, entryPoints: [path.join(root, 'electron/shell/preload.ts')], outfile: path.join(root, 'dist/shell/preload.cjs'), external: ['electron'] });
// The DFF engine's worker thread (electron/core/dff/engine.ts looks for it beside the main bundle).
await build({ ...common, entryPoints: [path.join(root, 'electron/core/dff/worker.ts')], outfile: path.join(root, 'dist/shell/dff-worker.cjs') });
console.log(`build:shell: dist/shell/main.cjs, preload.cjs and dff-worker.cjs in ${Date.now() - started} ms`);
