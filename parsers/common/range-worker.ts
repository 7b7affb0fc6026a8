// Worker thread body: parses the byte ranges it is sent and posts their records back
// (events as columns whose buffers are moved, not copied).
import { parentPort } from 'node:worker_threads';
import { transferList } from './range-events.ts';
import { parseRange, type RangeTask } from './range-parse.ts';

parentPort!.on('message', async (task: RangeTask) => {
  try {
    const result = await parseRange(task, true);
    parentPort!.postMessage({ result }, result.events ? transferList(result.events) : []);
  } catch (e) {
    parentPort!.postMessage({ id: task.id, error: (e as Error).message });
  }
});
