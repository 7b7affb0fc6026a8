// task:task_newtask (include/trace/events/task.h). clone_flags is hex without `0x`
// (`%lx`, `%llx` in 6.19).
import type { Decoder } from './decoder.ts';
import type { Fields } from '../types/event.ts';
import { hexInt, int, onText } from './fields.ts';

// pid=4243 comm=stress clone_flags=3d0f00 oom_score_adj=0
const NEWTASK = /^pid=(-?\d+) comm=(.*) clone_flags=([0-9a-f]+) oom_score_adj=(-?\d+)$/s;

function newTask(text: string): Fields | undefined {
  const m = NEWTASK.exec(text);
  if (!m) return undefined;
  return { pid: int(m[1]!), comm: m[2]!, clone_flags: hexInt(m[3]!), oom_score_adj: int(m[4]!) };
}

export const TASK_DECODERS: Record<string, Decoder> = {
  'task:task_newtask': onText(newTask),
};
