// sched:sched_process_* (include/trace/events/sched.h). comm and filename are free text:
// each greedy group is pinned by the fixed fields after it, anchored at the end.
import type { Decoder } from './decoder.ts';
import type { Fields } from '../types/event.ts';
import { int, onText } from './fields.ts';
import { type RecordDecoder, fromRecord } from './record.ts';

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
// Two free-text fields: one regex with two `(.*)` groups backtracks quadratically, so
// the fixed fields are found from the end, as the greedy groups would place them.
const CHILD_PID = /^-?\d+$/;
const PID_THEN_CHILD = /-?\d+(?= child_comm=)/y;

function processFork(text: string): Fields | undefined {
  if (!text.startsWith('comm=')) return undefined;
  const tail = text.lastIndexOf(' child_pid=');
  if (tail < 0 || !CHILD_PID.test(text.slice(tail + 11))) return undefined;
  // The last ` pid=N child_comm=` before the tail ends the (greedy) comm.
  for (let at = text.lastIndexOf(' pid=', tail - 1); at >= 5; at = text.lastIndexOf(' pid=', at - 1)) {
    PID_THEN_CHILD.lastIndex = at + 5;
    const pid = PID_THEN_CHILD.exec(text);
    if (!pid || PID_THEN_CHILD.lastIndex + 12 > tail) continue;
    return {
      comm: text.slice(5, at),
      pid: int(pid[0]),
      child_comm: text.slice(PID_THEN_CHILD.lastIndex + 12, tail),
      child_pid: int(text.slice(tail + 11)),
    };
  }
  return undefined;
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

// The same fields from a binary record (the free-text comms are exact there).
const commPidPrio = fromRecord('comm=%s pid=%d prio=%d', (a) => ({ comm: a.s(0), pid: a.d(1), prio: a.d(2) }));

export const SCHED_RECORD_DECODERS: Record<string, RecordDecoder> = {
  'sched:sched_process_exit': commPidPrio,
  'sched:sched_process_free': commPidPrio,
  'sched:sched_process_fork': fromRecord('comm=%s pid=%d child_comm=%s child_pid=%d', (a) => ({ comm: a.s(0), pid: a.d(1), child_comm: a.s(2), child_pid: a.d(3) })),
  'sched:sched_process_exec': fromRecord('filename=%s pid=%d old_pid=%d', (a) => ({ filename: a.s(0), pid: a.d(1), old_pid: a.d(2) })),
};
