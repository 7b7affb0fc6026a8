// Worker threads do not inherit the tsx loader of the main thread. Built (`npm run build`),
// the bundled body sits beside this file in dist/; from the sources it is loaded through tsx.
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const built = new URL('./input-thread.js', import.meta.url);
const { decodeInWorker } = existsSync(built)
  ? await import(built.href)
  : await (await import('tsx/esm/api')).tsImport('./input-thread.ts', import.meta.url);
await decodeInWorker(workerData.file, workerData.ahead, parentPort);
