/**
 * `npm run web`: DFF Studio in a browser. Serves the built renderer and the core on 127.0.0.1.
 *   --port N       (or PORT) default 5173; 0 picks a free port
 *   --project P    open this project instead of the demo
 *   --no-project   open nothing
 */
import { toErrorInfo } from '../errors';
import { startServer } from './server';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

async function main(): Promise<void> {
  const portArg = argValue('--port') ?? process.env.PORT ?? '5173';
  const port = Number(portArg);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`dff web: bad port '${portArg}' (expected 0–65535)`);
    process.exit(2);
  }
  const project = process.argv.includes('--no-project') ? null : argValue('--project');
  const server = await startServer({ port, project });
  console.log(`DFF Studio (browser mode) at ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  const info = toErrorInfo(err);
  console.error(`dff web: ${info.code}: ${info.message}`);
  process.exit(1);
});
