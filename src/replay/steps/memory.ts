// Which tasks share a victim's address space and when its memory went away:
// kmem:rss_stat (mm_id hash, curr=1 binds a task to it), mmap:exit_mmap, the last
// thread's exit (docs/model.md#mm).
import type { TraceEvent } from '../../types/event.ts';
import type { ModelState, VictimState } from '../state.ts';
import { attemptOf } from './oom.ts';
import { Samples } from '../../timeline/samples.ts';
import type { MmTimeline } from '../../timeline/mm-tracker.ts';

/** Anon memory at or below this share of what the victim had when chosen counts as released. */
const RELEASED_SHARE = 0.02;
/** ... and at or above this share as still held. */
const HELD_SHARE = 0.5;

function isAnon(f: NonNullable<TraceEvent['fields']>): boolean {
  return f.type === 'MM_ANONPAGES';
}

function victimOfMm(s: ModelState, mmId: number): VictimState | undefined {
  const mm = s.mms.ofMmId(mmId);
  return mm && s.victimOfMm.get(mm);
}

export function onRssStat(s: ModelState, ev: TraceEvent): void {
  const f = ev.fields;
  if (!f || typeof f.mm_id !== 'number') return;
  const mmId = f.mm_id;
  // A task's own samples (curr=1) were bound by the tracker; the reaper's updates during
  // an attempt are the victim's mm.
  const at = attemptOf(s, ev);
  if (at && at.v.mm.mmId === undefined) s.mms.bindMmId(at.v.mm, mmId);
  if (!isAnon(f) || typeof f.size !== 'number') return;
  const v = victimOfMm(s, mmId);
  if (!v || ev.ts < v.mark.ts) return;
  const bytes = f.size;
  v.lastAnon = { bytes, ev };
  const anon = (v.anonSamples ??= new Samples());
  anon.push(ev);
  v.anonAtMark ??= bytes;
  const ref = v.anonAtMark;
  if (bytes >= ref * HELD_SHARE) v.heldAfter.pushLastOf(anon);
  else if (bytes <= ref * RELEASED_SHARE && !v.release) v.release = { ts: ev.ts, how: at?.v === v ? 'reaper' : 'rss_zero', ev };
}

/** The victims whose address space `task` shares (found through the tracker, not by a loop over every victim; a task never leaves an address space). */
function victimsWithTask(s: ModelState, task: number): VictimState[] {
  const out: VictimState[] = [];
  // Released, and this pid's task already exited: a later exit or exit_mmap of the pid is another task's.
  const settled = (tl: MmTimeline): boolean => {
    const v = s.victimOfMm.get(tl);
    return v !== undefined && v.release !== undefined && v.exited?.has(task) === true;
  };
  for (const tl of s.mms.withTask(task, settled)) {
    const v = s.victimOfMm.get(tl);
    if (v) out.push(v);
  }
  return out;
}

export function onExitMmap(s: ModelState, ev: TraceEvent): void {
  for (const v of victimsWithTask(s, ev.pid)) {
    if (!v.release && ev.ts >= v.mark.ts && s.mms.mmIdOf(ev.pid) === v.mm.mmId) {
      v.release = { ts: ev.ts, how: 'exit_mmap', ev };
    }
  }
}

export function onProcessExit(s: ModelState, ev: TraceEvent): void {
  const pid = typeof ev.fields?.pid === 'number' ? ev.fields.pid : ev.pid;
  for (const v of victimsWithTask(s, pid)) {
    // A pid exits once per task: a second exit is of a later task given the same pid.
    if (ev.ts < v.mark.ts || v.exited?.has(pid)) continue;
    v.exited ??= new Set();
    v.exited.add(pid);
    // Without exit_mmap or probes, the last thread's exit is the latest the memory can go.
    if (allExited(v)) v.lastExit = ev;
  }
}

/** Every task known to share its address space has exited (read without copying the set: this runs at each exit). */
function allExited(v: VictimState): boolean {
  for (const t of v.mm.tasks) if (!v.exited!.has(t)) return false;
  return true;
}
