// kprobe events on the mmu_notifier core and its callbacks: invalidate calls, what
// each notifier instance did inside them, and the reap routine's result
// (docs/model.md#state-call).
import type { TraceEvent } from '../../types/event.ts';
import { retval, type KprobeRole } from '../kprobe-roles.ts';
import type { InstanceState, ModelState } from '../state.ts';
import { KeptCall, KeptCallback } from '../kept-call.ts';
import { attemptOf } from './oom.ts';
import { bindPtr, victimsOfPtr } from '../mm-pointers.ts';
import { kept } from '../words.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function instance(s: ModelState, mm: string | undefined, name: string): InstanceState {
  const key = `${mm ?? '?'}|${name}`;
  let i = s.instances.get(key);
  if (!i) {
    s.instances.set(key, (i = { outstanding: [], implementsEnd: false }));
    const m = mm ?? '?';
    const l = s.instancesByMm.get(m);
    if (l) l.push(i);
    else s.instancesByMm.set(m, [i]);
  }
  return i;
}

function blockable(ev: TraceEvent): boolean | undefined {
  const f = ev.fields!;
  if (typeof f.blockable === 'number') return f.blockable !== 0;
  const flags = f.flags;
  if (typeof flags === 'string') return (BigInt(flags) & 1n) === 1n;
  if (typeof flags === 'number') return (flags & 1) === 1;
  return undefined;
}

/** An end callback pairs with the outstanding start of the same range, else the oldest. */
function pairEnd(inst: InstanceState, ev: TraceEvent): void {
  const start = str(ev.fields?.start);
  const end = str(ev.fields?.end);
  let i = inst.outstanding.findIndex((c) => c.start === start && c.end === end);
  if (i < 0 && inst.outstanding.length) i = 0;
  if (i >= 0) inst.outstanding.splice(i, 1);
}

export function onKprobe(s: ModelState, ev: TraceEvent, r: KprobeRole): void {
  const f = ev.fields!;
  switch (r.role) {
    case 'reap': {
      const at = attemptOf(s, ev);
      if (at) {
        at.a.reapEntry ??= ev;
        bindPtr(s, at.v, str(f.mm));
      } else {
        // exit_mmap reaping a victim's mm itself (4.17-6.0).
        const v = victimsOfPtr(s, str(f.mm))[0];
        if (v) v.selfReaps++;
      }
      return;
    }
    case 'reap_ret': {
      const at = attemptOf(s, ev);
      if (at && !at.a.reapRet) {
        at.a.reapRet = ev;
        at.a.result = retval(ev) === 1 ? 'ok' : 'failed';
        at.a.decidedBy = `__oom_reap_task_mm returned ${retval(ev)}`;
      }
      return;
    }
    case 'core_start': {
      const at = attemptOf(s, ev);
      const call = new KeptCall(s.refs, ev, ev.pid, kept(s, f.mm), kept(s, f.range), kept(s, f.start), kept(s, f.end), blockable(ev), at?.v);
      if (at) {
        at.a.calls.push(call);
        bindPtr(s, at.v, call.mm);
      }
      s.openStart.set(ev.pid, call);
      s.calls.push(call);
      return;
    }
    case 'core_start_ret': {
      const call = s.openStart.get(ev.pid);
      if (!call) return;
      s.openStart.delete(ev.pid);
      call.returned(ev, retval(ev));
      if (call.retval === 0) {
        let l = s.awaitingEnd.get(ev.pid);
        if (!l) s.awaitingEnd.set(ev.pid, (l = []));
        l.push(call);
      }
      return;
    }
    case 'core_end': {
      const l = s.awaitingEnd.get(ev.pid);
      if (!l || l.length === 0) return;
      const range = str(f.range);
      let i = l.findIndex((c) => range !== undefined && c.range === range && c.start === str(f.start) && c.end === str(f.end));
      if (i < 0) i = l.findIndex((c) => c.mm === str(f.mm) && c.start === str(f.start) && c.end === str(f.end));
      if (i < 0) i = l.length - 1;
      l[i]!.ended(ev);
      s.lastEnded.set(ev.pid, l[i]!);
      l.splice(i, 1);
      return;
    }
    case 'cb_start': {
      const cb = new KeptCallback(s.refs, ev, r.instance!, 'start', kept(s, f.start), kept(s, f.end), kept(s, f.mm));
      s.openStart.get(ev.pid)?.callbacks.push(cb);
      let l = s.openCallbacks.get(ev.pid);
      if (!l) s.openCallbacks.set(ev.pid, (l = []));
      l.push(cb);
      return;
    }
    case 'cb_start_ret': {
      const l = s.openCallbacks.get(ev.pid);
      if (!l) return;
      let i = -1;
      for (let k = l.length - 1; k >= 0; k--) if (l[k]!.instance === r.instance) { i = k; break; }
      if (i < 0) return;
      const cb = l.splice(i, 1)[0]!;
      cb.returned(ev, retval(ev));
      if (cb.retval === 0) instance(s, cb.mm ?? s.openStart.get(ev.pid)?.mm, cb.instance).outstanding.push(cb);
      return;
    }
    case 'cb_end': {
      const cb = new KeptCallback(s.refs, ev, r.instance!, 'end');
      // Inside a start (the end-on-failure of the pairing fix), else inside the task's last core end.
      (s.openStart.get(ev.pid) ?? s.lastEnded.get(ev.pid))?.callbacks.push(cb);
      const inst = instance(s, str(f.mm) ?? s.openStart.get(ev.pid)?.mm, r.instance!);
      inst.implementsEnd = true;
      pairEnd(inst, ev);
      return;
    }
    case 'mm_release': {
      const mm = str(f.mm);
      for (const v of victimsOfPtr(s, mm)) {
        if (!v.release) v.release = { ts: ev.ts, how: 'mm_release', ev };
        v.mmTeardown ??= ev;
      }
      for (const inst of s.instancesByMm.get(String(mm)) ?? []) inst.released ??= ev;
      return;
    }
    case 'cb_release': {
      instance(s, str(f.mm), r.instance!).released ??= ev;
      return;
    }
  }
}
