// Worker threads do not inherit the tsx loader of the main thread: load the
// TypeScript worker body through it.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { decodeInWorker } = await tsImport('./input-thread.ts', import.meta.url);
await decodeInWorker(workerData.file, workerData.ahead, parentPort);
