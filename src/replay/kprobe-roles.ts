// What a kprobe event means to the model, from the function it probes (resolved
// through the kprobe definitions, so tracefs, trace-cmd and perf agree):
//   __mmu_notifier_invalidate_range_start      the core start (entry / return)
//   __mmu_notifier_invalidate_range_end        the core end
//   <notifier>_invalidate_range_start / _end   one notifier's callback
//   __mmu_notifier_release, <notifier>_release teardown of the mm's notifiers
//   __oom_reap_task_mm                         the reap routine (entry / return: true = reaped)
import type { TraceEvent } from '../types/event.ts';

export type Role =
  | 'core_start'
  | 'core_start_ret'
  | 'core_end'
  | 'cb_start'
  | 'cb_start_ret'
  | 'cb_end'
  | 'mm_release'
  | 'cb_release'
  | 'reap'
  | 'reap_ret';

export interface KprobeRole {
  role: Role;
  /** Notifier instance for callbacks: the module (`kvm`, `mntest`) or the callback's symbol. */
  instance?: string;
}

// kvm_mmu_notifier_invalidate_range_start, amdgpu_mn_invalidate_range_start_gfx, mn_invl_range_start (xen gntdev)
const CB_START = /(?:invalidate|invl)_range_start/;
const CB_END = /(?:invalidate|invl)_range_end/;
const CB_RELEASE = /release$/;

function instanceOf(fields: NonNullable<TraceEvent['fields']>, func: string): string {
  const mod = fields.probe_module;
  if (typeof mod === 'string' && mod) return mod;
  return func.replace(/_(?:mmu_notifier_)?(?:(?:invalidate|invl)_range_(?:start|end)\w*|release)$/, '') || func;
}

export function kprobeRole(ev: TraceEvent): KprobeRole | undefined {
  const f = ev.fields;
  if (!f || typeof f.probe_func !== 'string') return undefined;
  const func = f.probe_func;
  const ret = f.is_return === true;
  switch (func) {
    case '__mmu_notifier_invalidate_range_start':
      return { role: ret ? 'core_start_ret' : 'core_start' };
    case '__mmu_notifier_invalidate_range_end':
      return ret ? undefined : { role: 'core_end' };
    case '__mmu_notifier_release':
      return ret ? undefined : { role: 'mm_release' };
    case '__oom_reap_task_mm':
    case 'oom_reap_task_mm':
      return { role: ret ? 'reap_ret' : 'reap' };
  }
  if (CB_START.test(func)) return { role: ret ? 'cb_start_ret' : 'cb_start', instance: instanceOf(f, func) };
  if (CB_END.test(func) && !ret) return { role: 'cb_end', instance: instanceOf(f, func) };
  if (CB_RELEASE.test(func) && !ret) return { role: 'cb_release', instance: instanceOf(f, func) };
  return undefined;
}

/** A role per event, resolved from the event's definition. */
export type RoleOf = (ev: TraceEvent) => KprobeRole | undefined;

/**
 * The roles of one capture's kprobes, resolved once per definition: an event name is one
 * kprobe definition within a capture (its probed function and module do not change from
 * line to line), so the function is matched on the first decoded event of a name and the
 * answer kept. Names that are not kprobes are remembered too. One per capture: two
 * captures may give one name to different probes.
 */
export function kprobeRoles(isKprobe: (name: string) => boolean): RoleOf {
  const known = new Map<string, KprobeRole | null>();
  return (ev) => {
    const k = known.get(ev.name);
    if (k !== undefined) return k ?? undefined;
    if (!isKprobe(ev.name)) {
      known.set(ev.name, null);
      return undefined;
    }
    // Not decoded (no probed function): decided on a later event of the definition.
    if (typeof ev.fields?.probe_func !== 'string') return undefined;
    const r = kprobeRole(ev) ?? null;
    known.set(ev.name, r);
    return r ?? undefined;
  };
}

/** The value a return probe reports (`ret=`), or undefined. */
export function retval(ev: TraceEvent): number | undefined {
  const r = ev.fields?.ret;
  if (typeof r === 'number') return r;
  if (typeof r === 'string' && /^0x[0-9a-f]+$/i.test(r)) {
    // An untyped $retval prints as a hex word: -11 is 0xfffffff5.
    const n = Number(BigInt(r) & 0xffffffffn);
    return n >= 0x80000000 ? n - 0x100000000 : n;
  }
  return undefined;
}
