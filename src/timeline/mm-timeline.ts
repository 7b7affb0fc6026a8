// One address space's events in time order: its selection, kill, reaper attempts and the
// invalidate calls inside them, its anon memory samples, its release. The binding of
// tasks, mm pointer and rss_stat mm_id comes from the replay; the mm_id hash reuse is
// handled here once, by a window (MM_ID_REUSE_WINDOW_NS).
import type { TraceEvent } from '../types/event.ts';

/** An rss_stat mm_id hashes an address a later mm may reuse: samples count only this long past the release. */
export const MM_ID_REUSE_WINDOW_NS = 1_000_000_000n;

export interface MmBinding {
  pid: number;
  /** Every task known to share the mm. */
  tasks: ReadonlySet<number>;
  mmPtr?: string;
  mmId?: number;
  selectedAt: bigint;
  releasedAt?: bigint;
  /** The release line, when one was seen. */
  release?: TraceEvent;
  /** Events of the invalidate calls on the mm (entries, returns, callbacks, ends). */
  calls: ReadonlySet<TraceEvent>;
}

export interface MmTimeline {
  binding: MmBinding;
  events: TraceEvent[];
}

export function mmTimeline(events: readonly TraceEvent[], b: MmBinding): MmTimeline {
  // From the first sample a task of the mm reports as its own, to the reuse window past the release.
  const own = (e: TraceEvent) => e.name === 'kmem:rss_stat' && e.fields?.mm_id === b.mmId && e.fields?.curr === true && b.tasks.has(e.pid);
  const from = events.find(own)?.ts ?? b.selectedAt;
  const to = b.releasedAt !== undefined ? b.releasedAt + MM_ID_REUSE_WINDOW_NS : undefined;
  const mine = events.filter((e) => {
    if (b.calls.has(e)) return true;
    if (e.name === 'kmem:rss_stat') return b.mmId !== undefined && e.fields?.mm_id === b.mmId && e.ts >= from && (to === undefined || e.ts <= to);
    const pid = e.fields?.pid;
    if (e.name.startsWith('oom:') || e.name === 'signal:signal_generate' || e.name === 'printk:console') return pid === b.pid;
    if (e.name === 'sched:sched_process_exit' || e.name === 'mmap:exit_mmap') return b.tasks.has(typeof pid === 'number' && e.name.startsWith('sched') ? pid : e.pid);
    return e === b.release;
  });
  return { binding: b, events: mine };
}
