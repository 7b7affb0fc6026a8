// Evidence that a notifier is registered on a victim's mm, read from its own tasks
// before its OOM (docs/model.md#rules-notifier-evidence): KVM's mmu-notifier
// tracepoints run in the context of the task whose mm KVM registered on (its vCPU
// threads, its ioctls), and a core invalidate call or callback names its mm. Lines
// from other tasks (kswapd ages every guest) tie no notifier to this mm.
import type { EventRef, TraceEvent } from '../types/event.ts';
import type { ModelState, VictimState } from './state.ts';
import type { ReplayedTimeline } from './replayed.ts';

/** Remembers each task's first kvm:* line (the earliest is the one that can precede an OOM). */
export function noteKvm(s: ModelState, ev: TraceEvent): void {
  if (ev.pid > 0 && !s.kvmByTask.has(ev.pid)) s.kvmByTask.set(ev.pid, ev);
}

const ownTask = (v: VictimState, ev: EventRef): boolean => v.mm.tasks.has(ev.pid) || ev.tgid === v.pid;

export interface NotifierEvidence {
  ev: EventRef;
  what: string;
  /** The notifier is KVM's (an hlist notifier that implements invalidate_range_end). */
  kvm: boolean;
}

/** The first line showing a notifier (KVM's when `kvmOnly`) on v's mm, from v's own tasks, before v was selected. */
export function notifierOnMm(s: Pick<ReplayedTimeline, 'kvmByTask' | 'calls'>, v: VictimState, kvmOnly = false): NotifierEvidence | undefined {
  const found: NotifierEvidence[] = [];
  for (const ev of s.kvmByTask.values()) {
    if (ev.ts < v.mark.ts && ownTask(v, ev)) found.push({ ev, what: `KVM notifier on ${v.pid}'s mm: ${ev.name} in its task ${ev.pid}`, kvm: true });
  }
  for (const c of s.calls) {
    if (c.entry.ts >= v.mark.ts || !ownTask(v, c.entry) || c.mm === undefined || c.mm !== v.mm.mmPtr) continue;
    const cb = c.callbacks[0];
    found.push(cb
      ? { ev: cb.entry, what: `${cb.instance} notifier callback on ${v.pid}'s mm in its task ${c.pid}`, kvm: cb.instance === 'kvm' }
      : { ev: c.entry, what: `invalidate call on ${v.pid}'s mm (${c.mm}) in its task ${c.pid}: a notifier is registered`, kvm: false });
  }
  if (kvmOnly) found.splice(0, found.length, ...found.filter((n) => n.kvm));
  found.sort((a, b) => (a.ev.ts < b.ev.ts ? -1 : a.ev.ts > b.ev.ts ? 1 : 0));
  return found[0];
}
