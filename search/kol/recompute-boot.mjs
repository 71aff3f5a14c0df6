// Worker-thread boot under tsx: a worker does not inherit the parent's TypeScript loader, so the
// entry is loaded through tsx's API (see recompute-thread.ts).
import { tsImport } from 'tsx/esm/api';

await tsImport('./recompute-worker.ts', import.meta.url);
