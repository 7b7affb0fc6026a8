// One fleet worker thread: analyses the captures it is sent, one at a time, and posts their rows back.
import { parentPort } from 'node:worker_threads';
import { analyseCapture } from './analyse-capture.ts';
import type { CaptureInfo } from './tables-from-analysis.ts';

parentPort!.on('message', (cap: CaptureInfo) => {
  void analyseCapture(cap).then((r) => parentPort!.postMessage(r));
});
parentPort!.postMessage('ready');
