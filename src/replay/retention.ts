// What the phases after the replay read of the timeline, gathered while it streams past,
// so the timeline itself need not be kept: the coverage (first and last times), the
// kernel version lines, the rss formats seen, the reap-routine entries and the fork
// lineage (self-reaps), and the anon memory samples a victim can still cite.
//
// Anon samples are the bulk (one per rss_stat of every process): they live in typed
// columns (24 B a sample) and are dropped once no victim, present or to come, can cite
// them: a victim cites its mm's samples from its selection minus MM_ID_REUSE_WINDOW_NS
// to its release plus the same (src/facts/victim.ts), and a victim selected later cites
// nothing older than the window before now.
import type { TraceEvent } from '../types/event.ts';
import { MM_ID_REUSE_WINDOW_NS } from '../timeline/mm-timeline.ts';
import type { ModelState } from './state.ts';

export interface AnonSample {
  ts: bigint;
  bytes: number;
}

const REAP_FUNCS = new Set(['__oom_reap_task_mm', 'oom_reap_task_mm']);
/** A call of the reap routine (a kprobe on it), not its return. */
export const isReapEntry = (e: TraceEvent): boolean => e.fields !== undefined && REAP_FUNCS.has(String(e.fields.probe_func)) && e.fields.is_return !== true;

/** Anon rss samples in columns: time, mm_id, bytes. */
class AnonColumns {
  ts = new BigInt64Array(1024);
  mm = new Float64Array(1024);
  bytes = new Float64Array(1024);
  length = 0;

  push(ts: bigint, mm: number, bytes: number): void {
    if (this.length === this.ts.length) this.grow(this.length * 2);
    const i = this.length++;
    this.ts[i] = ts;
    this.mm[i] = mm;
    this.bytes[i] = bytes;
  }

  grow(n: number): void {
    const ts = new BigInt64Array(n);
    const mm = new Float64Array(n);
    const bytes = new Float64Array(n);
    ts.set(this.ts.subarray(0, this.length));
    mm.set(this.mm.subarray(0, this.length));
    bytes.set(this.bytes.subarray(0, this.length));
    this.ts = ts;
    this.mm = mm;
    this.bytes = bytes;
  }

  /** Keep the rows `keep` says yes to, in order. */
  compact(keep: (ts: bigint, mm: number) => boolean): void {
    let w = 0;
    for (let r = 0; r < this.length; r++) {
      const ts = this.ts[r]!;
      const mm = this.mm[r]!;
      if (!keep(ts, mm)) continue;
      this.ts[w] = ts;
      this.mm[w] = mm;
      this.bytes[w] = this.bytes[r]!;
      w++;
    }
    this.length = w;
  }
}

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
  private readonly anon = new AnonColumns();
  /** Samples kept and dropped, for the figures of `npm run bench`. */
  anonDropped = 0;

  /** `states`: the replays whose victims may cite samples (read when samples are dropped). */
  constructor(private readonly states: () => readonly ModelState[] = () => []) {}

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
      if (f.type === 'MM_ANONPAGES' && typeof f.mm_id === 'number') {
        if (this.anon.length === this.anon.ts.length) this.drop(e.ts);
        this.anon.push(e.ts, f.mm_id, Number(f.size));
      }
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

  /** Drop the anon samples no victim can cite any more; `now` is the stream's time. */
  private drop(now: bigint): void {
    let from = now - MM_ID_REUSE_WINDOW_NS;
    const bound = new Map<number, { from: bigint; to?: bigint }[]>();
    for (const st of this.states()) {
      for (const v of st.victims) {
        const vFrom = v.mark.ts - MM_ID_REUSE_WINDOW_NS;
        // A victim whose mm_id is not known yet may cite any mm's samples from its selection on.
        if (v.mmId === undefined) {
          if (vFrom < from) from = vFrom;
          continue;
        }
        let l = bound.get(v.mmId);
        if (!l) bound.set(v.mmId, (l = []));
        l.push({ from: vFrom, to: v.release ? v.release.ts + MM_ID_REUSE_WINDOW_NS : undefined });
      }
    }
    const before = this.anon.length;
    this.anon.compact((ts, mm) => ts >= from || (bound.get(mm)?.some((w) => ts >= w.from && (w.to === undefined || ts <= w.to)) ?? false));
    this.anonDropped += before - this.anon.length;
    // Still more than half full: what is kept grows (open victims), so the columns do.
    if (this.anon.length * 2 > this.anon.ts.length) this.anon.grow(this.anon.ts.length * 2);
  }

  /** The anon samples kept, per mm_id, in time order. */
  anonByMmId(): Map<number, AnonSample[]> {
    const out = new Map<number, AnonSample[]>();
    const a = this.anon;
    for (let i = 0; i < a.length; i++) {
      const mm = a.mm[i]!;
      let l = out.get(mm);
      if (!l) out.set(mm, (l = []));
      l.push({ ts: a.ts[i]!, bytes: a.bytes[i]! });
    }
    return out;
  }

  /** Anon samples held now, and the bytes their columns take. */
  get anonKept(): { samples: number; bytes: number } {
    return { samples: this.anon.length, bytes: this.anon.ts.length * 24 };
  }
}
