// Worker-thread entry when running from TypeScript sources (tsx, vitest): registers tsx's loader in this
// thread, then loads the worker. A bundled build starts its bundled worker instead (see worker-url.ts).
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker.ts', import.meta.url);
