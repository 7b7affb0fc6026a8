// Several live inputs (the trace and the kernel log) merged on one clock: an event
// is handed on only once every input still open has reached its time, so a kill
// line that arrives late from `dmesg -w` is still replayed in its place. A quiet
// input holds the others back by a bounded lag, but only once it has been quiet on
// the wall clock too: an input that is still delivering (a recorded log replayed
// beside its trace) is waited for however far the trace has run ahead.
import type { TraceEvent } from '../types/event.ts';

interface Lane {
  queue: TraceEvent[];
  latest?: bigint;
  open: boolean;
  /** A quiet input (`dmesg -w` prints nothing for hours) holds the others back at most this long. */
  maxLag?: bigint;
  /** ... once nothing came from it for this long (wall clock, ms); without it, at once. */
  quietMs?: number;
  /** When it last delivered anything (wall clock, ms). */
  lastActive: number;
}

export class TimeMerge {
  private lanes: Lane[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A new input; returns its lane number. */
  addLane(maxLagNs?: bigint, quietMs?: number): number {
    this.lanes.push({ queue: [], open: true, maxLag: maxLagNs, quietMs, lastActive: this.now() });
    return this.lanes.length - 1;
  }

  /** The input delivered something (bytes, even with no event in them): it is not quiet. */
  touch(lane: number): void {
    this.lanes[lane]!.lastActive = this.now();
  }

  push(lane: number, ev: TraceEvent): void {
    const l = this.lanes[lane]!;
    l.lastActive = this.now();
    l.queue.push(ev);
    if (ev.ts >= 0n && (l.latest === undefined || ev.ts > l.latest)) l.latest = ev.ts;
  }

  close(lane: number): void {
    this.lanes[lane]!.open = false;
  }

  /** Events held back, waiting for a slower input. */
  get pending(): number {
    return this.lanes.reduce((n, l) => n + l.queue.length, 0);
  }

  /**
   * Events every open input has passed, in time order (stable: one input's events
   * keep their order at equal times). Untimed kernel log lines pass at once.
   */
  drain(): TraceEvent[] {
    let mark: bigint | undefined;
    let unbounded = true;
    let lead: bigint | undefined;
    for (const l of this.lanes) if (l.latest !== undefined && (lead === undefined || l.latest > lead)) lead = l.latest;
    const t = this.now();
    for (const l of this.lanes) {
      if (!l.open) continue;
      unbounded = false;
      let latest = l.latest;
      const quiet = l.quietMs === undefined || t - l.lastActive >= l.quietMs;
      if (l.maxLag !== undefined && quiet && lead !== undefined && (latest === undefined || latest < lead - l.maxLag)) latest = lead - l.maxLag;
      if (latest === undefined) return this.untimedOnly();
      if (mark === undefined || latest < mark) mark = latest;
    }
    const out: TraceEvent[] = [];
    for (const l of this.lanes) {
      if (unbounded) {
        out.push(...l.queue);
        l.queue = [];
        continue;
      }
      const keep: TraceEvent[] = [];
      for (const ev of l.queue) (ev.ts <= mark! ? out : keep).push(ev);
      l.queue = keep;
    }
    return out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  }

  private untimedOnly(): TraceEvent[] {
    const out: TraceEvent[] = [];
    for (const l of this.lanes) {
      out.push(...l.queue.filter((e) => e.ts < 0n));
      l.queue = l.queue.filter((e) => e.ts >= 0n);
    }
    return out;
  }
}
