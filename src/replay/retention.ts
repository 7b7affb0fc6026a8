// What the phases after the replay read of the timeline, gathered while it streams past,
// so the timeline itself need not be kept: the coverage (first and last times), the
// kernel version lines, the rss formats seen, the reap-routine entries and the fork
// lineage (self-reaps). A victim's anon samples are its address space's, kept by the
// model's MmTracker (src/timeline/mm-tracker.ts).
import type { TraceEvent } from '../types/event.ts';

const REAP_FUNCS = new Set(['__oom_reap_task_mm', 'oom_reap_task_mm']);
/** A call of the reap routine (a kprobe on it), not its return. */
export const isReapEntry = (e: TraceEvent): boolean => e.fields !== undefined && REAP_FUNCS.has(String(e.fields.probe_func)) && e.fields.is_return !== true;

export class Retention {
  readonly firstTsByCpu = new Map<number, bigint>();
  firstTs?: bigint;
  lastTs?: bigint;
  /** Kernel log lines naming the kernel's version, timed ones in order, then untimed. */
  readonly versionLines: TraceEvent[] = [];
  rssMember = false;
  rssType = false;
  /** The reap routine ran (a probe on it fired). */
  reapFired = false;
  /** Entries of the reap routine (by the reaper or not: the reaper's pid is known at the end). */
  readonly reapEntries: TraceEvent[] = [];
  /** Forked child → parent, the last fork of each pid. */
  readonly parent = new Map<number, number>();

  /** One event of the time-ordered stream (after the replay stepped it). */
  add(e: TraceEvent): void {
    if (e.ts >= 0n && e.cpu >= 0) {
      if (!this.firstTsByCpu.has(e.cpu)) this.firstTsByCpu.set(e.cpu, e.ts);
      this.firstTs ??= e.ts;
      this.lastTs = e.ts;
    }
    const f = e.fields;
    if (!f) return;
    if (e.name === 'kmem:rss_stat') {
      if (f.member !== undefined) this.rssMember = true;
      else this.rssType = true;
      return;
    }
    if (f.kind === 'kernel_version') this.versionLines.push(e);
    else if (e.name === 'sched:sched_process_fork' && typeof f.child_pid === 'number' && typeof f.pid === 'number') this.parent.set(f.child_pid, f.pid);
    else if (isReapEntry(e)) {
      this.reapFired = true;
      this.reapEntries.push(e);
    }
  }

  /** Untimed kernel log lines (after the stream). */
  addUntimed(e: TraceEvent): void {
    if (e.fields?.kind === 'kernel_version') this.versionLines.push(e);
  }

}
