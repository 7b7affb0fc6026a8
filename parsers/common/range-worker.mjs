// Worker threads do not inherit the tsx loader of the main thread: load the
// TypeScript worker body through it.
import { tsImport } from 'tsx/esm/api';

await tsImport('./range-worker.ts', import.meta.url);
