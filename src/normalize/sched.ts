// sched:sched_process_* (include/trace/events/sched.h). comm and filename are free text:
// each greedy group is pinned by the fixed fields after it, anchored at the end.
import type { Decoder } from './decoder.ts';
import type { Fields } from '../types/event.ts';
import { int, onText } from './fields.ts';

// comm=stress pid=4242 prio=120
// comm=stress pid=4242 prio=120 group_dead=true      (6.19)
const EXIT = /^comm=(.*) pid=(-?\d+) prio=(-?\d+)(?: group_dead=(true|false))?$/s;

function processExit(text: string): Fields | undefined {
  const m = EXIT.exec(text);
  if (!m) return undefined;
  const f: Fields = { comm: m[1]!, pid: int(m[2]!), prio: int(m[3]!) };
  if (m[4] !== undefined) f.group_dead = m[4] === 'true';
  return f;
}

// comm=stress pid=4242 prio=120
const FREE = /^comm=(.*) pid=(-?\d+) prio=(-?\d+)$/s;

function processFree(text: string): Fields | undefined {
  const m = FREE.exec(text);
  return m ? { comm: m[1]!, pid: int(m[2]!), prio: int(m[3]!) } : undefined;
}

// comm=init pid=1 child_comm=init child_pid=371
const FORK = /^comm=(.*) pid=(-?\d+) child_comm=(.*) child_pid=(-?\d+)$/s;

function processFork(text: string): Fields | undefined {
  const m = FORK.exec(text);
  if (!m) return undefined;
  return { comm: m[1]!, pid: int(m[2]!), child_comm: m[3]!, child_pid: int(m[4]!) };
}

// filename=/usr/bin/stress pid=4242 old_pid=4242
const EXEC = /^filename=(.*) pid=(-?\d+) old_pid=(-?\d+)$/s;

function processExec(text: string): Fields | undefined {
  const m = EXEC.exec(text);
  return m ? { filename: m[1]!, pid: int(m[2]!), old_pid: int(m[3]!) } : undefined;
}

export const SCHED_DECODERS: Record<string, Decoder> = {
  'sched:sched_process_exit': onText(processExit),
  'sched:sched_process_free': onText(processFree),
  'sched:sched_process_fork': onText(processFork),
  'sched:sched_process_exec': onText(processExec),
};
