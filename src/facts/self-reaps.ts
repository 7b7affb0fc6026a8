// The reap routine run outside the oom_reaper is a victim's own exit reaping its mm
// (exit_mmap self-reap, 4.17-6.0): each call goes to the victim of that mm, else to
// the victim whose task (or a task it forked: a thread may run the last exit) made it.
import type { TraceEvent } from '../types/event.ts';
import type { ModelState, VictimState } from '../replay/state.ts';
import type { Retention } from '../replay/retention.ts';

export function selfReapsOf(st: ModelState, r: Pick<Retention, 'parent' | 'reapEntries'>): Map<VictimState, number> {
  const reaper = (e: TraceEvent) => e.pid === st.reaperPid || e.comm === 'oom_reaper';
  const parent = r.parent;
  const entries = r.reapEntries.filter((e) => !reaper(e));
  const lineage = (pid: number): Set<number> => {
    const out = new Set<number>([pid]);
    for (let p = parent.get(pid); p !== undefined && !out.has(p); p = parent.get(p)) out.add(p);
    return out;
  };
  const out = new Map<VictimState, number>();
  for (const e of entries) {
    const before = st.victims.filter((v) => v.mark.ts <= e.ts).reverse();
    const mm = e.fields?.mm === undefined ? undefined : String(e.fields.mm);
    const up = lineage(e.pid);
    const v = before.find((x) => mm !== undefined && x.mm.mmPtr === mm) ?? before.find((x) => up.has(x.pid) || x.mm.tasks.has(e.pid));
    if (v) out.set(v, (out.get(v) ?? 0) + 1);
  }
  for (const v of st.victims) if (v.selfReaps > (out.get(v) ?? 0)) out.set(v, v.selfReaps);
  return out;
}
