// Worker thread body: parses the byte ranges it is sent and posts their records back.
import { parentPort } from 'node:worker_threads';
import { parseRange, type RangeTask } from './range-parse.ts';

parentPort!.on('message', (task: RangeTask) => {
  try {
    parentPort!.postMessage({ result: parseRange(task) });
  } catch (e) {
    parentPort!.postMessage({ id: task.id, error: (e as Error).message });
  }
});
